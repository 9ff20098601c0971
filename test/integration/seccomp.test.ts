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
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDaemon, type RunResult } from './harness.js';

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

before(async () => { await d.start(); await d.importBusybox(); });
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
