import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conmonArgs, type ConmonOptions } from './conmon-args.js';

const base: ConmonOptions = {
  id: 'c1', name: 'web', runtimePath: '/usr/sbin/runc', runtimeArgs: [], bundle: '/b', containerPidFile: '/b/pid',
  conmonPidFile: '/b/conmon.pid', exitDir: '/e', persistDir: '/p', logPath: '/b/ctr.log', socketDir: '/s',
};

const BASE_ARGV = [
  '--api-version', '1', '-c', 'c1', '-u', 'c1', '-n', 'web', '-r', '/usr/sbin/runc', '-b', '/b',
  '-p', '/b/pid', '-P', '/b/conmon.pid', '--exit-dir', '/e', '--persist-dir', '/p',
  '-l', 'k8s-file:/b/ctr.log', '--socket-dir-path', '/s', '--log-level', 'error',
];

test('conmonArgs: argv table', () => {
  const cases: { name: string; o: Partial<ConmonOptions>; tail: string[]; level?: string }[] = [
    { name: 'minimal', o: {}, tail: [] },
    { name: 'log level', o: { logLevel: 'debug' }, tail: [], level: 'debug' },
    { name: 'runtime args each get a flag', o: { runtimeArgs: ['--root', '/run/berth/runc'] }, tail: ['--runtime-arg', '--root', '--runtime-arg', '/run/berth/runc'] },
    { name: 'log size max', o: { logSizeMax: 1048576 }, tail: ['--log-size-max', '1048576'] },
    { name: 'log size 0 omitted', o: { logSizeMax: 0 }, tail: [] },
    { name: 'stdin', o: { stdin: true }, tail: ['-i'] },
    { name: 'tty', o: { terminal: true }, tail: ['-t'] },
    { name: 'stdin + tty', o: { stdin: true, terminal: true }, tail: ['-i', '-t'] },
    { name: 'stdin left open', o: { stdin: true, leaveStdinOpen: true }, tail: ['-i', '--leave-stdin-open'] },
    { name: 'leave-stdin-open needs stdin', o: { leaveStdinOpen: true }, tail: [] },
    { name: 'systemd cgroup', o: { systemdCgroup: true }, tail: ['-s'] },
    { name: 'exit command', o: { exitCommand: ['/usr/bin/berthd', 'cleanup', 'c1'] }, tail: ['--exit-command', '/usr/bin/berthd', '--exit-command-arg', 'cleanup', '--exit-command-arg', 'c1'] },
    { name: 'empty exit command omitted', o: { exitCommand: [] }, tail: [] },
    {
      name: 'everything, in order', o: { runtimeArgs: ['--debug'], logSizeMax: 10, stdin: true, terminal: true, systemdCgroup: true, exitCommand: ['x'] },
      tail: ['--runtime-arg', '--debug', '--log-size-max', '10', '-i', '-t', '-s', '--exit-command', 'x'],
    },
  ];
  for (const c of cases) {
    const want = [...BASE_ARGV];
    if (c.level) want[want.length - 1] = c.level;
    assert.deepEqual(conmonArgs({ ...base, ...c.o }), [...want, ...c.tail], c.name);
  }
});

test('conmonArgs: exec sessions take their own -u', () => {
  const argv = conmonArgs({ ...base, exec: { processSpec: '/p.json', sessionId: 'sess' } });
  assert.equal(argv[argv.indexOf('-c') + 1], 'c1');
  assert.equal(argv[argv.indexOf('-u') + 1], 'sess');
});
