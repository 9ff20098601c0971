/**
 * Runs last: the suite must leave nothing behind — no mounts, monitor or
 * container processes, cgroups, bridges, iptables rules or temp roots of
 * test daemons.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, rmSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PREFIX, NET_MARK, NETWORK_CLAIMS_DIR, iptablesRulesMentioning, linksNamed, run, ownCgroupDirs } from './harness.js';
import { DOCKERD_CLAIM, DOCKERD_HOST_PATHS, HOST_BEFORE_DOCKERD, dockerChainsPresent, forwardPolicy, type HostBefore } from './dockerd-harness.js';

const MARK = join(tmpdir(), TEST_PREFIX);

// the shared busybox tarball the integration tests made
after(() => rmSync(join(tmpdir(), `${TEST_PREFIX}fixtures`), { recursive: true, force: true }));

test('no mounts under test roots', () => {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((p) => p?.startsWith(MARK));
  assert.deepEqual(mounts, []);
});

test('no volume mounts (tmpfs/bind volumes) of test daemons', () => {
  // volumes live at <data-root>/volumes/<name>/_data; listed apart so a leak names its volume
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((p) => p?.startsWith(MARK) && p.includes('/data/volumes/'));
  assert.deepEqual(mounts, []);
});

/** Live (non-zombie) processes as "pid: cmdline" for which `pick(cmdline, cwd)` holds. */
function liveProcesses(pick: (cmd: string, cwd: string) => boolean): string[] {
  const left: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let cwd = '';
      try { cwd = readlinkSync(`/proc/${p}/cwd`); } catch { /* kernel thread or gone */ }
      if (pick(cmd, cwd) && !/\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8'))) left.push(`${p}: ${cmd}`);
    } catch { /* gone */ }
  }
  return left;
}

test('no conmon, runc or container processes of test daemons', () => {
  assert.deepEqual(liveProcesses((cmd) => cmd.includes(MARK)), []);
});

test('no stdin relays (socat in a test bundle dir) or tmux sessions of the interactive tests', async () => {
  assert.deepEqual(liveProcesses((_cmd, cwd) => cwd.startsWith(MARK)), []);
  const tmux = await run('tmux', ['list-sessions', '-F', '#{session_name}']).catch(() => ({ stdout: '' }));
  assert.deepEqual(tmux.stdout.split('\n').filter((n) => n.startsWith(TEST_PREFIX)), []);
});

test('no cgroups of test daemons', () => {
  const root = '/sys/fs/cgroup';
  const dirs = existsSync(join(root, 'cgroup.controllers')) ? [root] : [...readdirSync(root).map((h) => join(root, h)), ...ownCgroupDirs(root)];
  const left = dirs.flatMap((d) => { try { return readdirSync(d).filter((n) => n.startsWith(TEST_PREFIX)).map((n) => join(d, n)); } catch { return []; } });
  assert.deepEqual(left, []);
});

test('no network-prefix claims of test daemons', () => {
  assert.deepEqual(existsSync(NETWORK_CLAIMS_DIR) ? readdirSync(NETWORK_CLAIMS_DIR).filter((n) => n.startsWith(NET_MARK)) : [], []);
});

test('no bridges or other links of test daemons', () => {
  assert.deepEqual(linksNamed(NET_MARK), []);
});

test('no iptables chains or rules of test daemons (filter and nat, incl. CNI NAT/DNAT rules naming their networks)', () => {
  assert.deepEqual(iptablesRulesMentioning(NET_MARK), []);
});

test('no temp roots of test daemons', () => {
  assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith(TEST_PREFIX) && n !== `${TEST_PREFIX}fixtures`), []);
});

test('no registry servers of test runs (CNCF docker-registry, berth registry serve)', () => {
  assert.deepEqual(liveProcesses((cmd) => (cmd.includes('docker-registry serve') || cmd.includes(' registry serve ')) && cmd.includes(MARK)), []);
});

// Throwaway dockerds (dockerd-harness.ts): one per host at a time, under a claim file.
// While another test run's (another prefix's) is live, the host-wide names below are its own.
function liveForeignClaim(): string | undefined {
  try {
    const c = JSON.parse(readFileSync(DOCKERD_CLAIM, 'utf8')) as { owner: number; prefix: string };
    if (c.prefix === TEST_PREFIX) return undefined;
    process.kill(c.owner, 0);
    return `${c.prefix} (pid ${c.owner})`;
  } catch { return undefined; }
}
/** dockerd processes that no test started (a system dockerd owns DOCKER chains and docker0 legitimately). */
const foreignDockerd = () => liveProcesses((cmd) => /^\S*dockerd /.test(cmd) && !cmd.includes(join(tmpdir(), 'berth-')));

test('no throwaway dockerd claim of this run', () => {
  let prefix: string | undefined;
  try { prefix = (JSON.parse(readFileSync(DOCKERD_CLAIM, 'utf8')) as { prefix: string }).prefix; } catch { /* none */ }
  assert.notEqual(prefix, TEST_PREFIX, `${DOCKERD_CLAIM} left by this run`);
});

test('no dockerd, containerd, shim or docker-proxy processes of test dockerds', () => {
  assert.deepEqual(liveProcesses((cmd) => /(dockerd|containerd)/.test(cmd) && cmd.includes(MARK)), []);
  // docker-proxy names only addresses: test dockerds use 10.120.0.0/16
  const foreign = liveForeignClaim();
  const proxies = liveProcesses((cmd) => cmd.includes('docker-proxy') && cmd.includes('-container-ip 10.120.'));
  assert.deepEqual(foreign ? [] : proxies, [], 'docker-proxy of a test dockerd');
});

test('no DOCKER chains or docker0 bridge left by test dockerds', () => {
  const owner = liveForeignClaim() ?? foreignDockerd()[0];
  const left = [...dockerChainsPresent(), ...linksNamed('docker0')];
  assert.deepEqual(owner ? [] : left, [], `left with no dockerd running: ${left.join(', ')}`);
});

test('FORWARD policy and dockerd\'s host paths as before the first test dockerd', () => {
  if (!existsSync(HOST_BEFORE_DOCKERD)) {
    // no test dockerd ran in this run: nothing may claim one did
    assert.equal(existsSync(DOCKERD_CLAIM) && !liveForeignClaim(), false, `${DOCKERD_CLAIM} without a live owner`);
    return;
  }
  const before = JSON.parse(readFileSync(HOST_BEFORE_DOCKERD, 'utf8')) as HostBefore;
  const foreign = liveForeignClaim();
  assert.equal(foreign ? before.forwardPolicy : forwardPolicy(), before.forwardPolicy, 'FORWARD policy');
  assert.deepEqual(foreign ? before.existed : Object.fromEntries(DOCKERD_HOST_PATHS.map((p) => [p, existsSync(p)])), before.existed, 'host paths of dockerd/containerd');
});
