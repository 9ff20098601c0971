/**
 * seccomp, as the kernel applies it: the default profile is on (Seccomp: 2
 * in /proc/self/status, for exec'd processes too) and refuses what Docker's
 * refuses (a new user namespace: EPERM), unless the container holds the
 * capability that gates it; `--security-opt seccomp=unconfined` and
 * `--privileged` turn it off; `--security-opt seccomp=FILE` applies a
 * Docker-format profile (the docker CLI sends the file's content);
 * `systempaths=unconfined` unmasks /proc; bad options are 400 with nothing
 * created; `info` shows the profile; berthd's `--seccomp-profile` sets the
 * default. With the docker CLI and berth.
 *
 * The built-in profile is an allow-list (Docker's default profile, moby
 * profiles/seccomp v0.2.3: default action ERRNO with EPERM), seen from
 * inside a container by test/fixtures/syscall-probe.c, a static program
 * built here with gcc that makes raw syscalls and prints the errno each
 * answers. Numbers above the highest syscall the filter names that the
 * host's libseccomp knows (scmp_sys_resolver asks the same libseccomp runc
 * links) answer ENOSYS: runc's -ENOSYS stub, as under dockerd.
 *
 * dockerd as the reference, checked by hand on this host (Debian's
 * docker.io 20.10.24, the same runc 1.1.5 and libseccomp 2.5.4): given this
 * profile as `--security-opt seccomp=FILE` it answers every probe below as
 * berth does, with the default capabilities, SYS_ADMIN, SYS_PTRACE and
 * SYS_NICE. Its own built-in profile is moby's of 2022: it names nothing
 * from 450 on (so 450–469 all answer ENOSYS), still allows io_uring and
 * every socket family, and refuses process_vm_readv and name_to_handle_at;
 * moby's profile changed those since.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDaemon, REPO, type RunResult } from './harness.js';
import { BUILTIN_SECCOMP_PROFILE } from '../../src/runtime/seccomp-default.js';

const d = new TestDaemon();
const dir = mkdtempSync(join(tmpdir(), 'berth-test-seccomp-'));
// a Docker-format profile: everything allowed but creating directories; fchmod only refused without CAP_FOWNER (never true here)
const NO_MKDIR = join(dir, 'no-mkdir.json');
writeFileSync(NO_MKDIR, JSON.stringify({
  defaultAction: 'SCMP_ACT_ALLOW',
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }, { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] }],
  syscalls: [
    { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_CHOWN'] } },
  ],
}, null, 2));

// the built-in profile written out in Docker's format, for --security-opt seccomp=FILE
const BUILTIN_FILE = join(dir, 'builtin.json');
writeFileSync(BUILTIN_FILE, JSON.stringify(BUILTIN_SECCOMP_PROFILE, null, 2));
const PROBE = join(dir, 'syscall-probe');

before(async () => {
  // gcc, libc6-dev (the static libc) and seccomp (scmp_sys_resolver) come with scripts/install-deps.sh
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-Werror', '-o', PROBE, join(REPO, 'test', 'fixtures', 'syscall-probe.c')]);
  await d.start();
  await d.importBusybox();
});
after(async () => { await d.cleanup(); rmSync(dir, { recursive: true, force: true }); });

const seccompMode = (out: string) => /^Seccomp:\s+(\d)/m.exec(out)?.[1];

for (const cliName of ['docker', 'berth'] as const) {
  const cli = (args: string[]): Promise<RunResult> => (cliName === 'docker' ? d.docker(args) : d.berth(args));
  const run = (flags: string[], script: string) => cli(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);

  test(`${cliName}: the default profile is on and refuses a new user namespace; unconfined and --privileged turn it off`, async () => {
    const on = await run([], 'grep Seccomp: /proc/self/status; unshare -U true; echo "unshare=$?"');
    assert.equal(seccompMode(on.stdout), '2', on.stdout);
    assert.match(on.stdout, /unshare=1/);
    assert.match(on.stderr, /unshare.*Operation not permitted/);

    const off = await run(['--security-opt', 'seccomp=unconfined'], 'grep Seccomp: /proc/self/status; unshare -U true; echo "unshare=$?"');
    assert.equal(seccompMode(off.stdout), '0', off.stdout);
    assert.match(off.stdout, /unshare=0/, off.stderr);

    const priv = await run(['--privileged'], 'grep Seccomp: /proc/self/status');
    assert.equal(seccompMode(priv.stdout), '0');

    // CAP_SYS_ADMIN lets the namespace syscalls through, the filter stays on
    const admin = await run(['--cap-add', 'SYS_ADMIN'], 'grep Seccomp: /proc/self/status; unshare -U true; echo "unshare=$?"');
    assert.equal(seccompMode(admin.stdout), '2');
    assert.match(admin.stdout, /unshare=0/, admin.stderr);
  });

  test(`${cliName}: --security-opt seccomp=FILE applies a Docker-format profile, with its capability conditions`, async () => {
    const r = await run(['--security-opt', `seccomp=${NO_MKDIR}`], 'mkdir /made; echo "mkdir=$?"; touch /file && echo touched');
    assert.match(r.stdout, /mkdir=1/);
    assert.match(r.stderr, /mkdir.*Operation not permitted/);
    assert.match(r.stdout, /touched/);
    // rmdir is refused only without CAP_CHOWN (excludes.caps)
    const base = await run(['--security-opt', `seccomp=${NO_MKDIR}`, '--cap-drop', 'CHOWN'], 'rmdir /var; echo "rmdir=$?"');
    assert.match(base.stdout, /rmdir=1/);
    const withChown = await run(['--security-opt', `seccomp=${NO_MKDIR}`], 'rmdir /var; echo "rmdir=$?"');
    assert.match(withChown.stdout, /rmdir=0/, withChown.stderr);
    const ins = await cli(['create', '--name', `prof-${cliName}`, '--security-opt', `seccomp=${NO_MKDIR}`, 'busybox', 'true']);
    assert.equal(ins.code, 0, ins.stderr);
    const hc = (await d.api('GET', `/containers/prof-${cliName}/json`)).json().HostConfig;
    assert.equal(hc.SecurityOpt.length, 1);
    assert.match(hc.SecurityOpt[0], /^seccomp=\{"defaultAction":"SCMP_ACT_ALLOW"/);
    assert.equal((await cli(['rm', `prof-${cliName}`])).code, 0);
  });

  test(`${cliName}: exec'd processes run under the container's filter; systempaths=unconfined unmasks /proc`, async () => {
    const name = `sc-${cliName}`;
    assert.equal((await cli(['run', '-d', '--name', name, 'busybox', 'sleep', '60'])).code, 0);
    try {
      const ex = await cli(['exec', name, 'grep', 'Seccomp:', '/proc/self/status']);
      assert.equal(seccompMode(ex.stdout), '2', ex.stderr);
    } finally {
      await cli(['rm', '-f', name]);
    }
    // the docker CLI sends systempaths=unconfined as empty HostConfig.MaskedPaths/ReadonlyPaths, berth as the option
    const masked = await run([], 'wc -c < /proc/interrupts; grep -c " /proc/interrupts " /proc/self/mounts; grep -c " /proc/sys " /proc/self/mounts');
    assert.deepEqual(masked.stdout.trim().split('\n'), ['0', '1', '1'], masked.stderr);
    const open = await run(['--security-opt', 'systempaths=unconfined'], 'grep -c CPU0 /proc/interrupts; grep -c " /proc/interrupts " /proc/self/mounts; grep -c " /proc/sys " /proc/self/mounts; true');
    assert.deepEqual(open.stdout.trim().split('\n'), ['1', '0', '0'], open.stderr);
  });

  test(`${cliName}: bad --security-opt values are refused with dockerd's message and no container`, async () => {
    // the docker CLI checks the form itself ("Invalid --security-opt"); berth leaves it to the daemon
    for (const [opt, msg] of [['foo=bar', /invalid --security-opt 2: "foo=bar"/], ['nonsense', /[Ii]nvalid --security-opt( 1)?: "nonsense"/], ['no-new-privileges=maybe', /invalid --security-opt 2/], ['systempaths=open', /invalid --security-opt 2/]] as const) {
      const r = await cli(['create', '--name', `badsec-${cliName}`, '--security-opt', opt, 'busybox', 'true']);
      assert.notEqual(r.code, 0, opt);
      assert.match(r.stderr, msg, opt);
    }
    const missing = await cli(['create', '--name', `badsec-${cliName}`, '--security-opt', `seccomp=${join(dir, 'missing.json')}`, 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /opening seccomp profile .*missing\.json.* failed/);
    assert.equal((await d.api('GET', `/containers/badsec-${cliName}/json`)).status, 404);
  });
}

test('API: a profile that is not valid is 400 at create with nothing created; no-new-privileges reaches the process', async () => {
  for (const profile of ['{not json', JSON.stringify({ defaultAction: 'SCMP_ACT_MAYBE' }), JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 9, value: 1, op: 'SCMP_CMP_EQ' }] }] })]) {
    const r = await d.api('POST', '/containers/create?name=badprof', { Image: 'busybox', Cmd: ['true'], HostConfig: { SecurityOpt: [`seccomp=${profile}`] } });
    assert.equal(r.status, 400, r.body.toString());
    assert.match(r.json().message, /^decoding seccomp profile failed: /);
  }
  assert.equal((await d.api('GET', '/containers/badprof/json')).status, 404);
  const nnp = await d.docker(['run', '--rm', '--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs:', '/proc/self/status']);
  assert.match(nnp.stdout, /NoNewPrivs:\s+1/);
  const plain = await d.docker(['run', '--rm', 'busybox', 'grep', 'NoNewPrivs:', '/proc/self/status']);
  assert.match(plain.stdout, /NoNewPrivs:\s+0/);
});

test('info shows the seccomp profile; berthd --seccomp-profile unconfined makes it the default', async () => {
  const info = await d.docker(['info']);
  assert.match(info.stdout, /Security Options:\n\s+seccomp\n\s+Profile: builtin/);
  assert.match((await d.berth(['info'])).stdout, /Security Options:\n\s+seccomp\n\s+Profile: builtin/);

  const u = new TestDaemon();
  try {
    await u.start(['--seccomp-profile', 'unconfined']);
    await u.importBusybox();
    assert.match((await u.docker(['info'])).stdout, /seccomp\n\s+Profile: unconfined/);
    const r = await u.docker(['run', '--rm', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']);
    assert.equal(seccompMode(r.stdout), '0');
    // a container's own choice still wins
    const own = await u.docker(['run', '--rm', '--security-opt', 'seccomp=builtin', 'busybox', 'grep', 'Seccomp:', '/proc/self/status']);
    assert.equal(seccompMode(own.stdout), '0', 'builtin means the daemon default');
    const prof = await u.docker(['run', '--rm', '--security-opt', `seccomp=${NO_MKDIR}`, 'busybox', 'grep', 'Seccomp:', '/proc/self/status']);
    assert.equal(seccompMode(prof.stdout), '2');
  } finally {
    await u.cleanup();
  }
});

// ---- the built-in profile as an allow-list, syscall by syscall (x86_64 numbers) ----

/** Run the probe in a container; spec → what it answered ("ok", "EPERM", …). */
async function probe(flags: string[], specs: string[]): Promise<Map<string, string>> {
  const r = await d.docker(['run', '--rm', '-v', `${PROBE}:/probe:ro`, ...flags, 'busybox', '/probe', ...specs]);
  assert.equal(r.code, 0, r.stderr);
  const out = new Map(r.stdout.trim().split('\n').map((l) => l.split(' ', 2) as [string, string]));
  assert.equal(out.size, specs.reduce((n, s) => n + (/^\d+-\d+$/.test(s) ? Number(s.split('-')[1]) - Number(s.split('-')[0]) + 1 : 1), 0), r.stdout);
  return out;
}

