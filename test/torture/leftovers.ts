/**
 * test/torture/leftovers — at the end of every phase: remove everything
 * through the API (containers, images, volumes, user networks), then look
 * for what must be gone: mounts under the daemon's root, conmon/runc/
 * container processes, container cgroups under its --cgroup-parent, netns
 * files, veths on its bridges and bridges of removed networks, iptables
 * rules of its --network-prefix beyond those of a fresh daemon, and files:
 * container, snapshot, bundle and runtime state directories, blobs under
 * <data-root>/content/blobs (all unreferenced once no image is left),
 * ingest and build scratch directories.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupsNamed, iptablesRulesMentioning, linksNamed, mountsUnder, processesMentioning, type TestDaemon } from '../integration/harness.js';
import { call } from './raw-http.js';
import type { PhaseName, Report } from './report.js';

/** What a fresh daemon has on the host by design (its default bridge's chains and rules). */
export interface NetBaseline { rules: Set<string> }

export function netBaseline(d: TestDaemon): NetBaseline {
  return { rules: new Set(iptablesRulesMentioning(d.netPrefix).map((r) => `${r.bin} ${r.table} ${r.rule}`)) };
}

/** Remove every object through the API; what will not go is a leftover. Returns the problems. */
export async function removeEverything(sock: string): Promise<string[]> {
  const problems: string[] = [];
  const list = async <T>(path: string): Promise<T[]> => {
    const r = await call(sock, 'GET', path, undefined, { timeoutMs: 30000 });
    if (r.status !== 200) { problems.push(`GET ${path} → ${r.status} ${r.body.toString().slice(0, 200)}`); return []; }
    return JSON.parse(r.body.toString()) as T[];
  };
  const del = async (path: string, what: string) => {
    const r = await call(sock, 'DELETE', path, undefined, { timeoutMs: 30000 }).catch((e: Error) => ({ status: 0, body: Buffer.from(e.message) }));
    if ((r.status === 0 || r.status >= 300) && r.status !== 404) problems.push(`cannot remove ${what}: DELETE ${path} → ${r.status} ${r.body.toString().slice(0, 300)}`);
  };
  for (const c of await list<{ Id: string }>('/containers/json?all=1')) await del(`/containers/${c.Id}?force=1&v=1`, `container ${c.Id.slice(0, 12)}`);
  for (const i of await list<{ Id: string }>('/images/json?all=1')) await del(`/images/${i.Id}?force=1`, `image ${i.Id.slice(7, 19)}`);
  const vols = await call(sock, 'GET', '/volumes', undefined, { timeoutMs: 30000 });
  if (vols.status === 200) for (const v of (JSON.parse(vols.body.toString()) as { Volumes: { Name: string }[] | null }).Volumes ?? []) await del(`/volumes/${encodeURIComponent(v.Name)}?force=1`, `volume ${v.Name}`);
  for (const n of await list<{ Id: string; Name: string }>('/networks')) if (!['bridge', 'host', 'none'].includes(n.Name)) await del(`/networks/${n.Id}`, `network ${n.Name}`);
  await call(sock, 'POST', '/build/prune?all=1', undefined, { timeoutMs: 30000 }).catch(() => undefined);
  // lists must now be empty
  const left = [
    ...(await list<{ Id: string; State?: string }>('/containers/json?all=1')).map((c) => `container ${c.Id.slice(0, 12)} (${c.State}) still listed`),
    ...(await list<{ Id: string; RepoTags?: string[] }>('/images/json?all=1')).map((i) => `image ${i.Id} ${JSON.stringify(i.RepoTags)} still listed`),
  ];
  return [...problems, ...left];
}

