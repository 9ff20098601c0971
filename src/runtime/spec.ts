/**
 * runtime/spec — generate the OCI runtime spec (config.json) for a container
 * with Docker's defaults: the default capability set, masked and read-only
 * /proc and /sys paths, the standard /dev mounts, pid/mount/uts/ipc/net
 * namespaces, cgroup resources, the seccomp filter it is given
 * (runtime/seccomp). Pure: all inputs in, a spec out.
 */
import { invalidArgument } from '../errdefs/errors.js';
import type { DeviceCgroup, Mount, RuntimeSpec, LinuxResources, LinuxSeccomp } from '../oci/runtime-spec.js';

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys',
  '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug',
  '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function normCap(c: string): string {
  const u = c.toUpperCase();
  return u === 'ALL' ? 'ALL' : u.startsWith('CAP_') ? u : `CAP_${u}`;
}

/**
 * The capabilities in a `CapBnd:` mask of /proc/<pid>/status (ALL_CAPABILITIES
 * is in bit order). A process cannot grant what is not in its own bounding set.
 */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/**
 * Docker's TweakCapabilities: defaults, then drops, then adds ("ALL" allowed
 * in both). `available` is what the daemon itself holds (its bounding set):
 * `--privileged` and ALL get those, naming another one is refused.
 */
export function resolveCapabilities(add: string[] = [], drop: string[] = [], privileged = false, available: readonly string[] = ALL_CAPABILITIES): string[] {
  if (privileged) return ALL_CAPABILITIES.filter((c) => available.includes(c));
  const a = add.map(normCap);
  const d = drop.map(normCap);
  for (const c of [...a, ...d]) {
    if (c !== 'ALL' && !ALL_CAPABILITIES.includes(c)) throw invalidArgument(`invalid capability: ${c}`);
  }
  for (const c of a) {
    if (c !== 'ALL' && !available.includes(c)) throw invalidArgument(`capability ${c} is not available: it is not in berthd's own bounding set on this host`);
  }
  let caps = d.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !d.includes(c) && available.includes(c));
  if (a.includes('ALL')) caps = ALL_CAPABILITIES.filter((c) => !d.includes(c) && available.includes(c));
  else for (const c of a) if (!caps.includes(c)) caps.push(c);
  return caps;
}

/** A device node made in the container (and allowed in its device cgroup with `access`). */
export interface SpecDevice { path: string; type: 'c' | 'b'; major: number; minor: number; fileMode?: number; uid?: number; gid?: number; access: string }

/** Namespaces shared with the host or another container, devices and rlimits (engine/isolation-modes). */
export interface SpecIsolation {
  /** 'host' = no pid namespace of its own; a path = join that one */
  pid?: 'host' | { path: string };
  ipc?: 'host' | { path: string };
  uts?: 'host';
  /** a cgroup namespace of its own (default: on cgroup v2 only) */
  cgroupns?: boolean;
  /** /dev/shm: none at all, or a bind of another one (the host's, another container's) */
  shm?: 'none' | { bind: string };
  devices?: SpecDevice[];
  deviceRules?: DeviceCgroup[];
  rlimits?: { type: string; soft: number; hard: number }[];
}

export interface SpecResources {
  /** bytes; 0 = unlimited */
  memory?: number;
  /** memory+swap bytes; -1 unlimited; 0 = Docker default (2 x memory) */
  memorySwap?: number;
  memoryReservation?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
  oomKillDisable?: boolean;
}

export interface SpecOptions {
  rootfs: string;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  hostname: string;
  capabilities: string[];
  privileged?: boolean;
  readonlyRootfs?: boolean;
  terminal?: boolean;
  /** Extra mounts (e.g. /etc/hosts binds), applied after the defaults. */
  mounts?: Mount[];
  resources?: SpecResources;
  cgroupsPath: string;
  /** `cgroupns` is used only on cgroup v2, as Docker does ("private" default there). */
  cgroupVersion: 1 | 2;
  /** Path of an existing network namespace to join; undefined = a new one (loopback only). */
  netnsPath?: string;
  hostNetwork?: boolean;
  shmSize?: number;
  sysctls?: Record<string, string>;
  oomScoreAdj?: number;
  noNewPrivileges?: boolean;
  /** The seccomp filter (runtime/seccomp); undefined = none. */
  seccomp?: LinuxSeccomp;
  /** `--security-opt systempaths=unconfined`: no masked or read-only /proc and /sys paths. */
  systemPathsUnconfined?: boolean;
  isolation?: SpecIsolation;
  /** HostConfig.MaskedPaths / ReadonlyPaths: replace the defaults when given. */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  annotations?: Record<string, string>;
}

