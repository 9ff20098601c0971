import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { kernelVersion, parseDockerSeccompProfile, seccompArchitectures, seccompFromDockerProfile } from './seccomp.js';
import { DEFAULT_CAPABILITIES } from './spec.js';

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
    { names: ['modify_ldt'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['x86'] } },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
    { names: ['kcmp'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.10' } },
  ],
});

test("Docker's profile format: archMap, caps and arches conditions, args and errno", () => {
  const p = parseDockerSeccompProfile(PROFILE);
  const plain = seccompFromDockerProfile(p, DEFAULT_CAPABILITIES, 'x64', '6.18.44');
  assert.equal(plain.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(plain.defaultErrnoRet, 1);
  assert.deepEqual(plain.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(plain.syscalls!.map((s) => s.names[0]), ['read', 'personality', 'clone', 'arch_prctl', 'ptrace']);
  assert.deepEqual(plain.syscalls![1].args, [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }]);
  assert.deepEqual(plain.syscalls![2].args, [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  const admin = seccompFromDockerProfile(p, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'arm64', '6.18.44');
  assert.deepEqual(admin.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.deepEqual(admin.syscalls!.map((s) => s.names[0]), ['read', 'personality', 'mount', 'ptrace']);
  // minKernel (moby's "major.minor"): includes below it, excludes from it on; 32-bit x86 is "x86" as in moby's goToNative
  const old = seccompFromDockerProfile(p, DEFAULT_CAPABILITIES, 'ia32', '4.4.0-210-generic');
  assert.deepEqual(old.syscalls!.map((s) => s.names[0]), ['read', 'personality', 'clone', 'modify_ldt', 'kcmp']);
  assert.equal(seccompFromDockerProfile(p, DEFAULT_CAPABILITIES, 'x64', '4.8.0').syscalls!.some((s) => s.names[0] === 'ptrace'), true);
  assert.deepEqual(kernelVersion('6.18.44-fc-v1045'), [6, 18]);
  assert.equal(kernelVersion('v6'), undefined);
  // the translated names are the container's own: changing them leaves the profile alone
  plain.syscalls![0].names.push('mount');
  assert.deepEqual(p.syscalls![0].names, ['read', 'write']);
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
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] }), /both 'architectures' and 'archMap'/],
    [JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4' } }] }), /invalid kernel version "4"/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseDockerSeccompProfile(text), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && re.test(e.message), text);
  }
});
