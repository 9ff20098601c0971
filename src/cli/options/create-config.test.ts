import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { isKind } from '../../errdefs/errors.js';
import { addCreateFlags, type CreateFlags } from './create-flags.js';
import { buildCreateRequest, parseDeviceFlag, parseNanoCpus, parseRestartPolicy, parseUlimitFlag } from './create-config.js';
import { expandEnvFlag, parseKvFile } from './kv-file.js';
import { parsePortSpecs } from './port-specs.js';
import { toApiTimestamp } from './timestamp.js';

const FILES: Record<string, string> = {
  'env.list': '# comment\n\nFROM_FILE=1\n  SHARED=file\nHOME_FROM_ENV\nUNSET_VAR\n',
  'labels.list': 'a=file\nbare\n',
  'profile.json': '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": []\n}\n',
  'broken.json': '{ "defaultAction": ',
};

/** Parse argv the way `berth run` does and build the create request. */
function build(argv: string[], env: Record<string, string> = { HOME_FROM_ENV: '/root', FOO: 'bar' }) {
  let out: ReturnType<typeof buildCreateRequest> | undefined;
  const cmd = new Command('run').helpOption('--help').exitOverride().argument('<image>').argument('[command...]').passThroughOptions();
  addCreateFlags(cmd, { run: true });
  cmd.action((image: string, args: string[], flags: CreateFlags) => {
    out = buildCreateRequest({ flags, image, args, env, readFile: (p) => { if (!(p in FILES)) throw new Error(`open ${p}: no such file or directory`); return FILES[p]; } });
  });
  cmd.parse(argv, { from: 'user' });
  return out!;
}

test('options stop at the image: the container gets its own flags', () => {
  const r = build(['-d', 'busybox', 'ls', '-l', '--color']);
  assert.equal(r.config.Image, 'busybox');
  assert.deepEqual(r.config.Cmd, ['ls', '-l', '--color']);
  assert.equal(r.config.AttachStdout, false);
});

test('combined short flags', () => {
  const r = build(['-dit', 'busybox']);
  assert.equal(r.config.Tty, true);
  assert.equal(r.config.OpenStdin, true);
  assert.equal(r.config.AttachStdin, false); // detached
  assert.equal(r.config.Cmd, null);
});

test('env: files first, then -e; bare names from the CLI environment', () => {
  const r = build(['--env-file', 'env.list', '-e', 'SHARED=flag', '-e', 'FOO', '-e', 'NOPE', 'img']);
  assert.deepEqual(r.config.Env, ['FROM_FILE=1', 'SHARED=file', 'HOME_FROM_ENV=/root', 'SHARED=flag', 'FOO=bar', 'NOPE']);
});

test('labels: files then -l, map form', () => {
  const r = build(['--label-file', 'labels.list', '-l', 'a=flag', '--label', 'b=2', 'img']);
  assert.deepEqual(r.config.Labels, { a: 'flag', bare: '', b: '2' });
});

