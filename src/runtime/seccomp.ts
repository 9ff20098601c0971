/**
 * runtime/seccomp — the seccomp filter of a container, as the OCI spec's
 * `linux.seccomp`, which runc (and crun) compile to BPF with libseccomp.
 *
 * - The **default profile** refuses, with EPERM, the syscalls Docker's
 *   documentation lists as blocked by its default profile ("Significant
 *   syscalls blocked by the default profile"): kernel keyrings, modules,
 *   kexec, clock setting, mount and namespace syscalls, NUMA policy, raw I/O,
 *   cross-process memory access, io_uring, … Most of them are let through
 *   when the container holds the capability that gates them, as Docker does
 *   (`--cap-add SYS_ADMIN` allows mount, unshare, setns, the new mount API
 *   and clone with namespace flags). `clone` is refused only with namespace
 *   flags (one rule per flag bit); `clone3`, whose flags sit in memory a
 *   filter cannot read, answers ENOSYS so libc falls back to `clone`.
 *   Unlike Docker's allow-list, this is a deny-list: syscalls newer than
 *   the list are allowed. `personality` is not restricted.
 * - A **custom profile** in Docker's JSON format (what `docker run
 *   --security-opt seccomp=profile.json` sends: the file's content) is
 *   translated: `name`/`names`, `action`, `errnoRet`, `args`,
 *   `includes`/`excludes` on capabilities and architectures, `archMap` or
 *   `architectures`, `defaultAction`, `defaultErrnoRet`, `flags`.
 *
 * Pure: inputs in, a spec fragment out.
 *
 * May import: errdefs, oci (types).
 */
import { invalidArgument } from '../errdefs/errors.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from '../oci/runtime-spec.js';

const EPERM = 1;
const ENOSYS = 38;

/** libseccomp architecture names for a Node `process.arch`, native first (Docker's archMap). */
export function seccompArchitectures(arch: string = process.arch): string[] {
  switch (arch) {
    case 'x64': return ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
    case 'ia32': return ['SCMP_ARCH_X86'];
    case 'arm64': return ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];
    case 'arm': return ['SCMP_ARCH_ARM'];
    case 'ppc64': return ['SCMP_ARCH_PPC64LE'];
    case 's390x': return ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390'];
    case 'riscv64': return ['SCMP_ARCH_RISCV64'];
    case 'mips64el': return ['SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_MIPSEL'];
    default: return [];
  }
}

