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
