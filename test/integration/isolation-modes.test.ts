/**
 * Namespaces shared with the host or another container, devices and
 * rlimits, with the docker CLI and berth, checked against the kernel:
 * `/proc/self/ns/*` links, /dev/shm contents, /proc/self/limits, device
 * nodes and the device cgroup.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { TestDaemon, mountsUnder, type RunResult } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const hostNs = (kind: string) => readlinkSync(`/proc/self/ns/${kind}`);

for (const cliName of ['docker', 'berth'] as const) {
  const cli = (args: string[]): Promise<RunResult> => (cliName === 'docker' ? d.docker(args) : d.berth(args));
  const sh = async (flags: string[], script: string) => {
    const r = await cli(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, `${flags.join(' ')} ${script}: ${r.stderr}`);
    return r.stdout.trim();
  };

  test(`${cliName}: --pid, --ipc, --uts, --cgroupns host share the host's namespaces; defaults are private`, async () => {
    const own = await sh([], 'for n in pid ipc uts; do readlink /proc/self/ns/$n; done');
    assert.equal(own.split('\n').some((l, i) => l === [hostNs('pid'), hostNs('ipc'), hostNs('uts')][i]), false, own);
    assert.equal(await sh(['--pid', 'host'], 'readlink /proc/self/ns/pid'), hostNs('pid'));
    assert.equal(await sh(['--ipc', 'host'], 'readlink /proc/self/ns/ipc'), hostNs('ipc'));
    assert.equal(await sh(['--uts', 'host'], 'readlink /proc/self/ns/uts; hostname'), `${hostNs('uts')}\n${hostname()}`);
    assert.equal(await sh(['--cgroupns', 'host'], 'readlink /proc/self/ns/cgroup'), hostNs('cgroup'));
    assert.notEqual(await sh(['--cgroupns', 'private'], 'readlink /proc/self/ns/cgroup'), hostNs('cgroup'));
    // --ipc host brings the host's /dev/shm
    const marker = `/dev/shm/${d.netPrefix}-${cliName}`;
    writeFileSync(marker, 'from the host');
    try {
      assert.equal(await sh(['--ipc', 'host'], `cat ${marker}`), 'from the host');
      assert.equal(await sh([], `cat ${marker} 2>/dev/null || echo private`), 'private');
    } finally {
      rmSync(marker, { force: true });
    }
    assert.equal(await sh(['--ipc', 'none'], 'grep -c " /dev/shm " /proc/self/mounts || true'), '0');
  });

  test(`${cliName}: --pid and --ipc container:<name> join a running container's namespaces and its shareable /dev/shm`, async () => {
    const name = `nsowner-${cliName}`;
    assert.equal((await cli(['run', '-d', '--name', name, '--ipc', 'shareable', 'busybox', 'sh', '-c', 'echo shared > /dev/shm/note; exec sleep 60'])).code, 0);
    try {
      const target = (await cli(['exec', name, 'sh', '-c', 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc'])).stdout.trim();
      const joined = await sh(['--pid', `container:${name}`, '--ipc', `container:${name}`], 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc; cat /dev/shm/note; ps -o comm | grep -c sleep');
      assert.equal(joined, `${target}\nshared\n1`);
      // a private donor cannot be joined, as in Docker
      const priv = `nsprivate-${cliName}`;
      assert.equal((await cli(['run', '-d', '--name', priv, 'busybox', 'sleep', '60'])).code, 0);
      const r = await cli(['run', '--rm', '--ipc', `container:${priv}`, 'busybox', 'true']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /non-shareable IPC/);
      await cli(['rm', '-f', priv]);
    } finally {
      await cli(['rm', '-f', name]);
    }
    assert.deepEqual(mountsUnder(d.root).filter((m) => m.endsWith('/shm')), [], 'the shareable /dev/shm is unmounted with its container');
    const stopped = `nsstopped-${cliName}`;
    assert.equal((await cli(['create', '--name', stopped, 'busybox', 'true'])).code, 0);
    const r = await cli(['run', '--rm', '--pid', `container:${stopped}`, 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot join PID namespace of a non running container/);
    await cli(['rm', stopped]);
  });

  test(`${cliName}: --device and --device-cgroup-rule reach the device cgroup; --ulimit sets rlimits within berthd's own`, async () => {
    // /dev/fuse (10:229) is refused by the default device cgroup, as in Docker
    assert.match(await sh([], 'mknod /dev/f c 10 229; (exec 3<>/dev/f) 2>&1; true'), /Operation not permitted/);
    assert.equal(await sh(['--device-cgroup-rule', 'c 10:229 rwm'], 'mknod /dev/f c 10 229; (exec 3<>/dev/f) && echo opened'), 'opened');
    assert.equal(await sh(['--device', '/dev/fuse'], 'ls -l /dev/fuse | cut -c1; (exec 3<>/dev/fuse) && echo opened'), 'c\nopened');
    assert.equal(await sh(['--device', '/dev/null:/dev/mynull:rw'], 'echo x > /dev/mynull && stat -c "%t:%T" /dev/mynull'), '1:3');
    const limits = await sh(['--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=500'], 'ulimit -n; ulimit -Hn; ulimit -u');
    assert.equal(limits, '1024\n2048\n500');
    const own = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
    const over = await cli(['create', '--name', `ul-${cliName}`, '--ulimit', `nofile=${own + 1}:${own + 1}`, 'busybox', 'true']);
    assert.notEqual(over.code, 0);
    assert.match(over.stderr, new RegExp(`ulimit nofile: hard limit ${own + 1} is above berthd's own \\(${own}\\)`));
    assert.equal((await d.api('GET', `/containers/ul-${cliName}/json`)).status, 404);
  });

  test(`${cliName}: bad modes, devices and rules are 400 (501 for --userns) with no container`, async () => {
    const cases: [string[], RegExp][] = [
      // the docker CLI checks some forms itself ("--pid: invalid PID mode")
      [['--pid', 'bogus'], /invalid PID mode/],
      [['--pid', 'container:nope'], /No such container: nope/],
      [['--ipc', 'weird'], /invalid IPC mode/],
      [['--uts', 'other'], /invalid UTS mode/],
      [['--userns', 'remap'], /user namespace remapping|invalid USER mode/],
      [['--device', '/dev/does-not-exist'], /error gathering device information while adding custom device "\/dev\/does-not-exist"/],
      [['--device-cgroup-rule', 'x 1:2 rwm'], /invalid device cgroup (rule )?format/],
      [['--ulimit', 'bogus=1'], /invalid ulimit type: bogus/],
    ];
    for (const [flags, re] of cases) {
      const r = await cli(['run', '--rm', '--name', `badiso-${cliName}`, ...flags, 'busybox', 'true']);
      assert.notEqual(r.code, 0, flags.join(' '));
      assert.match(r.stderr, re, flags.join(' '));
      assert.doesNotMatch(r.stderr, /Unable to find image|pull/i, flags.join(' '));
    }
    assert.equal((await d.api('GET', `/containers/badiso-${cliName}/json`)).status, 404);
  });
}

test('API: UsernsMode other than the host\'s is 501; a PidMode naming a missing container is 400, not 404', async () => {
  const r = await d.api('POST', '/containers/create?name=userns', { Image: 'busybox', Cmd: ['true'], HostConfig: { UsernsMode: 'private' } });
  assert.equal(r.status, 501, r.body.toString());
  assert.match(r.json().message, /user namespace remapping/);
  const p = await d.api('POST', '/containers/create?name=userns', { Image: 'busybox', Cmd: ['true'], HostConfig: { PidMode: 'container:missing' } });
  assert.equal(p.status, 400);
  assert.equal((await d.api('GET', '/containers/userns/json')).status, 404);
});