const NEW = Array.from({ length: 20 }, (_, i) => 450 + i);
/** Of syscalls 450–469, those Docker's default profile allows (moby profiles/seccomp), and those it allows with a capability. */
const DOCKER_ALLOWS = new Set(['cachestat', 'fchmodat2', 'map_shadow_stack', 'futex_wake', 'futex_wait', 'futex_requeue', 'statmount', 'listmount', 'mseal',
  'setxattrat', 'getxattrat', 'listxattrat', 'removexattrat']);
const DOCKER_ALLOWS_WITH: Record<string, string[]> = { CAP_SYS_NICE: ['set_mempolicy_home_node'], CAP_SYS_ADMIN: ['lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules'] };
/** x86_64 syscall number → name as the host's libseccomp (the one runc links) knows it; undefined when it does not. */
const LIBSECCOMP_NAME = new Map(NEW.map((n) => {
  const name = execFileSync('scmp_sys_resolver', ['-a', 'x86_64', String(n)]).toString().trim();
  return [n, name === 'UNKNOWN' ? undefined : name];
}));
const GETPID = '39';
const GETPMSG = '181'; // in no profile, unimplemented by the kernel (ENOSYS from the kernel itself)
const KEYCTL = '250:0:-3:0'; // KEYCTL_GET_KEYRING_ID of the session keyring
const ADD_KEY = '248';
const IO_URING_SETUP = '425';
const UNSHARE_USERNS = '272:0x10000000';
const CLONE_USERNS = '56:0x10000000';
const MOUNT = '165'; // all-NULL arguments: the kernel answers EFAULT (it reads them before checking CAP_SYS_ADMIN)
const CLONE3 = '435';
const PERSONA_LINUX32 = '135:8';
const PERSONA_BSD = '135:6';
const PROCESS_VM_READV = '310:self';
const NAME_TO_HANDLE_AT = '303';
const KCMP = '312:self:self:0:0:0';
const SOCKET_INET = '41:2:1:0';
const SOCKET_ALG = '41:38:5:0';
const SOCKET_VSOCK = '41:40:1:0';
const ALL = [GETPID, '450-469', GETPMSG, KEYCTL, ADD_KEY, IO_URING_SETUP, UNSHARE_USERNS, MOUNT, CLONE3, PERSONA_LINUX32, PERSONA_BSD, PROCESS_VM_READV, NAME_TO_HANDLE_AT, KCMP,
  SOCKET_INET, SOCKET_ALG, SOCKET_VSOCK];

