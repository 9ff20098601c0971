/**
 * test/torture/phase-crash — phase C: a local registry (berth's own
 * `berth registry serve` on 127.0.0.1, seeded with images that have a
 * large random layer), then cycles of: a few concurrent operations (pulls,
 * builds with RUN steps, runs — some publishing a port, some on a user
 * network —, removals of containers, images and networks), kill -9 of
 * berthd at a random moment, start again on the same roots, and the
 * consistency check. The leftover check of the phase's end then covers
 * what interrupted work may have left (mounts, veths, rules, cgroups,
 * netns files, conmon processes, unreferenced blobs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH, TEST_PREFIX, busyboxRootfs, sleep } from '../integration/harness.js';
import { freePort, seedImage } from '../integration/registry-harness.js';
import { Rng, seedOf, seededBytes } from './prng.js';
import { call } from './raw-http.js';
import { tarOf, tarOfFiles } from './hostile-tar.js';
import { Acks, checkConsistency, runsTrue } from './consistency.js';
import type { DaemonUnderTest } from './daemon-under-test.js';
import type { Report } from './report.js';

const v = '/v1.47';

export class LocalRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}torture-registry-`));
  private child?: ChildProcess;
  host = '';

  get pid(): number | undefined { return this.child?.pid; }

  async start(): Promise<void> {
    const port = await freePort();
    this.child = spawn(process.execPath, [BERTH, 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', join(this.dir, 'root')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    this.child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    this.child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    const end = Date.now() + 15000;
    while (!out.includes('listening on')) {
      if (this.child.exitCode !== null || Date.now() > end) throw new Error(`berth registry serve failed: ${out}`);
      await sleep(30);
    }
    this.host = `127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c && c.exitCode === null) { c.kill('SIGTERM'); await Promise.race([new Promise((r) => c.once('exit', r)), sleep(5000)]); if (c.exitCode === null) c.kill('SIGKILL'); }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface CrashOptions { durationMs: number; minCycles: number; pullImages: number; layerMb: number }

type Op = 'pull' | 'build' | 'run' | 'runPort' | 'runNet' | 'rmContainer' | 'rmImage' | 'network';
const WEIGHTS: Record<Op, number> = { pull: 4, build: 3, run: 3, runPort: 2, runNet: 2, rmContainer: 3, rmImage: 2, network: 1 };

export async function runCrash(dut: DaemonUnderTest, report: Report, seed: string, registry: LocalRegistry, o: CrashOptions): Promise<void> {
  const sock = dut.sock;
  const rng = new Rng(seedOf(seed, 'C'));
  const pulls: string[] = [];
  for (let i = 0; i < o.pullImages; i++) {
    const repo = `torture/pull${i}`;
    await seedImage(`http://${registry.host}`, repo, 'latest', { layers: [readFileSync(busyboxRootfs()), tarOfFiles({ [`big${i}.bin`]: seededBytes(`${seed}/C/layer${i}`, (o.layerMb << 20) + i * 4096) })] });
    pulls.push(`${registry.host}/${repo}:latest`);
  }
  report.count('C', 'registryImages', pulls.length);
  const net = await call(sock, 'POST', `${v}/networks/create`, { Name: 'torture-cnet' });
  if (net.status !== 201) report.fail({ phase: 'C', kind: 'setup', message: `network create: ${net.status} ${net.body}` });

  const acks = new Acks();
  const names: string[] = [];
  const builds: string[] = [];
  let made = 0;
  const deadline = Date.now() + o.durationMs;
  for (let cycle = 0; cycle < o.minCycles || Date.now() < deadline; cycle++) {
    if (cycle >= o.minCycles * 20) break;
    const label = `cycle ${cycle}`;
    let killed = false;
    const op = async (kind: Op): Promise<void> => {
      report.count('C', 'operations');
      report.count('C', `op.${kind}`);
      const ack = (f: () => void) => { if (!killed) f(); };
      const run = async (name: string, cfg: Record<string, unknown>) => {
        const c = await call(sock, 'POST', `${v}/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['sleep', '600'], ...cfg });
        if (c.status !== 201) return;
        ack(() => { acks.containers.set(name, 'created'); names.push(name); });
        const s = await call(sock, 'POST', `${v}/containers/${name}/start`);
        if (s.status === 204) ack(() => acks.containers.set(name, 'started'));
      };
      switch (kind) {
        case 'pull': {
          const ref = rng.pick(pulls);
          acks.images.set(ref, 'unknown');
          if ((await call(sock, 'DELETE', `${v}/images/${encodeURIComponent(ref)}?force=1`)).status === 200) ack(() => acks.images.set(ref, 'removed'));
          acks.interrupted.add(ref);
          const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
          const r = await call(sock, 'POST', `${v}/images/create?fromImage=${encodeURIComponent(repo)}&tag=${tag}`, undefined, { timeoutMs: 120000 });
          if (r.status === 200 && r.complete && !r.body.includes('"error"')) ack(() => { acks.images.set(ref, 'present'); acks.interrupted.delete(ref); });
          return;
        }
        case 'build': {
          const tag = `torture-c-build:c${cycle}-${made++}`;
          const ctx = tarOf([{ name: 'f', data: seededBytes(`${seed}/${tag}`, 100000) }, { name: 'Dockerfile', data: `FROM busybox\nRUN head -c 3000000 /dev/urandom > /r1\nRUN echo ${tag} > /tag && sleep 0.2\nCOPY f /f\nRUN test -s /f\n` }]);
          acks.interrupted.add(tag);
          const r = await call(sock, 'POST', `${v}/build?t=${encodeURIComponent(tag)}&rm=1&forcerm=1`, ctx, { headers: { 'Content-Type': 'application/x-tar' }, timeoutMs: 120000 });
          if (r.status === 200 && r.complete && !r.body.includes('"error"')) ack(() => { acks.images.set(tag, 'present'); acks.interrupted.delete(tag); builds.push(tag); });
          return;
        }
        case 'run': return run(`tcrash${made++}`, rng.chance(0.3) ? { Cmd: ['sh', '-c', 'exit 3'] } : {});
        case 'runPort': return run(`tcport${made++}`, { ExposedPorts: { '80/tcp': {} }, HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } } });
        case 'runNet': return run(`tcnet${made++}`, { HostConfig: { NetworkMode: 'torture-cnet' } });
        case 'rmContainer': {
          const name = names.filter((n) => acks.containers.get(n) !== 'removed');
          if (!name.length) return;
          const n = rng.pick(name);
          const before = acks.containers.get(n)!;
          acks.containers.set(n, 'unknown');
          const r = await call(sock, 'DELETE', `${v}/containers/${n}?force=1&v=1`);
          ack(() => acks.containers.set(n, r.status === 204 ? 'removed' : before));
          return;
        }
        case 'rmImage': {
          const ref = rng.pick([...builds, ...pulls]);
          const before = acks.images.get(ref);
          acks.images.set(ref, 'unknown');
          const r = await call(sock, 'DELETE', `${v}/images/${encodeURIComponent(ref)}?force=1`);
          ack(() => { if (r.status === 200 || r.status === 404) acks.images.set(ref, 'removed'); else if (before) acks.images.set(ref, before); else acks.images.delete(ref); });
          return;
        }
        case 'network': {
          const nn = `torture-n${made++}`;
          if ((await call(sock, 'POST', `${v}/networks/create`, { Name: nn })).status !== 201) return;
          const cn = `tcn${made++}`;
          await run(cn, { HostConfig: { NetworkMode: nn } });
          acks.containers.set(cn, 'unknown');
          const r = await call(sock, 'DELETE', `${v}/containers/${cn}?force=1`);
          if (r.status === 204) ack(() => acks.containers.set(cn, 'removed'));
          await call(sock, 'DELETE', `${v}/networks/${nn}`);
          return;
        }
      }
    };
    const kinds = Array.from({ length: rng.int(3, 6) }, () => rng.weighted(WEIGHTS));
    const inflight = kinds.map((k) => dut.track(`C ${label} ${k}`, () => op(k)).catch(() => undefined));
    const delay = rng.int(20, 2500);
    await Promise.race([sleep(delay), Promise.all(inflight)]);
    killed = true;
    await dut.kill9();
    report.count('C', 'kills');
    report.count('C', 'faultsInjected');
    await Promise.all(inflight);
    try { await dut.restart(); } catch (err) {
      report.fail({ phase: 'C', kind: 'restart-failed', message: `berthd did not start again after kill -9 (${label}, ${kinds.join(',')} at ${delay} ms): ${(err as Error).message.slice(0, 600)}` });
      return;
    }
    await dut.track(`C ${label} consistency check`, () => checkConsistency(dut, report, acks, `${label}: ${kinds.join(',')} killed at ${delay} ms`));
    // interrupted pulls and builds can be done again, and run
    for (const ref of [...acks.interrupted]) {
      if (!pulls.includes(ref)) { acks.interrupted.delete(ref); continue; }
      const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
      const r = await call(sock, 'POST', `${v}/images/create?fromImage=${encodeURIComponent(repo)}&tag=${tag}`, undefined, { timeoutMs: 120000 });
      report.count('C', 'repulls');
      if (r.status !== 200 || r.body.includes('"error"')) { report.fail({ phase: 'C', kind: 'pull-after-crash', message: `pulling ${ref} again after a pull cut by kill -9: ${r.status} ${r.body.toString().slice(-300)}` }); continue; }
      const ran = await runsTrue(sock, ref);
      if (ran !== 0) report.fail({ phase: 'C', kind: 'image-not-runnable', message: `${ref} pulled again after a cut pull: \`true\` gave ${ran}` });
      acks.images.set(ref, 'present');
      acks.interrupted.delete(ref);
    }
    // keep the state bounded: old builds go
    while (builds.length > 2) {
      const b = builds.shift()!;
      const r = await call(sock, 'DELETE', `${v}/images/${encodeURIComponent(b)}?force=1`);
      if (r.status === 200 || r.status === 404) acks.images.set(b, 'removed');
    }
    report.count('C', 'cycles');
  }
}
