import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinuxSeccomp } from '../oci/runtime-spec.js';
import { BUILTIN_SECCOMP_PROFILE, CLONE_NAMESPACE_FLAGS, defaultSeccomp } from './seccomp-default.js';
import { parseDockerSeccompProfile, seccompFromDockerProfile } from './seccomp.js';
import { DEFAULT_CAPABILITIES } from './spec.js';

const KERNEL = '6.18.44-fc-v1045';
const build = (caps: string[] = [], arch = 'x64', kernel = KERNEL) => defaultSeccomp([...DEFAULT_CAPABILITIES, ...caps], arch, kernel);
/** Names allowed whatever their arguments. */
const allowed = (s: LinuxSeccomp) => new Set(s.syscalls!.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
/** Names some rule mentions at all. */
const named = (s: LinuxSeccomp) => new Set(s.syscalls!.flatMap((r) => r.names));

test('built-in profile: an allow-list, EPERM by default (moby default.json), on x86_64 with x86 and x32', () => {
  const s = build();
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 1);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(build([], 'arm64').architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  const ok = allowed(s);
  for (const n of ['read', 'write', 'openat', 'execve', 'futex', 'futex_waitv', 'epoll_pwait2', 'io_setup', 'close_range', 'clock_adjtime', 'name_to_handle_at',
    'landlock_create_ruleset', 'statx', 'ptrace', 'process_vm_readv', 'chroot', 'arch_prctl', 'modify_ldt', 'socketcall', 'pidfd_open', 'seccomp']) {
    assert.ok(ok.has(n), n);
  }
  // refused by default: on no rule at all (the default action answers EPERM) ...
  const any = named(s);
  for (const n of ['keyctl', 'add_key', 'request_key', 'io_uring_setup', 'io_uring_enter', 'userfaultfd', 'mount', 'umount2', 'unshare', 'setns', 'pivot_root',
    'fsopen', 'bpf', 'perf_event_open', 'init_module', 'kexec_load', 'reboot', 'clock_settime', 'settimeofday', 'open_by_handle_at', 'syslog',
    'sethostname', 'acct', 'iopl', 'kcmp', 'mbind', 'vhangup', 'uselib', 'afs_syscall', 'lsm_list_modules']) {
    assert.ok(!any.has(n), n);
  }
  // ... or only with arguments
  for (const n of ['socket', 'personality', 'clone']) assert.ok(any.has(n) && !ok.has(n), n);
});

test('built-in profile: the argument conditions — socket without AF_ALG/AF_VSOCK, five personas, clone without namespace flags, clone3 ENOSYS', () => {
  const s = build();
  const rules = (name: string) => s.syscalls!.filter((r) => r.names.includes(name));
  assert.deepEqual(rules('socket').map((r) => r.args), [
    [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }], [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }], [{ index: 0, value: 40, op: 'SCMP_CMP_GT' }],
  ]);
  assert.deepEqual(rules('personality').map((r) => r.args![0].value), [0, 8, 0x20000, 0x20008, 0xffffffff]);
  assert.equal(CLONE_NAMESPACE_FLAGS, 0x7e020000);
  assert.deepEqual(rules('clone').map((r) => r.args), [[{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
  assert.deepEqual(rules('clone3'), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  // s390 passes clone's flags second
  assert.deepEqual(build([], 's390x').syscalls!.filter((r) => r.names.includes('clone')).map((r) => r.args![0].index), [1]);
});

test('built-in profile: each gating capability lets its syscalls through, as in Docker', () => {
  const table: [string, string[]][] = [
    ['CAP_SYS_ADMIN', ['mount', 'umount2', 'unshare', 'setns', 'clone', 'clone3', 'fsopen', 'open_tree', 'bpf', 'perf_event_open', 'sethostname', 'syslog', 'quotactl']],
    ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise']],
    ['CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']],
    ['CAP_SYS_BOOT', ['reboot']],
    ['CAP_SYS_TIME', ['settimeofday', 'clock_settime']],
    ['CAP_SYS_NICE', ['mbind', 'set_mempolicy', 'get_mempolicy', 'set_mempolicy_home_node']],
    ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
    ['CAP_SYS_PACCT', ['acct']],
    ['CAP_SYS_TTY_CONFIG', ['vhangup']],
    ['CAP_SYSLOG', ['syslog']],
    ['CAP_BPF', ['bpf']],
    ['CAP_PERFMON', ['perf_event_open']],
    ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  ];
  const base = allowed(build());
  for (const [cap, names] of table) {
    const ok = allowed(build([cap]));
    for (const n of names) {
      assert.ok(ok.has(n), `${cap} allows ${n}`);
      assert.ok(!base.has(n), `${n} needs ${cap}`);
    }
  }
  // CAP_SYS_ADMIN drops the clone condition and the clone3 ENOSYS; keyrings stay refused with every capability
  const admin = build(['CAP_SYS_ADMIN']);
  assert.equal(admin.syscalls!.some((r) => r.names.includes('clone') && r.args), false);
  assert.equal(admin.syscalls!.some((r) => r.action !== 'SCMP_ACT_ALLOW'), false);
  const everything = named(build(['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_MODULE', 'CAP_SYS_BOOT', 'CAP_SYS_TIME', 'CAP_SYS_NICE', 'CAP_BPF']));
  for (const n of ['keyctl', 'add_key', 'request_key', 'io_uring_setup', 'userfaultfd', 'kexec_load']) assert.ok(!everything.has(n), n);
  // chroot is in Docker's default capability set; dropping it drops chroot
  assert.ok(!allowed(defaultSeccomp(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT'), 'x64', KERNEL)).has('chroot'));
});

test('built-in profile: architecture- and kernel-conditioned rules', () => {
  const x64 = allowed(build());
  const arm64 = allowed(build([], 'arm64'));
  assert.ok(x64.has('arch_prctl') && !arm64.has('arch_prctl'));
  assert.ok(arm64.has('cacheflush') && arm64.has('set_tls') && !x64.has('cacheflush'));
  assert.ok(allowed(build([], 'riscv64')).has('riscv_flush_icache'));
  // ptrace and process_vm_* need kernel 4.8 (before, ptrace could bypass seccomp) unless CAP_SYS_PTRACE
  const old = allowed(build([], 'x64', '4.4.0-210-generic'));
  assert.ok(!old.has('ptrace') && !old.has('process_vm_readv'));
  assert.ok(allowed(build(['CAP_SYS_PTRACE'], 'x64', '4.4.0')).has('ptrace'));
});

test('built-in profile: a well-formed table — names once, Docker-format JSON that parses and translates the same', () => {
  const everyday = BUILTIN_SECCOMP_PROFILE.syscalls![0].names!;
  assert.ok(everyday.length > 350, `${everyday.length} everyday names`);
  assert.equal(new Set(everyday).size, everyday.length);
  for (const r of BUILTIN_SECCOMP_PROFILE.syscalls!) {
    for (const n of r.names!) assert.match(n, /^[a-z_][a-z0-9_]*$/);
    for (const c of [...(r.includes?.caps ?? []), ...(r.excludes?.caps ?? [])]) assert.match(c, /^CAP_[A-Z_]+$/);
  }
  const parsed = parseDockerSeccompProfile(JSON.stringify(BUILTIN_SECCOMP_PROFILE));
  for (const caps of [DEFAULT_CAPABILITIES, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']]) {
    assert.deepEqual(seccompFromDockerProfile(parsed, caps, 'x64', KERNEL), defaultSeccomp(caps, 'x64', KERNEL));
  }
});
