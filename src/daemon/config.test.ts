import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { DEFAULTS, parseDaemonArgs } from './config.js';

/** An injected readFile: the files that "exist". Every test pins a runtime with --add-runtime or a file so it does not depend on PATH. */
function files(map: Record<string, string>) {
  const read: string[] = [];
  const fn = (p: string) => { read.push(p); return map[p]; };
  return Object.assign(fn, { read });
}
const RT = ['--add-runtime', 'runc=/opt/runc'];

test('defaults', () => {
  const rf = files({});
  const { config, help, version } = parseDaemonArgs([...RT], rf);
  assert.deepEqual(rf.read, [DEFAULTS.configFile]);
  assert.equal(help, undefined);
  assert.equal(version, undefined);
  assert.deepEqual(config.hosts, ['unix:///run/berth/berth.sock']);
  assert.equal(config.dataRoot, '/var/lib/berth');
  assert.equal(config.execRoot, '/run/berth');
  assert.equal(config.pidfile, '/run/berth/berthd.pid');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.defaultRuntime, 'runc');
  assert.equal(config.runtimes.runc.path, '/opt/runc');
  assert.equal(config.cgroupParent, 'berth');
  assert.equal(config.configFile, '/etc/berth/daemon.json');
});

test('flags', () => {
  const { config } = parseDaemonArgs([...RT, '-H', 'unix:///tmp/a.sock', '--host', 'tcp://127.0.0.1:2375', '-H', 'unix:///tmp/b.sock',
    '--data-root', '/d', '--exec-root', '/e', '-l', 'warn', '--cgroup-parent', 'my/parent', '--add-runtime', 'crun2=/usr/bin/crun', '--default-runtime', 'crun2'], files({}));
  assert.deepEqual(config.hosts, ['unix:///tmp/a.sock', 'tcp://127.0.0.1:2375', 'unix:///tmp/b.sock']);
  assert.equal(config.dataRoot, '/d');
  assert.equal(config.execRoot, '/e');
  assert.equal(config.pidfile, '/e/berthd.pid', 'pidfile follows exec-root');
  assert.equal(config.logLevel, 'warn');
  assert.equal(config.cgroupParent, 'my/parent');
  assert.deepEqual(config.runtimes.crun2, { path: '/usr/bin/crun' });
  assert.equal(config.defaultRuntime, 'crun2');
  assert.equal(parseDaemonArgs([...RT, '-D'], files({})).config.logLevel, 'debug');
  assert.equal(parseDaemonArgs([...RT, '-D', '-l', 'error'], files({})).config.logLevel, 'error');
  assert.equal(parseDaemonArgs([...RT, '-h'], files({})).help, true);
  assert.equal(parseDaemonArgs([...RT, '--version'], files({})).version, true);
});

test('daemon.json keys', () => {
  const file = JSON.stringify({
    hosts: ['unix:///x.sock'], 'data-root': '/fd', 'exec-root': '/fe', pidfile: '/p.pid', 'log-level': 'error', 'cgroup-parent': 'fp',
    runtimes: { kata: { path: '/opt/kata' } }, 'default-runtime': 'kata', 'log-driver': 'json-file', 'live-restore': true,
  });
  const rf = files({ '/etc/custom.json': file });
  const { config } = parseDaemonArgs(['--config-file', '/etc/custom.json'], rf);
  assert.deepEqual(rf.read, ['/etc/custom.json']);
  assert.deepEqual(config.hosts, ['unix:///x.sock']);
  assert.equal(config.dataRoot, '/fd');
  assert.equal(config.execRoot, '/fe');
  assert.equal(config.pidfile, '/p.pid');
  assert.equal(config.logLevel, 'error');
  assert.equal(config.cgroupParent, 'fp');
  assert.equal(config.defaultRuntime, 'kata');
  assert.deepEqual(config.runtimes.kata, { path: '/opt/kata' });
  assert.equal(config.configFile, '/etc/custom.json');
  assert.equal(parseDaemonArgs(RT, files({ [DEFAULTS.configFile]: '  \n' })).config.logLevel, 'info', 'an empty file is no config');
  assert.equal(parseDaemonArgs(RT, files({ [DEFAULTS.configFile]: '{"debug": true}' })).config.logLevel, 'debug');
});

