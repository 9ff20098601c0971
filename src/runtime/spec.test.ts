import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, MASKED_PATHS, READONLY_PATHS, buildResources, buildSpec, capabilitiesInMask, resolveCapabilities, type SpecOptions } from './spec.js';

const MB = 1024 * 1024;

test('default capabilities are exactly Docker\'s set (moby oci/caps/defaults.go)', () => {
  assert.deepEqual([...DEFAULT_CAPABILITIES].sort(), [
    'CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_MKNOD',
    'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
  ]);
  assert.deepEqual(resolveCapabilities(), DEFAULT_CAPABILITIES);
});

test('resolveCapabilities: cap-add, cap-drop, ALL and privileged', () => {
  const without = (...c: string[]) => DEFAULT_CAPABILITIES.filter((x) => !c.includes(x));
  const cases: { name: string; add?: string[]; drop?: string[]; privileged?: boolean; want: string[] }[] = [
    { name: 'add one', add: ['NET_ADMIN'], want: [...DEFAULT_CAPABILITIES, 'CAP_NET_ADMIN'] },
    { name: 'add with prefix, lower case', add: ['cap_sys_ptrace'], want: [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE'] },
    { name: 'add a default is a no-op', add: ['CHOWN'], want: DEFAULT_CAPABILITIES },
    { name: 'drop one', drop: ['NET_RAW'], want: without('CAP_NET_RAW') },
    { name: 'drop two', drop: ['chown', 'CAP_KILL'], want: without('CAP_CHOWN', 'CAP_KILL') },
    { name: 'drop ALL', drop: ['ALL'], want: [] },
    { name: 'drop ALL, add one', drop: ['ALL'], add: ['NET_BIND_SERVICE'], want: ['CAP_NET_BIND_SERVICE'] },
    { name: 'add ALL', add: ['ALL'], want: ALL_CAPABILITIES },
    { name: 'privileged ignores drops', privileged: true, drop: ['ALL'], want: ALL_CAPABILITIES },
  ];
  for (const c of cases) assert.deepEqual(resolveCapabilities(c.add, c.drop, c.privileged), c.want, c.name);
});

test('resolveCapabilities: --cap-add ALL --cap-drop X keeps all but X (Docker TweakCapabilities)', () => {
  const got = resolveCapabilities(['ALL'], ['NET_ADMIN']);
  assert.deepEqual(got, ALL_CAPABILITIES.filter((c) => c !== 'CAP_NET_ADMIN'));
});

test('resolveCapabilities rejects unknown capabilities', () => {
  for (const [add, drop] of [[['NOPE'], []], [[], ['CAP_FLY']]] as [string[], string[]][]) {
    assert.throws(() => resolveCapabilities(add, drop), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && /invalid capability/.test(e.message));
  }
});

test('capabilities are limited to what the daemon holds (its bounding set)', () => {
  // this machine's CapBnd: everything up to CAP_CHECKPOINT_RESTORE but CAP_SYS_RESOURCE
  const held = capabilitiesInMask('000001fffeffffff');
  assert.equal(held.length, ALL_CAPABILITIES.length - 1);
  assert.ok(!held.includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(capabilitiesInMask('00000000a80425fb').sort(), [...DEFAULT_CAPABILITIES].sort());
  assert.deepEqual(resolveCapabilities([], [], true, held), held);
  assert.deepEqual(resolveCapabilities(['ALL'], ['NET_ADMIN'], false, held), held.filter((c) => c !== 'CAP_NET_ADMIN'));
  assert.throws(() => resolveCapabilities(['SYS_RESOURCE'], [], false, held), /capability CAP_SYS_RESOURCE is not available/);
  assert.deepEqual(resolveCapabilities(['SYS_PTRACE'], [], false, held), [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE']);
});

test('buildSpec: seccomp and the masked/read-only paths', () => {
  const base: SpecOptions = { rootfs: '/r', args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, hostname: 'h', capabilities: DEFAULT_CAPABILITIES, cgroupsPath: 'x/y', cgroupVersion: 1 };
  assert.equal(buildSpec(base).linux.seccomp, undefined);
  const seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
  assert.deepEqual(buildSpec({ ...base, seccomp }).linux.seccomp, seccomp);
  assert.deepEqual(buildSpec({ ...base, systemPathsUnconfined: true }).linux.maskedPaths, []);
  assert.deepEqual(buildSpec({ ...base, systemPathsUnconfined: true }).linux.readonlyPaths, []);
  assert.deepEqual(buildSpec({ ...base, maskedPaths: ['/proc/kcore'], readonlyPaths: [] }).linux.maskedPaths, ['/proc/kcore']);
  assert.deepEqual(buildSpec({ ...base, maskedPaths: ['/proc/kcore'], readonlyPaths: [] }).linux.readonlyPaths, []);
  assert.deepEqual(buildSpec(base).linux.maskedPaths, MASKED_PATHS);
});

test('buildResources: memory, swap, cpus, pids', () => {
  const cases: { name: string; in: Parameters<typeof buildResources>[0]; memory?: object; cpu?: object; pids?: object }[] = [
    { name: 'nothing', in: {} },
    { name: 'memory → swap defaults to 2x', in: { memory: 100 * MB }, memory: { limit: 100 * MB, swap: 200 * MB } },
    { name: 'swap 0 → 2x', in: { memory: 64 * MB, memorySwap: 0 }, memory: { limit: 64 * MB, swap: 128 * MB } },
    { name: 'swap -1 → unlimited', in: { memory: 100 * MB, memorySwap: -1 }, memory: { limit: 100 * MB, swap: -1 } },
    { name: 'explicit swap', in: { memory: 100 * MB, memorySwap: 300 * MB }, memory: { limit: 100 * MB, swap: 300 * MB } },
    { name: 'reservation only', in: { memoryReservation: 10 * MB }, memory: { reservation: 10 * MB } },
    { name: 'oom kill disable', in: { memory: 10 * MB, oomKillDisable: true }, memory: { limit: 10 * MB, swap: 20 * MB, disableOOMKiller: true } },
    { name: '1.5 cpus', in: { nanoCpus: 1.5e9 }, cpu: { period: 100000, quota: 150000 } },
    { name: '0.5 cpus', in: { nanoCpus: 5e8 }, cpu: { period: 100000, quota: 50000 } },
    { name: 'quota without period', in: { cpuQuota: 20000 }, cpu: { quota: 20000, period: 100000 } },
    { name: 'quota and period', in: { cpuQuota: 20000, cpuPeriod: 50000 }, cpu: { quota: 20000, period: 50000 } },
    { name: 'shares and cpuset', in: { cpuShares: 512, cpusetCpus: '0-1' }, cpu: { shares: 512, cpus: '0-1' } },
    { name: 'pids', in: { pidsLimit: 100 }, pids: { limit: 100 } },
    { name: 'pids 0 = unlimited', in: { pidsLimit: 0 } },
    { name: 'pids -1 = unlimited', in: { pidsLimit: -1 } },
  ];
  for (const c of cases) {
    const r = buildResources(c.in);
    assert.deepEqual(r.memory, c.memory, `${c.name}: memory`);
    assert.deepEqual(r.cpu, c.cpu, `${c.name}: cpu`);
    assert.deepEqual(r.pids, c.pids, `${c.name}: pids`);
  }
});

test('buildResources: device cgroup denies all, then allows the standard devices', () => {
  const d = buildResources().devices!;
  assert.deepEqual(d[0], { allow: false, access: 'rwm' });
  const allowed = d.filter((x) => x.allow).map((x) => `${x.type} ${x.major}:${x.minor ?? '*'}`);
  for (const dev of ['c 1:3', 'c 1:5', 'c 1:7', 'c 1:8', 'c 1:9', 'c 5:0', 'c 5:1', 'c 5:2', 'c 136:*', 'c 10:200']) assert.ok(allowed.includes(dev), dev);
  assert.equal(allowed.length, 10);
});

function opts(over: Partial<SpecOptions> = {}): SpecOptions {
  return {
    rootfs: '/r', args: ['sh'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'abc', capabilities: DEFAULT_CAPABILITIES, cgroupsPath: 'berth/x', cgroupVersion: 2, ...over,
  };
}

test('buildSpec: namespaces', () => {
  const cases: { name: string; o: Partial<SpecOptions>; want: { type: string; path?: string }[]; hostname?: string }[] = [
    { name: 'cgroup v2, new netns', o: {}, want: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }, { type: 'cgroup' }], hostname: 'abc' },
    { name: 'cgroup v1: no cgroupns', o: { cgroupVersion: 1 }, want: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }], hostname: 'abc' },
    { name: 'joined netns', o: { netnsPath: '/run/netns/x' }, want: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/x' }, { type: 'cgroup' }], hostname: 'abc' },
    { name: 'host network', o: { hostNetwork: true }, want: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }], hostname: undefined },
  ];
  for (const c of cases) {
    const s = buildSpec(opts(c.o));
    assert.deepEqual(s.linux.namespaces, c.want, c.name);
    assert.equal(s.hostname, c.hostname, c.name);
  }
});

test('buildSpec: unprivileged defaults', () => {
  const s = buildSpec(opts({ resources: { memory: 10 * MB } }));
  assert.deepEqual(s.linux.maskedPaths, MASKED_PATHS);
  assert.deepEqual(s.linux.readonlyPaths, READONLY_PATHS);
  for (const p of ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware']) assert.ok(MASKED_PATHS.includes(p), p);
  for (const p of ['/proc/sys', '/proc/sysrq-trigger', '/proc/irq', '/proc/bus']) assert.ok(READONLY_PATHS.includes(p), p);
  assert.deepEqual(s.process.capabilities.bounding, DEFAULT_CAPABILITIES);
  assert.deepEqual(s.process.capabilities.effective, DEFAULT_CAPABILITIES);
  assert.equal(s.process.user.additionalGids, undefined);
  assert.equal(s.root.readonly, false);
  assert.equal(s.process.terminal, false);
  assert.equal(s.linux.resources?.memory?.limit, 10 * MB);
  assert.equal(s.linux.resources?.devices?.[0].allow, false);
  const sys = s.mounts.find((m) => m.destination === '/sys');
  assert.ok(sys?.options?.includes('ro'));
  const shm = s.mounts.find((m) => m.destination === '/dev/shm');
  assert.ok(shm?.options?.includes('size=67108864'));
  assert.equal(s.linux.sysctl, undefined);
  assert.equal(s.annotations, undefined);
});

test('buildSpec: privileged gets all devices, no masked paths, rw /sys', () => {
  const s = buildSpec(opts({ privileged: true, capabilities: ALL_CAPABILITIES }));
  assert.deepEqual(s.linux.maskedPaths, []);
  assert.deepEqual(s.linux.readonlyPaths, []);
  assert.deepEqual(s.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
  assert.ok(s.mounts.find((m) => m.destination === '/sys')?.options?.includes('rw'));
  assert.ok(s.mounts.find((m) => m.destination === '/sys/fs/cgroup')?.options?.includes('rw'));
});

test('buildSpec: user, extra mounts replace defaults by destination, shm, sysctls, readonly', () => {
  const s = buildSpec(opts({
    user: { uid: 1000, gid: 100, additionalGids: [10, 20] }, readonlyRootfs: true, terminal: true, shmSize: 1024,
    mounts: [{ destination: '/etc/hosts', type: 'bind', source: '/x/hosts', options: ['rbind', 'ro'] }, { destination: '/dev/shm', type: 'bind', source: '/x/shm' }],
    sysctls: { 'net.ipv4.ip_forward': '1' }, annotations: { a: 'b' }, noNewPrivileges: true, oomScoreAdj: 500,
  }));
  assert.deepEqual(s.process.user, { uid: 1000, gid: 100, additionalGids: [10, 20] });
  assert.equal(s.root.readonly, true);
  assert.equal(s.process.terminal, true);
  assert.equal(s.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.equal(s.mounts.find((m) => m.destination === '/dev/shm')?.source, '/x/shm');
  assert.equal(s.mounts.at(-1)?.destination, '/dev/shm');
  assert.ok(s.mounts.some((m) => m.destination === '/etc/hosts'));
  assert.deepEqual(s.linux.sysctl, { 'net.ipv4.ip_forward': '1' });
  assert.deepEqual(s.annotations, { a: 'b' });
  assert.equal(s.process.noNewPrivileges, true);
  assert.equal(s.process.oomScoreAdj, 500);
  assert.equal(buildSpec(opts({ shmSize: 1024 })).mounts.find((m) => m.destination === '/dev/shm')?.options?.at(-1), 'size=1024');
});