test('resources, user, entrypoint, restart and friends', () => {
  const r = build([
    '-m', '512m', '--memory-swap', '-1', '--cpus', '1.5', '--pids-limit', '100', '-u', '1000:1000', '--entrypoint', '/bin/sh',
    '-w', '/app', '-h', 'box', '--name', 'web', '--restart', 'on-failure:3', '--stop-signal', 'SIGINT', '--stop-timeout', '5',
    '--network', 'host', '--init', '--privileged', '--cap-add', 'NET_ADMIN', '--cap-drop', 'ALL', '-p', '8080:80', '-v', '/data:/data:ro',
    '-v', '/anon', 'img', '-c', 'true',
  ]);
  const c = r.config;
  const h = c.HostConfig!;
  assert.equal(r.name, 'web');
  assert.deepEqual([h.Memory, h.MemorySwap, h.NanoCpus, h.PidsLimit], [512 * 1024 * 1024, -1, 1_500_000_000, 100]);
  assert.deepEqual([c.User, c.Entrypoint, c.Cmd, c.WorkingDir, c.Hostname], ['1000:1000', ['/bin/sh'], ['-c', 'true'], '/app', 'box']);
  assert.deepEqual(h.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual([c.StopSignal, c.StopTimeout, h.NetworkMode, h.Init, h.Privileged], ['SIGINT', 5, 'host', true, true]);
  assert.deepEqual([h.CapAdd, h.CapDrop], [['NET_ADMIN'], ['ALL']]);
  assert.deepEqual(h.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(c.ExposedPorts, { '80/tcp': {} });
  assert.deepEqual(h.Binds, ['/data:/data:ro']);
  assert.deepEqual(c.Volumes, { '/anon': {} });
});

test('--entrypoint "" resets to [""]', () => {
  assert.deepEqual(build(['--entrypoint', '', 'img']).config.Entrypoint, ['']);
});

test('memory units', () => {
  const cases: [string, number][] = [['1024', 1024], ['10b', 10], ['4k', 4096], ['64m', 64 * 1024 ** 2], ['2g', 2 * 1024 ** 3], ['1.5g', 1.5 * 1024 ** 3]];
  for (const [v, want] of cases) assert.equal(build(['-m', v, 'img']).config.HostConfig!.Memory, want, v);
  assert.throws(() => build(['-m', 'lots', 'img']), /invalid argument "lots" for "-m, --memory" flag/);
});

test('cpus to NanoCpus is exact', () => {
  const cases: [string, number][] = [['1', 1e9], ['0.5', 5e8], ['.25', 2.5e8], ['2.000000001', 2_000_000_001], ['0.1', 100_000_000]];
  for (const [v, want] of cases) assert.equal(parseNanoCpus(v), want, v);
  for (const bad of ['abc', '', '1.0000000001', '-1']) assert.throws(() => parseNanoCpus(bad), (e) => isKind(e, 'invalid-argument'), bad);
});

test('restart policies', () => {
  assert.deepEqual(parseRestartPolicy(undefined), { Name: 'no' });
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always' });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped' });
  for (const bad of ['sometimes', 'always:3', 'on-failure:x']) assert.throws(() => parseRestartPolicy(bad), Error, bad);
  assert.throws(() => build(['--rm', '--restart', 'always', 'img']), /cannot specify both --restart and --rm/);
});

test('env-file parsing', () => {
  assert.deepEqual(parseKvFile('\uFEFFA=1\n# c\n  B=x \nC\n', 'f', (k) => (k === 'C' ? 'c' : undefined)), ['A=1', 'B=x ', 'C=c']);
  assert.throws(() => parseKvFile('=1\n', 'f'), /no variable name/);
  assert.throws(() => parseKvFile('A B=1\n', 'f'), /contains whitespaces/);
  assert.equal(expandEnvFlag('X=1', () => 'no'), 'X=1');
  assert.throws(() => expandEnvFlag('=x', () => undefined));
});

test('port specs', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['80', { '80/tcp': [{ HostIp: '', HostPort: '' }] }],
    ['127.0.0.1:8080:80/udp', { '80/udp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] }],
    ['[::1]:8080:80', { '80/tcp': [{ HostIp: '::1', HostPort: '8080' }] }],
    ['8000-8001:80-81', { '80/tcp': [{ HostIp: '', HostPort: '8000' }], '81/tcp': [{ HostIp: '', HostPort: '8001' }] }],
    [':80', { '80/tcp': [{ HostIp: '', HostPort: '' }] }],
  ];
  for (const [spec, want] of cases) assert.deepEqual(parsePortSpecs([spec]).bindings, want, spec);
  for (const bad of ['x', '80/foo', '1:2:3:4', '8000-8002:80-81']) assert.throws(() => parsePortSpecs([bad]), Error, bad);
});

test('logs --since/--until timestamps', () => {
  const now = Date.UTC(2024, 0, 1, 0, 0, 0);
  assert.equal(toApiTimestamp('10m', now), `${now / 1000 - 600}.000000000`);
  assert.equal(toApiTimestamp('1700000000', now), '1700000000');
  assert.equal(toApiTimestamp('2024-01-01T00:00:01Z', now), `${now / 1000 + 1}.000000000`);
  assert.throws(() => toApiTimestamp('yesterday', now));
});

