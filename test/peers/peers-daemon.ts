/**
 * test/peers/peers-daemon — the node side of scripts/peers.sh, which runs the
 * upstream client suites (docker-py, dockerode: ../shared/peers) against a
 * fresh berthd. It plans the daemon's temporary roots and networks the way
 * the integration harness does (TestDaemon), empties the daemon through the
 * API at the end, and removes every trace the daemon left with the harness's
 * own leftoverCleanup/networkCleanup, then says what (if anything) is left.
 *
 *   node dist/test/peers/peers-daemon.js plan [BIP POOL]     shell assignments for peers.sh (eval)
 *   node dist/test/peers/peers-daemon.js clear SOCK          remove every container, network, volume, image
 *   node dist/test/peers/peers-daemon.js cleanup ROOT CGROUP NETPREFIX
 *
 * BERTH_TEST_PREFIX (peers.sh: berth-pe-) names the roots, cgroup parent and network marker.
 */
import { mkdtempSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  TEST_PREFIX, NET_MARK, api, pickSubnets, hostRoutes, overlapsRoute, leftoverCleanup,
  mountsUnder, processesMentioning, cgroupsNamed, linksNamed, iptablesRulesMentioning,
} from '../integration/harness.js';

/** An a.b.c.d/n CIDR as [network number, prefix length]. */
function cidr(s: string): [number, number] {
  const [addr, len] = s.split('/');
  const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const p = Number(len);
  const mask = p ? (0xffffffff << (32 - p)) >>> 0 : 0;
  return [(n & mask) >>> 0, p];
}

/** The wanted --bip and pool if no host route overlaps them (another daemon's bridge has one), else free ones like the harness picks. */
function subnets(bip?: string, pool?: string): { bip: string; pool: string; picked: boolean } {
  if (bip && pool) {
    const routes = hostRoutes();
    if (!overlapsRoute(...cidr(bip), routes) && !overlapsRoute(...cidr(pool), routes)) return { bip, pool, picked: false };
  }
  return { ...pickSubnets(), picked: true };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function plan(bipWanted?: string, poolWanted?: string): void {
  const root = mkdtempSync(join(tmpdir(), TEST_PREFIX));
  const netPrefix = `${NET_MARK}${root.slice(-5).replace(/[^a-zA-Z0-9]/g, '0')}`;
  const { bip, pool, picked } = subnets(bipWanted, poolWanted);
  const vars: Record<string, string> = {
    ROOT: root, SOCK: join(root, 'berth.sock'), DATA_ROOT: join(root, 'data'), EXEC_ROOT: join(root, 'exec'),
    CGROUP_PARENT: `${TEST_PREFIX}${root.slice(-6)}`, NET_PREFIX: netPrefix, BRIDGE: `${netPrefix}0`,
    BIP: bip, POOL: pool, SUBNETS_PICKED: picked ? '1' : '0',
  };
  for (const [k, v] of Object.entries(vars)) process.stdout.write(`${k}=${q(v)}\n`);
}

async function clear(sock: string): Promise<void> {
  const n = { containers: 0, networks: 0, volumes: 0, images: 0 };
  const failed: string[] = [];
  const del = async (path: string, what: keyof typeof n, errors = failed) => {
    const r = await api(sock, 'DELETE', path);
    if (r.status < 300) n[what]++;
    else if (r.status !== 404) errors.push(`DELETE ${path}: ${r.status} ${r.body.toString().trim()}`);
  };
  for (const c of (await api(sock, 'GET', '/containers/json?all=1')).json<{ Id: string }[]>()) await del(`/containers/${c.Id}?force=1&v=1`, 'containers');
  for (const net of (await api(sock, 'GET', '/networks')).json<{ Id: string; Name: string }[]>()) {
    if (!['bridge', 'host', 'none'].includes(net.Name)) await del(`/networks/${net.Id}`, 'networks');
  }
  for (const v of (await api(sock, 'GET', '/volumes')).json<{ Volumes: { Name: string }[] | null }>().Volumes ?? []) await del(`/volumes/${encodeURIComponent(v.Name)}?force=1`, 'volumes');
  // children before parents; a forced removal of a tagged image only untags it, so go round until none are left
  let imageErrors: string[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const ims = (await api(sock, 'GET', '/images/json?all=1')).json<{ Id: string; Created: number }[]>();
    if (ims.length === 0) break;
    imageErrors = [];
    for (const im of ims.sort((a, b) => b.Created - a.Created)) await del(`/images/${im.Id}?force=1`, 'images', imageErrors);
  }
  failed.push(...imageErrors);
  const left = {
    containers: (await api(sock, 'GET', '/containers/json?all=1')).json<unknown[]>().length,
    networks: (await api(sock, 'GET', '/networks')).json<{ Name: string }[]>().filter((x) => !['bridge', 'host', 'none'].includes(x.Name)).length,
    volumes: ((await api(sock, 'GET', '/volumes')).json<{ Volumes: unknown[] | null }>().Volumes ?? []).length,
    images: (await api(sock, 'GET', '/images/json?all=1')).json<unknown[]>().length,
  };
  process.stdout.write(`removed ${JSON.stringify(n)}; left ${JSON.stringify(left)}\n`);
  for (const f of failed) process.stdout.write(`  ${f}\n`);
  if (Object.values(left).some((x) => x > 0)) process.exitCode = 1;
}

function cleanup(root: string, cgroupParent: string, netPrefix: string): void {
  if (!root.startsWith(join(tmpdir(), TEST_PREFIX))) throw new Error(`refusing to clean ${root}: not a ${TEST_PREFIX} root`);
  leftoverCleanup(root, cgroupParent, netPrefix);
  const left = [
    ...mountsUnder(root).map((m) => `mount ${m}`),
    ...processesMentioning(root).map((p) => `process ${p}`),
    ...cgroupsNamed(cgroupParent).map((c) => `cgroup ${c}`),
    ...linksNamed(netPrefix).map((l) => `link ${l}`),
    ...iptablesRulesMentioning(netPrefix).map((r) => `iptables -t ${r.table} ${r.rule}`),
    ...(existsSync(root) ? [`dir ${root}`] : []),
  ];
  if (left.length === 0) { process.stdout.write('no traces left\n'); return; }
  process.stdout.write(`left behind:\n${left.map((l) => `  ${l}\n`).join('')}`);
  process.exitCode = 1;
}

const [cmd, ...args] = process.argv.slice(2);
try {
  if (cmd === 'plan') plan(args[0], args[1]);
  else if (cmd === 'clear' && args[0]) await clear(args[0]);
  else if (cmd === 'cleanup' && args.length === 3) cleanup(args[0], args[1], args[2]);
  else { process.stderr.write('usage: peers-daemon.js plan [BIP POOL] | clear SOCK | cleanup ROOT CGROUP NETPREFIX\n'); process.exitCode = 2; }
} catch (e) {
  process.stderr.write(`peers-daemon ${cmd}: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