/**
 * What dockerd answers on this host for 450–469 in a container holding `caps`:
 * runc skips rules whose names its libseccomp does not know, and answers
 * ENOSYS above the highest number the filter still names; below it, what
 * the profile allows reaches the kernel (the answer `unconfined` gets),
 * the rest is EPERM.
 */
function assertNewSyscalls(out: Map<string, string>, kernel: Map<string, string>, caps: string[], what: string) {
  const allows = new Set([...DOCKER_ALLOWS, ...caps.flatMap((c) => DOCKER_ALLOWS_WITH[c] ?? [])]);
  const named = NEW.filter((n) => allows.has(LIBSECCOMP_NAME.get(n) ?? ''));
  // futex_waitv (449, kernel 5.16) is the profile's highest syscall before these
  const last = Math.max(...named, 449);
  // the syscalls of kernels 6.15–6.17 are past every Docker profile: ENOSYS whatever the libseccomp
  assert.ok(last < 467, `${what}: highest named ${last}`);
  for (const n of NEW) {
    const want = n > last ? 'ENOSYS' : allows.has(LIBSECCOMP_NAME.get(n)!) ? kernel.get(String(n)) : 'EPERM';
    assert.equal(out.get(String(n)), want, `${what}: ${n} (${LIBSECCOMP_NAME.get(n) ?? 'unknown to libseccomp'})`);
  }
}