test('healthConfig: --health-* in nanoseconds, --no-healthcheck, conflicts', async () => {
  const { healthConfig } = await import('./create-config.js');
  const base = { capAdd: [], capDrop: [], publish: [], expose: [], volume: [], mount: [], volumesFrom: [], tmpfs: [], dns: [], dnsSearch: [], dnsOption: [], addHost: [], networkAlias: [] } as never as Parameters<typeof healthConfig>[0];
  assert.equal(healthConfig({ ...base }), undefined);
  assert.deepEqual(healthConfig({ ...base, healthCmd: 'curl -f x', healthInterval: '500ms', healthRetries: '2', healthStartPeriod: '1m', healthTimeout: '3s' }),
    { Test: ['CMD-SHELL', 'curl -f x'], Interval: 500_000_000, Timeout: 3_000_000_000, StartPeriod: 60_000_000_000, Retries: 2 });
  assert.deepEqual(healthConfig({ ...base, healthcheck: false }), { Test: ['NONE'] });
  assert.throws(() => healthConfig({ ...base, healthcheck: false, healthCmd: 'x' }), /conflicts/);
  assert.throws(() => healthConfig({ ...base, healthRetries: '-1' }), /negative/);
});

test('--security-opt: seccomp=FILE sends the compacted profile, as the docker CLI; others go as given', () => {
  const r = build(['--security-opt', 'seccomp=profile.json', '--security-opt', 'no-new-privileges', '--security-opt', 'seccomp:unconfined', 'busybox']);
  assert.deepEqual(r.config.HostConfig?.SecurityOpt, ['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}', 'no-new-privileges', 'seccomp=unconfined']);
  assert.equal(build(['busybox']).config.HostConfig?.SecurityOpt, null);
  assert.throws(() => build(['--security-opt', 'seccomp=missing.json', 'busybox']), /opening seccomp profile \(missing\.json\) failed: open missing\.json/);
  assert.throws(() => build(['--security-opt', 'seccomp=broken.json', 'busybox']), /compacting json for seccomp profile \(broken\.json\) failed/);
});

test('--device, --ulimit and the namespace flags, as the docker CLI sends them', () => {
  assert.deepEqual(parseDeviceFlag('/dev/fuse'), { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' });
  assert.deepEqual(parseDeviceFlag('/dev/null:/dev/n'), { PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'rwm' });
  assert.deepEqual(parseDeviceFlag('/dev/null:r'), { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'r' });
  assert.deepEqual(parseDeviceFlag('/dev/null:/dev/n:rw'), { PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'rw' });
  assert.throws(() => parseDeviceFlag('dev/null'), /not an absolute path/);
  assert.throws(() => parseDeviceFlag('/dev/null:/dev/n:rwx'), /invalid device mode/);
  assert.deepEqual(parseUlimitFlag('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  assert.deepEqual(parseUlimitFlag('nproc=500'), { Name: 'nproc', Soft: 500, Hard: 500 });
  assert.throws(() => parseUlimitFlag('nofile=9:5'), /soft limit must be less than hard limit/);
  assert.throws(() => parseUlimitFlag('nofile'), /invalid ulimit argument/);
  const hc = build(['--pid', 'host', '--ipc', 'shareable', '--uts', 'host', '--cgroupns', 'private', '--device', '/dev/fuse', '--ulimit', 'nofile=10:20', '--sysctl', 'net.core.somaxconn=1024', '--group-add', 'audio', '-c', '512', '--cpuset-cpus', '0', 'busybox']).config.HostConfig!;
  assert.equal(hc.PidMode, 'host');
  assert.equal(hc.IpcMode, 'shareable');
  assert.equal(hc.UTSMode, 'host');
  assert.equal(hc.CgroupnsMode, 'private');
  assert.deepEqual(hc.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }]);
  assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }]);
  assert.deepEqual(hc.Sysctls, { 'net.core.somaxconn': '1024' });
  assert.deepEqual(hc.GroupAdd, ['audio']);
  assert.equal(hc.CpuShares, 512);
  assert.equal(hc.CpusetCpus, '0');
});
