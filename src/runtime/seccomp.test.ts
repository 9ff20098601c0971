import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { CLONE_NAMESPACE_FLAGS, DEFAULT_DENIED, defaultSeccomp, parseDockerSeccompProfile, seccompArchitectures, seccompFromDockerProfile } from './seccomp.js';
import { DEFAULT_CAPABILITIES } from './spec.js';

const denied = (s: ReturnType<typeof defaultSeccomp>) => s.syscalls!.filter((r) => !r.args && r.errnoRet === 1).flatMap((r) => r.names);

test('default profile: allow by default, EPERM for the documented set, on the host architectures', () => {
  const s = defaultSeccomp(DEFAULT_CAPABILITIES, 'x64');
  assert.equal(s.defaultAction, 'SCMP_ACT_ALLOW');
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const names = denied(s);
  for (const n of ['mount', 'umount2', 'unshare', 'setns', 'keyctl', 'add_key', 'bpf', 'perf_event_open', 'init_module', 'kexec_load', 'reboot', 'clock_settime', 'settimeofday', 'io_uring_setup', 'open_by_handle_at']) {
    assert.ok(names.includes(n), n);
  }
  // everyday syscalls and ptrace (kernel ≥ 4.8) are allowed
  for (const n of ['read', 'write', 'openat', 'clone', 'execve', 'ptrace', 'personality', 'chroot']) assert.ok(!names.includes(n), n);
  // no name twice
  assert.equal(new Set(names).size, names.length);
});

test('default profile: clone with a namespace flag is EPERM (one masked rule per flag), clone3 is ENOSYS', () => {
  const s = defaultSeccomp(DEFAULT_CAPABILITIES, 'x64');
  const clone = s.syscalls!.filter((r) => r.names.includes('clone'));
  assert.equal(clone.length, CLONE_NAMESPACE_FLAGS.length);
  for (const [i, r] of clone.entries()) {
    assert.deepEqual(r.args, [{ index: 0, value: CLONE_NAMESPACE_FLAGS[i], valueTwo: CLONE_NAMESPACE_FLAGS[i], op: 'SCMP_CMP_MASKED_EQ' }]);
    assert.equal(r.errnoRet, 1);
  }
  assert.equal(CLONE_NAMESPACE_FLAGS.reduce((a, b) => a | b, 0), 0x7e020000);
  assert.deepEqual(s.syscalls!.find((r) => r.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  // s390x passes the flags second
  assert.equal(defaultSeccomp(DEFAULT_CAPABILITIES, 's390x').syscalls!.find((r) => r.names.includes('clone'))!.args![0].index, 1);
});

test('default profile: the gating capability lets its syscalls through', () => {
  const admin = defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'x64');
  const names = denied(admin);
  for (const n of ['mount', 'unshare', 'setns', 'bpf', 'perf_event_open', 'fsopen']) assert.ok(!names.includes(n), n);
  assert.ok(names.includes('keyctl'), 'keyrings stay refused');
  assert.ok(names.includes('init_module'), 'modules need CAP_SYS_MODULE');
  assert.equal(admin.syscalls!.some((r) => r.names.includes('clone') || r.names.includes('clone3')), false);
  const time = denied(defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_SYS_TIME'], 'x64'));
  assert.ok(!time.includes('settimeofday') && !time.includes('clock_settime'));
  const bpf = denied(defaultSeccomp([...DEFAULT_CAPABILITIES, 'CAP_BPF'], 'x64'));
  assert.ok(!bpf.includes('bpf') && bpf.includes('mount'));
  // every group is either always refused or names real capabilities
  for (const g of DEFAULT_DENIED) for (const c of g.unlessCaps) assert.match(c, /^CAP_[A-Z_]+$/);
});

test('architectures per Node arch', () => {
  assert.deepEqual(seccompArchitectures('arm64'), ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.deepEqual(seccompArchitectures('riscv64'), ['SCMP_ARCH_RISCV64']);
  assert.deepEqual(seccompArchitectures('sparc'), []);
});

const PROFILE = JSON.stringify({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }, { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] }],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { name: 'personality', action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['sync_file_range2'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['ppc64le'] } },
  ],
});

test("Docker's profile format: archMap, caps and arches conditions, args and errno", () => {
  const p = parseDockerSeccompProfile(PROFILE);
  const plain = seccompFromDockerProfile(p, DEFAULT_CAPABILITIES, 'x64');
  assert.equal(plain.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(plain.defaultErrnoRet, 1);
  assert.deepEqual(plain.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(plain.syscalls!.map((s) => s.names[0]), ['read', 'personality', 'clone', 'arch_prctl']);
  assert.deepEqual(plain.syscalls![1].args, [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }]);
  assert.deepEqual(plain.syscalls![2].args, [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  const admin = seccompFromDockerProfile(p, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'arm64');
  assert.deepEqual(admin.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.deepEqual(admin.syscalls!.map((s) => s.names[0]), ['read', 'personality', 'mount']);
});

test('bad profiles say what is wrong', () => {
  const bad: [string, RegExp][] = [
    ['{oops', /^decoding seccomp profile failed: /],
    ['[]', /must be a JSON object/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_NOPE' }), /unknown defaultAction/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ERRNO' }] }), /syscalls\[0\]: names/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ERRNO' }] }), /not both/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_BOOM' }] }), /unknown action/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }), /index 6/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'EQ' }] }] }), /unknown operator/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/x.sock' }), /not supported/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseDockerSeccompProfile(text), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && re.test(e.message), text);
  }
});