/** Syscalls the default profile refuses, each group with the capabilities that let it through (any one; none = always refused). */
export const DEFAULT_DENIED: { syscalls: string[]; unlessCaps: string[]; why: string }[] = [
  { syscalls: ['add_key', 'keyctl', 'request_key'], unlessCaps: [], why: 'kernel keyrings are not namespaced' },
  { syscalls: ['create_module', 'get_kernel_syms', 'query_module', 'nfsservctl', 'uselib', 'ustat', 'sysfs', '_sysctl'], unlessCaps: [], why: 'obsolete' },
  { syscalls: ['userfaultfd'], unlessCaps: [], why: 'userspace page-fault handling' },
  { syscalls: ['io_uring_setup', 'io_uring_enter', 'io_uring_register'], unlessCaps: [], why: 'io_uring bypasses syscall filtering' },
  { syscalls: ['acct'], unlessCaps: ['CAP_SYS_PACCT'], why: 'process accounting' },
  { syscalls: ['bpf'], unlessCaps: ['CAP_SYS_ADMIN', 'CAP_BPF'], why: 'BPF programs reach kernel memory' },
  { syscalls: ['perf_event_open'], unlessCaps: ['CAP_SYS_ADMIN', 'CAP_PERFMON'], why: 'tracing leaks host information' },
  { syscalls: ['clock_adjtime', 'clock_settime', 'settimeofday', 'stime'], unlessCaps: ['CAP_SYS_TIME'], why: 'time is not namespaced' },
  { syscalls: ['delete_module', 'init_module', 'finit_module'], unlessCaps: ['CAP_SYS_MODULE'], why: 'kernel modules' },
  { syscalls: ['get_mempolicy', 'mbind', 'set_mempolicy', 'move_pages'], unlessCaps: ['CAP_SYS_NICE'], why: 'NUMA policy of host memory' },
  { syscalls: ['ioperm', 'iopl'], unlessCaps: ['CAP_SYS_RAWIO'], why: 'raw I/O ports' },
  { syscalls: ['kcmp', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd'], unlessCaps: ['CAP_SYS_PTRACE'], why: 'inspecting other processes' },
  { syscalls: ['kexec_file_load', 'kexec_load', 'reboot'], unlessCaps: ['CAP_SYS_BOOT'], why: 'booting another kernel' },
  { syscalls: ['open_by_handle_at'], unlessCaps: ['CAP_DAC_READ_SEARCH'], why: 'file handles reach outside the root' },
  { syscalls: ['syslog'], unlessCaps: ['CAP_SYSLOG'], why: 'the kernel log' },
  { syscalls: ['vhangup'], unlessCaps: ['CAP_SYS_TTY_CONFIG'], why: 'terminal hang-up' },
  {
    syscalls: ['mount', 'umount', 'umount2', 'unshare', 'setns', 'pivot_root', 'swapon', 'swapoff', 'quotactl', 'quotactl_fd', 'lookup_dcookie',
      'fanotify_init', 'name_to_handle_at', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr', 'vm86', 'vm86old'],
    unlessCaps: ['CAP_SYS_ADMIN'],
    why: 'mounts and namespaces',
  },
];

/** clone(2) flags that create namespaces (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET). */
export const CLONE_NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

/** The default profile for a container holding `capabilities` (CAP_* names). */
export function defaultSeccomp(capabilities: string[], arch: string = process.arch): LinuxSeccomp {
  const caps = new Set(capabilities);
  const denied = DEFAULT_DENIED.filter((g) => !g.unlessCaps.some((c) => caps.has(c))).flatMap((g) => g.syscalls);
  const syscalls: LinuxSyscall[] = [{ names: denied, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  if (!caps.has('CAP_SYS_ADMIN')) {
    // s390 passes clone's flags second
    const index = arch === 's390x' ? 1 : 0;
    for (const bit of CLONE_NAMESPACE_FLAGS) {
      syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index, value: bit, valueTwo: bit, op: 'SCMP_CMP_MASKED_EQ' }] });
    }
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: seccompArchitectures(arch), syscalls };
}

// ---- Docker's profile format ------------------------------------------------

const ACTIONS = new Set(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY']);
const OPS = new Set<LinuxSeccompArg['op']>(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);

interface DockerFilter { caps?: string[]; arches?: string[]; minKernel?: string }
interface DockerSyscall { name?: string; names?: string[]; action: string; errnoRet?: number; args?: LinuxSeccompArg[] | null; includes?: DockerFilter; excludes?: DockerFilter; comment?: string }
/** Docker's seccomp profile (moby `profiles/seccomp` types), as `docker run --security-opt seccomp=FILE` sends it. */
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[] | null;
  syscalls?: DockerSyscall[] | null;
  flags?: string[];
  listenerPath?: string;
}

function fail(msg: string): never {
  throw invalidArgument(`decoding seccomp profile failed: ${msg}`);
}

/** Parse and check a Docker-format profile (JSON text). Throws invalid-argument with what is wrong. */
export function parseDockerSeccompProfile(text: string): DockerSeccompProfile {
  let p: DockerSeccompProfile;
  try { p = JSON.parse(text) as DockerSeccompProfile; } catch (e) { fail((e as Error).message); }
  if (!p || typeof p !== 'object' || Array.isArray(p)) fail('the profile must be a JSON object');
  if (!ACTIONS.has(p.defaultAction)) fail(`unknown defaultAction ${JSON.stringify(p.defaultAction)}`);
  if (p.listenerPath) fail('seccomp notify listeners (listenerPath) are not supported by berth');
  for (const [i, s] of (p.syscalls ?? []).entries()) {
    if (!s || typeof s !== 'object') fail(`syscalls[${i}] is not an object`);
    if (s.name && s.names?.length) fail(`syscalls[${i}]: use name or names, not both`);
    const names = s.names ?? (s.name ? [s.name] : []);
    if (!names.length || !names.every((n) => typeof n === 'string' && /^[a-z_0-9]+$/.test(n))) fail(`syscalls[${i}]: names must be syscall names`);
    if (!ACTIONS.has(s.action)) fail(`syscalls[${i}]: unknown action ${JSON.stringify(s.action)}`);
    if (s.action === 'SCMP_ACT_NOTIFY') fail(`syscalls[${i}]: SCMP_ACT_NOTIFY is not supported by berth`);
    for (const a of s.args ?? []) {
      if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) fail(`syscalls[${i}]: argument index ${a.index} is not 0-5`);
      if (!OPS.has(a.op)) fail(`syscalls[${i}]: unknown operator ${JSON.stringify(a.op)}`);
      if (typeof a.value !== 'number' || (a.valueTwo !== undefined && typeof a.valueTwo !== 'number')) fail(`syscalls[${i}]: argument values must be numbers`);
    }
  }
  return p;
}

/** Translate a Docker-format profile for a container holding `capabilities`, on `arch`. */
export function seccompFromDockerProfile(p: DockerSeccompProfile, capabilities: string[], arch: string = process.arch): LinuxSeccomp {
  const caps = new Set(capabilities);
  const native = seccompArchitectures(arch)[0];
  let architectures = p.architectures ?? [];
  if (p.archMap?.length) {
    const own = p.archMap.find((m) => m.architecture === native);
    architectures = own ? [own.architecture, ...(own.subArchitectures ?? [])] : [];
  }
  const goArch = ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
  const applies = (s: DockerSyscall) => {
    if (s.includes?.caps?.length && !s.includes.caps.every((c) => caps.has(c))) return false;
    if (s.includes?.arches?.length && !s.includes.arches.includes(goArch)) return false;
    if (s.excludes?.caps?.some((c) => caps.has(c))) return false;
    if (s.excludes?.arches?.includes(goArch)) return false;
    return true;
  };
  const syscalls: LinuxSyscall[] = (p.syscalls ?? []).filter(applies).map((s) => ({
    names: s.names ?? [s.name!],
    action: s.action,
    ...(s.errnoRet !== undefined ? { errnoRet: s.errnoRet } : {}),
    ...(s.args?.length ? { args: s.args.map((a) => ({ index: a.index, value: a.value, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo } : {}), op: a.op })) } : {}),
  }));
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    ...(architectures.length ? { architectures } : {}),
    ...(p.flags?.length ? { flags: p.flags } : {}),
    syscalls,
  };
}
