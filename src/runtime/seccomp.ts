/**
 * runtime/seccomp — Docker's seccomp profile format, translated to the OCI
 * spec's `linux.seccomp` for one container, which runc (and crun) compile
 * to BPF with libseccomp.
 *
 * A profile (what `docker run --security-opt seccomp=profile.json` sends:
 * the file's content; berthd's `--seccomp-profile`; berth's own built-in
 * one, runtime/seccomp-default) has `defaultAction`, `defaultErrnoRet`,
 * `archMap` or `architectures`, `flags`, and rules: `name`/`names`,
 * `action`, `errnoRet`, `args`, and `includes`/`excludes` conditions on the
 * container's capabilities (includes: all of them held; excludes: any one),
 * the architecture (Go's names as moby uses them: amd64, x86, arm64, …) and
 * the host kernel (`minKernel`, "major.minor"). Translating keeps the rules
 * whose conditions hold, in order, and the architectures of the host's
 * archMap entry — what moby's `setupSeccomp` does.
 *
 * Pure: inputs in, a spec fragment out.
 *
 * May import: errdefs, oci (types).
 */
import { release } from 'node:os';
import { invalidArgument } from '../errdefs/errors.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from '../oci/runtime-spec.js';

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

// ---- Docker's profile format ------------------------------------------------

const ACTIONS = new Set(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY']);
const OPS = new Set<LinuxSeccompArg['op']>(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);

/** A rule's condition: capabilities held, the host's architecture (Go's name), the host kernel at least "major.minor". */
export interface DockerFilter { caps?: string[]; arches?: string[]; minKernel?: string }
export interface DockerSyscall { name?: string; names?: string[]; action: string; errnoRet?: number; args?: LinuxSeccompArg[] | null; includes?: DockerFilter; excludes?: DockerFilter; comment?: string }
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
  // moby's message
  if (p.architectures?.length && p.archMap?.length) fail("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  for (const [i, s] of (p.syscalls ?? []).entries()) {
    if (!s || typeof s !== 'object') fail(`syscalls[${i}] is not an object`);
    if (s.name && s.names?.length) fail(`syscalls[${i}]: use name or names, not both`);
    const names = s.names?.length ? s.names : s.name ? [s.name] : [];
    if (!names.length || !names.every((n) => typeof n === 'string' && /^[a-z_0-9]+$/.test(n))) fail(`syscalls[${i}]: names must be syscall names`);
    if (!ACTIONS.has(s.action)) fail(`syscalls[${i}]: unknown action ${JSON.stringify(s.action)}`);
    if (s.action === 'SCMP_ACT_NOTIFY') fail(`syscalls[${i}]: SCMP_ACT_NOTIFY is not supported by berth`);
    for (const a of s.args ?? []) {
      if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) fail(`syscalls[${i}]: argument index ${a.index} is not 0-5`);
      if (!OPS.has(a.op)) fail(`syscalls[${i}]: unknown operator ${JSON.stringify(a.op)}`);
      if (typeof a.value !== 'number' || (a.valueTwo !== undefined && typeof a.valueTwo !== 'number')) fail(`syscalls[${i}]: argument values must be numbers`);
    }
    for (const f of [s.includes, s.excludes]) {
      if (f?.minKernel && !(typeof f.minKernel === 'string' && /^\d+\.\d+$/.test(f.minKernel))) fail(`syscalls[${i}]: invalid kernel version ${JSON.stringify(f.minKernel)}, expected "<kernel>.<major>"`);
    }
  }
  return p;
}

/** [major, minor] of a kernel release ("6.18.44-fc" or a minKernel "4.8"), undefined when it is not one. */
export function kernelVersion(text: unknown): [number, number] | undefined {
  const m = typeof text === 'string' ? /^(\d+)\.(\d+)/.exec(text) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const atLeast = (have: [number, number], want: [number, number]) => have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);

/** Go's architecture names (moby's goToNative), which profiles' `arches` conditions use, for a Node `process.arch`. */
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64', mips64el: 'mipsel64', loong64: 'loongarch64' };

/**
 * Translate a Docker-format profile for a container holding `capabilities`,
 * on `arch` (a Node `process.arch`) under kernel `kernelRelease` (`uname -r`).
 */
export function seccompFromDockerProfile(p: DockerSeccompProfile, capabilities: string[], arch: string = process.arch, kernelRelease: string = release()): LinuxSeccomp {
  const caps = new Set(capabilities);
  const native = seccompArchitectures(arch)[0];
  let architectures = p.architectures ?? [];
  if (p.archMap?.length) {
    const own = p.archMap.find((m) => m.architecture === native);
    architectures = own ? [own.architecture, ...(own.subArchitectures ?? [])] : [];
  }
  const goArch = GO_ARCH[arch] ?? arch;
  const kernel = kernelVersion(kernelRelease) ?? [0, 0];
  const minKernel = (f: DockerFilter | undefined) => (f?.minKernel ? kernelVersion(f.minKernel) : undefined);
  const applies = (s: DockerSyscall) => {
    const inc = minKernel(s.includes);
    const exc = minKernel(s.excludes);
    if (s.includes?.caps?.length && !s.includes.caps.every((c) => caps.has(c))) return false;
    if (s.includes?.arches?.length && !s.includes.arches.includes(goArch)) return false;
    if (inc && !atLeast(kernel, inc)) return false;
    if (s.excludes?.caps?.some((c) => caps.has(c))) return false;
    if (s.excludes?.arches?.includes(goArch)) return false;
    if (exc && atLeast(kernel, exc)) return false;
    return true;
  };
  const syscalls: LinuxSyscall[] = (p.syscalls ?? []).filter(applies).map((s) => ({
    names: [...(s.names?.length ? s.names : [s.name!])],
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