/** What dockerd's default profile answers on this host for a container with Docker's default capabilities. */
function assertDockerDefault(out: Map<string, string>, kernel: Map<string, string>, what: string) {
  const is = (spec: string, want: string) => assert.equal(out.get(spec), want, `${what}: ${spec}`);
  is(GETPID, 'ok');
  assertNewSyscalls(out, kernel, [], what);
  // below that line, what no rule allows is EPERM — even a syscall the kernel does not implement
  is(GETPMSG, 'EPERM');
  for (const spec of [KEYCTL, ADD_KEY, IO_URING_SETUP, UNSHARE_USERNS, MOUNT, PERSONA_BSD, KCMP, SOCKET_ALG, SOCKET_VSOCK]) is(spec, 'EPERM');
  is(CLONE3, 'ENOSYS');
  is(PERSONA_LINUX32, 'ok');
  is(PROCESS_VM_READV, 'ok'); // allowed on kernels ≥ 4.8 without CAP_SYS_PTRACE
  is(NAME_TO_HANDLE_AT, 'EFAULT'); // allowed (reaches the kernel, which finds the NULL path)
  is(SOCKET_INET, 'ok');
}

test('the built-in profile is an allow-list: syscalls newer than it answer ENOSYS, unlisted ones EPERM, listed ones reach the kernel (as dockerd)', async () => {
  // unconfined, every call reaches the kernel: the kernel's own answers
  const kernel = await probe(['--security-opt', 'seccomp=unconfined'], ALL);
  // open_tree_attr, file_getattr, file_setattr (kernel 6.15/6.17, in no Docker profile) exist here: NULL arguments get the kernel's errors
  for (const n of ['467', '468', '469']) assert.match(kernel.get(n)!, /^E(FAULT|INVAL|BADF)$/, n);
  assert.equal(kernel.get(GETPMSG), 'ENOSYS', 'getpmsg is not implemented by the kernel');
  assert.notEqual(kernel.get(KEYCTL), 'EPERM');
  assert.equal(kernel.get(ADD_KEY), 'EFAULT');
  assert.equal(kernel.get(MOUNT), 'EFAULT');
  assert.equal(kernel.get(UNSHARE_USERNS), 'ok');
  assert.equal(kernel.get(PERSONA_BSD), 'ok');
  assert.equal(kernel.get(CLONE3), 'EINVAL');

  const out = await probe([], [...ALL, CLONE_USERNS]);
  assertDockerDefault(out, kernel, 'builtin');
  assert.equal(out.get(CLONE_USERNS), 'EPERM', 'clone with a namespace flag');
  assertDockerDefault(await probe(['--security-opt', 'seccomp=builtin'], ALL), kernel, 'seccomp=builtin');
  // the same profile given as a Docker-format file (archMap, caps/arches/minKernel conditions, args) answers the same
  assertDockerDefault(await probe(['--security-opt', `seccomp=${BUILTIN_FILE}`], ALL), kernel, 'the built-in profile as a file');
});