export function buildResources(r: SpecResources = {}): LinuxResources {
  const res: LinuxResources = {
    devices: [
      { allow: false, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
      { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
      { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
      { allow: true, type: 'c', major: 136, access: 'rwm' },
      { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
      { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
      { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
    ],
  };
  if (r.memory && r.memory > 0) {
    res.memory = { limit: r.memory };
    // Docker: MemorySwap 0/unset → twice the memory; -1 → unlimited swap.
    if (r.memorySwap === -1) res.memory.swap = -1;
    else if (r.memorySwap && r.memorySwap > 0) res.memory.swap = r.memorySwap;
    else res.memory.swap = r.memory * 2;
  }
  if (r.memoryReservation) res.memory = { ...res.memory, reservation: r.memoryReservation };
  if (r.oomKillDisable) res.memory = { ...res.memory, disableOOMKiller: true };
  if (r.nanoCpus && r.nanoCpus > 0) {
    const period = 100000;
    res.cpu = { period, quota: Math.round((r.nanoCpus * period) / 1e9) };
  } else if (r.cpuQuota && r.cpuQuota > 0) {
    res.cpu = { quota: r.cpuQuota, period: r.cpuPeriod || 100000 };
  }
  if (r.cpuShares) res.cpu = { ...res.cpu, shares: r.cpuShares };
  if (r.cpusetCpus) res.cpu = { ...res.cpu, cpus: r.cpusetCpus };
  if (r.pidsLimit && r.pidsLimit > 0) res.pids = { limit: r.pidsLimit };
  return res;
}

export function buildSpec(o: SpecOptions): RuntimeSpec {
  const mounts: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', o.privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', o.privileged ? 'rw' : 'ro'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${o.shmSize ?? 67108864}`] },
  ];
  const iso = o.isolation ?? {};
  if (iso.shm) {
    const i = mounts.findIndex((x) => x.destination === '/dev/shm');
    mounts.splice(i, 1);
    if (iso.shm !== 'none') mounts.push({ destination: '/dev/shm', type: 'bind', source: iso.shm.bind, options: ['rbind', 'rprivate'] });
  }
  for (const m of o.mounts ?? []) {
    const i = mounts.findIndex((x) => x.destination === m.destination);
    if (i >= 0) mounts.splice(i, 1);
    mounts.push(m);
  }
  const shared = (kind: 'pid' | 'ipc', v: 'host' | { path: string } | undefined) => (v === 'host' ? [] : [v ? { type: kind, path: v.path } : { type: kind }]);
  const namespaces: { type: string; path?: string }[] = [...shared('pid', iso.pid), ...shared('ipc', iso.ipc), ...(iso.uts === 'host' ? [] : [{ type: 'uts' }]), { type: 'mount' }];
  if (!o.hostNetwork) namespaces.push(o.netnsPath ? { type: 'network', path: o.netnsPath } : { type: 'network' });
  if (iso.cgroupns ?? o.cgroupVersion === 2) namespaces.push({ type: 'cgroup' });
  const caps = o.capabilities;
  const resources = o.privileged ? { ...buildResources(o.resources), devices: [{ allow: true, access: 'rwm' }] } : buildResources(o.resources);
  if (!o.privileged) {
    for (const d of iso.devices ?? []) resources.devices!.push({ allow: true, type: d.type, major: d.major, minor: d.minor, access: d.access });
    resources.devices!.push(...(iso.deviceRules ?? []));
  }
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: !!o.terminal,
      user: { uid: o.user.uid, gid: o.user.gid, ...(o.user.additionalGids.length ? { additionalGids: o.user.additionalGids } : {}) },
      args: o.args,
      env: o.env,
      cwd: o.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: !!o.noNewPrivileges,
      oomScoreAdj: o.oomScoreAdj ?? 0,
      ...(iso.rlimits?.length ? { rlimits: iso.rlimits } : {}),
    },
    root: { path: o.rootfs, readonly: !!o.readonlyRootfs },
    hostname: o.hostNetwork || iso.uts === 'host' ? undefined : o.hostname,
    mounts,
    linux: {
      namespaces,
      resources,
      ...(iso.devices?.length ? { devices: iso.devices.map(({ access: _a, ...dev }) => dev) } : {}),
      cgroupsPath: o.cgroupsPath,
      maskedPaths: o.privileged || o.systemPathsUnconfined ? [] : o.maskedPaths ?? MASKED_PATHS,
      readonlyPaths: o.privileged || o.systemPathsUnconfined ? [] : o.readonlyPaths ?? READONLY_PATHS,
      ...(o.sysctls && Object.keys(o.sysctls).length ? { sysctl: o.sysctls } : {}),
      ...(o.seccomp ? { seccomp: o.seccomp } : {}),
    },
    ...(o.annotations ? { annotations: o.annotations } : {}),
  };
}