function entries(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/**
 * What is left of a daemon whose objects were all removed. `berthdPid` and
 * `otherPids` (a registry server) are not leftovers; `daemonRunning`: the
 * daemon's own default bridge may still be up.
 */
export function findLeftovers(d: TestDaemon, base: NetBaseline, opts: { berthdPid?: number; otherPids?: number[] } = {}): string[] {
  const out: string[] = [];
  for (const m of mountsUnder(d.root)) out.push(`mount ${m}`);
  const skip = new Set([opts.berthdPid, ...(opts.otherPids ?? [])].filter((p): p is number => !!p));
  for (const pid of processesMentioning(d.root)) {
    if (skip.has(pid)) continue;
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 200); } catch { continue; }
    out.push(`process ${pid}: ${cmd}`);
  }
  for (const cg of cgroupsNamed(d.cgroupParent)) {
    for (const e of entries(cg)) if (existsSync(join(cg, e, 'cgroup.procs')) || existsSync(join(cg, e, 'tasks'))) out.push(`cgroup ${join(cg, e)}`);
  }
  for (const n of entries(join(d.execRoot, 'netns'))) out.push(`netns file ${join(d.execRoot, 'netns', n)}`);
  for (const l of linksNamed(d.netPrefix)) {
    if (l !== d.bridge) { out.push(`link ${l} (bridge of a removed network)`); continue; }
    for (const port of entries(`/sys/class/net/${l}/brif`)) out.push(`veth ${port} on ${l}`);
  }
  for (const r of iptablesRulesMentioning(d.netPrefix)) if (!base.rules.has(`${r.bin} ${r.table} ${r.rule}`)) out.push(`${r.bin} -t ${r.table} ${r.rule}`);
  const dirs: [string, string][] = [
    [join(d.dataRoot, 'containers'), 'container dir'], [join(d.dataRoot, 'snapshots', 'rw'), 'rw snapshot'],
    [join(d.dataRoot, 'snapshots', 'layers'), 'layer tree'], [join(d.dataRoot, 'content', 'blobs', 'sha256'), 'unreferenced blob'],
    [join(d.dataRoot, 'content', 'ingest'), 'ingest file'], [join(d.dataRoot, 'volumes'), 'volume dir'],
    [join(d.dataRoot, 'builder', 'mnt'), 'build scratch mount dir'], [join(d.execRoot, 'containers'), 'bundle dir'],
    [join(d.execRoot, 'runtime', 'runc'), 'runc state'], [join(d.execRoot, 'sockets'), 'attach socket dir'],
  ];
  for (const [dir, what] of dirs) for (const e of entries(dir)) out.push(`${what} ${join(dir, e)}`);
  for (const e of entries(join(d.dataRoot, 'builder'))) if (e.startsWith('ctx-')) out.push(`build context ${join(d.dataRoot, 'builder', e)}`);
  return out;
}


/**
 * The end of a phase: remove everything, check leftovers with berthd up,
 * stop it (SIGTERM), check again (processes and mounts it may leave on
 * exit), report every leftover as a failure.
 */
export async function finalCheck(phase: PhaseName, report: Report, d: TestDaemon, base: NetBaseline, stop: () => Promise<void>, otherPids: number[] = []): Promise<void> {
  const up = d.childProcess && d.childProcess.exitCode === null && d.childProcess.signalCode === null;
  let problems: string[] | undefined;
  if (up) problems = await removeEverything(d.sock).then((p) => [...p, ...findLeftovers(d, base, { berthdPid: d.pid, otherPids })], () => undefined);
  if (!problems) {
    // berthd is gone (it crashed and did not come back): its objects cannot be removed, so what is left is no finding of its own
    report.fail({ phase, kind: 'leftover-check-impossible', message: 'berthd was not reachable at the end of the phase: nothing could be removed through the API' });
    await stop();
    return;
  }
  await stop();
  // after a clean stop: what berthd may leave when it exits (processes, mounts, cgroups, netns, veths)
  for (const p of findLeftovers(d, base, { otherPids })) if (!problems.includes(p) && /^(mount|process|cgroup|netns|veth)/.test(p)) problems.push(`after SIGTERM: ${p}`);
  report.count(phase, 'leftoversFound', problems.length);
  for (const [category, items] of groupLeftovers(problems)) {
    report.fail({ phase, kind: 'leftover', message: items.length === 1 ? items[0] : `${items.length} × ${category}: ${items.slice(0, 3).join('; ')}${items.length > 3 ? '; …' : ''}` });
  }
}

const CATEGORIES = ['mount', 'process', 'cgroup', 'netns file', 'link', 'veth', 'iptables', 'container dir', 'rw snapshot', 'layer tree', 'unreferenced blob', 'ingest file', 'volume dir', 'build scratch mount dir', 'bundle dir', 'runc state', 'attach socket dir', 'build context'];

/** Leftovers of one kind (all cgroups of a container, every blob) as one finding. */
export function groupLeftovers(problems: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const after = p.startsWith('after SIGTERM: ') ? 'after SIGTERM: ' : '';
    const rest = p.slice(after.length);
    const cat = CATEGORIES.find((c) => rest.startsWith(`${c} `));
    const key = cat ? `${after}${cat}` : p;
    out.set(key, [...(out.get(key) ?? []), p]);
  }
  return out;
}