test('a gating capability lets its syscalls through, the rest of the allow-list unchanged (as dockerd)', async () => {
  const kernel = await probe(['--security-opt', 'seccomp=unconfined'], ['450-469']);
  const admin = await probe(['--cap-add', 'SYS_ADMIN'], ALL);
  assert.equal(admin.get(MOUNT), 'EFAULT', 'mount reaches the kernel');
  assert.equal(admin.get(UNSHARE_USERNS), 'ok');
  assert.equal(admin.get(CLONE3), 'EINVAL', 'clone3 reaches the kernel (size 0)');
  assertNewSyscalls(admin, kernel, ['CAP_SYS_ADMIN'], 'SYS_ADMIN');
  for (const spec of [KEYCTL, ADD_KEY, GETPMSG, KCMP]) assert.equal(admin.get(spec), 'EPERM', spec);
  const ptrace = await probe(['--cap-add', 'SYS_PTRACE'], [KCMP, MOUNT]);
  assert.equal(ptrace.get(KCMP), 'ok', 'kcmp of fd 0 with itself');
  assert.equal(ptrace.get(MOUNT), 'EPERM');
  // set_mempolicy_home_node (450) with CAP_SYS_NICE
  assertNewSyscalls(await probe(['--cap-add', 'SYS_NICE'], ['450-469']), kernel, ['CAP_SYS_NICE'], 'SYS_NICE');
});
