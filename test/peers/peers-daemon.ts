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
 *   node dist/test/peers/peers-daemon.js report docker-py JUNIT.xml | dockerode MOCHA.log
 *       distinct tests passed/failed/skipped (pytest's junit lists a test twice when its teardown errs
 *       too), each failing test with a one-line reason, and where the daemon was lost: the first test
 *       that failed with a connection error and the one before it.
 *
 * BERTH_TEST_PREFIX (peers.sh: berth-pe-) names the roots, cgroup parent and network marker.
 */
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
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
    ...iptablesRulesMentioning(netPrefix).map((r) => `${r.bin} -t ${r.table} ${r.rule}`),
    ...(existsSync(root) ? [`dir ${root}`] : []),
  ];
  if (left.length === 0) { process.stdout.write('no traces left\n'); return; }
  process.stdout.write(`left behind:\n${left.map((l) => `  ${l}\n`).join('')}`);
  process.exitCode = 1;
}

type Outcome = 'passed' | 'skipped' | 'failed';
interface TestResult { id: string; outcome: Outcome; reason: string }

/** A refused, reset or vanished connection to the daemon (as docker-py and docker-modem report it). */
const LOST = /ConnectionRefusedError|ConnectionResetError|Connection aborted|FileNotFoundError\(2|ECONNREFUSED|ECONNRESET|socket hang up|connect ENOENT/;

const unxml = (s: string) => s.replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const oneLine = (s: string) => { const l = s.split('\n').map((x) => x.trim()).find((x) => x) ?? ''; return l.length > 200 ? `${l.slice(0, 197)}...` : l; };

/** pytest's junit.xml (one testcase per phase that failed) → one result per test, in run order. */
export function parseJunit(xml: string): TestResult[] {
  const byId = new Map<string, TestResult>();
  for (const m of xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const cls = unxml(m[1]).split('.');
    const id = `${cls.slice(0, -1).join('/')}.py::${cls[cls.length - 1]}::${unxml(m[2])}`;
    const body = m[3] ?? '';
    const f = /<(failure|error)(?: [^>]*?message="([^"]*)")?/.exec(body);
    const r: TestResult = f ? { id, outcome: 'failed', reason: (f[1] === 'error' ? 'error: ' : '') + oneLine(unxml(f[2] ?? '')) }
      : /<skipped/.test(body) ? { id, outcome: 'skipped', reason: oneLine(unxml(/message="([^"]*)"/.exec(body)?.[1] ?? '')) }
        : { id, outcome: 'passed', reason: '' };
    const prev = byId.get(id);
    if (!prev || (prev.outcome !== 'failed' && r.outcome === 'failed')) byId.set(id, r);
  }
  return [...byId.values()];
}

/** mocha's spec reporter: the numbered failure blocks after "N failing" (passes and pending counted from the summary). */
export function parseMocha(log: string): { failed: TestResult[]; passed: number; pending: number } {
  const num = (re: RegExp) => Number(re.exec(log)?.[1] ?? 0);
  const failed: TestResult[] = [];
  const at = log.search(/^\s+\d+ failing/m);
  if (at >= 0) {
    for (const block of log.slice(at).split(/\n(?=\s{2}\d+\) )/).slice(1)) {
      const lines = block.split('\n');
      const title: string[] = [];
      let i = 0;
      for (; i < lines.length; i++) {
        const t = lines[i].trim().replace(/^\d+\) /, '');
        if (!t) continue;
        if (t.endsWith(':')) { title.push(t.slice(0, -1)); i++; break; }
        title.push(t);
      }
      const reason = oneLine(lines.slice(i).filter((l) => !/^\s+at /.test(l)).join('\n'));
      failed.push({ id: title.join(' > '), outcome: 'failed', reason });
    }
  }
  return { failed, passed: num(/^\s+(\d+) passing/m), pending: num(/^\s+(\d+) pending/m) };
}

function report(suite: string, file: string): void {
  const text = readFileSync(file, 'utf8');
  let failed: TestResult[];
  let counts: string;
  let before: (t: TestResult) => string | undefined = () => undefined;
  if (suite === 'docker-py') {
    const all = parseJunit(text);
    failed = all.filter((t) => t.outcome === 'failed');
    const n = (o: Outcome) => all.filter((t) => t.outcome === o).length;
    counts = `${n('passed')} passed, ${failed.length} failed, ${n('skipped')} skipped of ${all.length}`;
    before = (t) => all[all.indexOf(t) - 1]?.id;
  } else {
    const m = parseMocha(text);
    failed = m.failed;
    counts = `${m.passed} passed, ${failed.length} failed, ${m.pending} pending of ${m.passed + failed.length + m.pending}`;
  }
  process.stdout.write(`distinct tests: ${counts}\n`);
  const lost = failed.find((t) => LOST.test(t.reason));
  if (lost) process.stdout.write(`daemon lost during or just before: ${lost.id}${before(lost) ? ` (previous test: ${before(lost)})` : ''}\n`);
  for (const t of failed) process.stdout.write(`FAILED ${t.id} — ${t.reason}\n`);
}

async function main(cmd: string | undefined, args: string[]): Promise<void> {
  try {
    if (cmd === 'plan') plan(args[0], args[1]);
    else if (cmd === 'clear' && args[0]) await clear(args[0]);
    else if (cmd === 'cleanup' && args.length === 3) cleanup(args[0], args[1], args[2]);
    else if (cmd === 'report' && (args[0] === 'docker-py' || args[0] === 'dockerode') && args[1]) report(args[0], args[1]);
    else { process.stderr.write('usage: peers-daemon.js plan [BIP POOL] | clear SOCK | cleanup ROOT CGROUP NETPREFIX | report docker-py|dockerode FILE\n'); process.exitCode = 2; }
  } catch (e) {
    process.stderr.write(`peers-daemon ${cmd}: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

// run as a program (peers.sh), not when the test imports the parsers
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2], process.argv.slice(3));