test('invalid configurations are invalid-argument', () => {
  const cases: { name: string; argv: string[]; file?: string; message: RegExp }[] = [
    { name: 'key in flag and file', argv: ['-H', 'unix:///a.sock'], file: '{"hosts":["unix:///b.sock"]}', message: /the following directives are specified both as a flag and in the configuration file: hosts/ },
    { name: 'data-root twice', argv: ['--data-root', '/a'], file: '{"data-root":"/b"}', message: /specified both as a flag and in the configuration file: data-root/ },
    { name: 'unknown key', argv: [], file: '{"colour":"blue"}', message: /the following directives don't match any configuration option: colour/ },
    { name: 'bad JSON', argv: [], file: '{', message: /unable to configure the berth daemon with file/ },
    { name: 'invalid log level flag', argv: ['-l', 'loud'], message: /^unable to parse logging level: loud$/ },
    { name: 'invalid log level in file', argv: [], file: '{"log-level":"chatty"}', message: /^unable to parse logging level: chatty$/ },
    { name: 'add-runtime without =', argv: ['--add-runtime', 'nopath'], message: /invalid --add-runtime value: nopath/ },
    { name: 'add-runtime with empty name', argv: ['--add-runtime', '=/x'], message: /invalid --add-runtime value/ },
    { name: 'unknown default runtime', argv: ['--default-runtime', 'ghost'], message: /default runtime ghost is not configured/ },
    { name: 'bad host', argv: ['-H', 'http://x'], message: /invalid host: http:\/\/x/ },
    { name: 'bad cgroup parent', argv: ['--cgroup-parent', 'has space'], message: /invalid cgroup parent/ },
    { name: 'unknown flag', argv: ['--bogus'], message: /unknown flag: --bogus/ },
    { name: 'positional', argv: ['extra'], message: /./ },
  ];
  for (const c of cases) {
    const rf = files(c.file !== undefined ? { [DEFAULTS.configFile]: c.file } : {});
    assert.throws(() => parseDaemonArgs([...RT, ...c.argv], rf), (e: unknown) => {
      assert.ok(e instanceof BerthError, c.name);
      assert.equal(e.kind, 'invalid-argument', c.name);
      assert.match(e.message, c.message, c.name);
      return true;
    }, c.name);
  }
  assert.throws(() => parseDaemonArgs(['--config-file', '/missing.json', ...RT], files({})), /open \/missing.json: no such file or directory/);
});

test('TLS: --tlsverify needs a CA, cert and key; plain TCP off loopback is refused unless --tls=false', () => {
  const none = files({});
  const c = parseDaemonArgs([...RT, '-H', 'tcp://0.0.0.0:2376', '--tlsverify', '--tlscacert', '/c/ca.pem', '--tlscert', '/c/cert.pem', '--tlskey', '/c/key.pem'], none).config;
  assert.deepEqual(c.tls, { cert: '/c/cert.pem', key: '/c/key.pem', ca: '/c/ca.pem', verify: true });
  assert.deepEqual(parseDaemonArgs([...RT, '-H', 'tcp://0.0.0.0:2376', '--tls', '--tlscert', '/c/cert.pem', '--tlskey', '/c/key.pem'], none).config.tls, { cert: '/c/cert.pem', key: '/c/key.pem', ca: undefined, verify: false });
  assert.equal(parseDaemonArgs([...RT, '-H', 'tcp://127.0.0.1:2375'], none).config.tls, undefined, 'loopback may be plain');
  assert.equal(parseDaemonArgs([...RT, '-H', 'tcp://0.0.0.0:2375', '--tls=false'], none).config.tls, undefined, 'explicitly plain');
  const fromFile = files({ '/etc/berth/daemon.json': JSON.stringify({ hosts: ['tcp://0.0.0.0:2376'], tlsverify: true, tlscacert: '/f/ca.pem', tlscert: '/f/cert.pem', tlskey: '/f/key.pem' }) });
  assert.deepEqual(parseDaemonArgs(RT, fromFile).config.tls, { cert: '/f/cert.pem', key: '/f/key.pem', ca: '/f/ca.pem', verify: true });
  const bad: [string[], RegExp][] = [
    [['-H', 'tcp://0.0.0.0:2375'], /refusing to serve the API on tcp:\/\/0\.0\.0\.0:2375 without TLS/],
    [['-H', 'tcp://10.1.2.3:2375'], /without TLS/],
    [['-H', 'tcp://0.0.0.0:2376', '--tlsverify', '--tlscert', '/c', '--tlskey', '/k'], /--tlsverify needs --tlscacert/],
    [['-H', 'tcp://0.0.0.0:2376', '--tls'], /TLS needs --tlscert and --tlskey/],
    [['--tlsverify', '--tlscacert', '/a', '--tlscert', '/c', '--tlskey', '/k'], /need a tcp:\/\/ host/],
  ];
  for (const [argv, re] of bad) {
    assert.throws(() => parseDaemonArgs([...RT, ...argv], none), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && re.test(e.message), argv.join(' '));
  }
});
