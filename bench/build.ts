/**
 * bench/build — the seed example (examples/node-app: FROM node:lts-slim,
 * WORKDIR, COPY package.json, RUN npm install, EXPOSE, CMD, COPY . .):
 * cold build and fully cached rebuild.
 *
 * Subjects: docker CLI → berthd (`docker build --tag examplenodeapp:1.0 .`),
 * berth CLI → berthd, the API alone (POST /build with a prepared context tar:
 * the daemon's own time), and docker CLI → dockerd's legacy builder: a
 * throwaway dockerd when it is installed (bench/dockerd-subject.ts; the same
 * node:lts-slim fixture loaded with `docker import`), else one answering at
 * /var/run/docker.sock with node:lts-slim. "cold" = the first
 * build on a fresh daemon plus `--no-cache` builds; "cached" = unchanged
 * rebuilds. Wall clock from spawn (or request) to exit (or end of stream).
 *
 *   npm run build && node dist/bench/build.js [--runs N]
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, BERTH, REPO, api } from '../test/integration/harness.js';
import { dockerdSubject } from './dockerd-subject.js';

const DOCKER = '/usr/local/bin/docker';
const REFERENCE = { cold: 2300, cached: 160 }; // dockerd legacy builder on this machine, per the issue

function argRuns(): number {
  const i = process.argv.indexOf('--runs');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 10;
  return Number.isInteger(n) && n > 0 ? n : 10;
}

function timed(cmd: string, args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms); else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.trim().split('\n').slice(-2).join(' | ')}`));
    });
  });
}

async function apiBuild(sock: string, tar: Buffer, query: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await api(sock, 'POST', `/build?t=examplenodeapp:1.0${query}`, tar, { 'Content-Type': 'application/x-tar' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const body = r.body.toString();
  if (r.status !== 200 || body.includes('"errorDetail"')) throw new Error(`POST /build: ${r.status} ${body.slice(-200)}`);
  return ms;
}

interface Row { subject: string; cold: number[]; cached: number[]; error?: string }
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

async function series(row: Row, coldRuns: number, runs: number, cold: () => Promise<number>, cached: () => Promise<number>): Promise<void> {
  try {
    for (let i = 0; i < coldRuns; i++) row.cold.push(await cold());
    await cached(); // warm-up
    for (let i = 0; i < runs; i++) row.cached.push(await cached());
  } catch (e) {
    row.error = (e as Error).message.split('\n')[0].slice(0, 200);
  }
}

async function main(): Promise<void> {
  const runs = argRuns();
  const d = new TestDaemon();
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-build-'));
  const app = join(work, 'node-app');
  cpSync(join(REPO, 'examples', 'node-app'), app, { recursive: true });
  const rows: Row[] = [];
  let dockerdNote = '';
  const env = { ...d.env, DOCKER_BUILDKIT: '0' };
  try {
    await d.start();
    const tarball = join(work, 'node.tar');
    execFileSync('sh', [join(REPO, 'test', 'fixtures', 'make-node-rootfs.sh'), tarball], { stdio: 'ignore' });
    const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `ENV NODE_VERSION=${process.version.slice(1)}`, 'CMD ["node"]'];
    const imp = await d.api('POST', `/images/create?fromSrc=-&repo=node&tag=lts-slim&${changes.map((c) => `changes=${encodeURIComponent(c)}`).join('&')}`, readFileSync(tarball));
    if (imp.status !== 200) throw new Error(`import failed: ${imp.body}`);

    const docker = (extra: string[]) => () => timed(DOCKER, ['build', ...extra, '--tag', 'examplenodeapp:1.0', '.'], env, app);
    const row: Row = { subject: 'docker CLI -> berthd', cold: [], cached: [] };
    // the very first build on a fresh daemon, then --no-cache builds
    try { row.cold.push(await docker([])()); } catch (e) { row.error = (e as Error).message; }
    await series(row, 2, runs, docker(['--no-cache']), docker([]));
    rows.push(row);

    const berth = (extra: string[]) => () => timed(process.execPath, [BERTH, 'build', ...extra, '--tag', 'examplenodeapp:1.0', '.'], env, app);
    const brow: Row = { subject: 'berth CLI -> berthd', cold: [], cached: [] };
    await series(brow, 3, runs, berth(['--no-cache']), berth([]));
    rows.push(brow);

    const tar = execFileSync('tar', ['-C', app, '-cf', '-', '.']);
    const arow: Row = { subject: 'POST /build (daemon only)', cold: [], cached: [] };
    await series(arow, 3, runs, () => apiBuild(d.sock, tar, '&nocache=1'), () => apiBuild(d.sock, tar, ''));
    rows.push(arow);

    await d.cleanup(); // one daemon at a time while measuring
    const dk = await dockerdSubject(['node:lts-slim'], (x) => x.importTar(tarball, 'node:lts-slim', changes));
    if ('subject' in dk) {
      try {
        const denv = { ...dk.subject.env, DOCKER_BUILDKIT: '0' };
        const dd = (extra: string[]) => () => timed(DOCKER, ['build', ...extra, '--tag', 'examplenodeapp:1.0', '.'], denv, app);
        const drow: Row = { subject: 'docker CLI -> dockerd (legacy)', cold: [], cached: [] };
        // the very first build on the fresh daemon, then --no-cache builds, as for berthd
        try { drow.cold.push(await dd([])()); } catch (e) { drow.error = (e as Error).message; }
        await series(drow, 2, runs, dd(['--no-cache']), dd([]));
        rows.push(drow);
        const darow: Row = { subject: 'POST /build -> dockerd (daemon only)', cold: [], cached: [] };
        await series(darow, 3, runs, () => apiBuild(dk.subject.sock, tar, '&nocache=1'), () => apiBuild(dk.subject.sock, tar, ''));
        rows.push(darow);
        dockerdNote = dk.subject.label;
      } finally {
        await dk.subject.stop();
      }
    } else {
      dockerdNote = dk.reason;
    }
  } catch (e) {
    console.log(`bench aborted: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await d.cleanup();
  }
  report(rows, runs, dockerdNote);
}

function report(rows: Row[], runs: number, dockerdNote: string): void {
  console.log(`seed example build (examples/node-app), cold = first + --no-cache builds, cached = ${runs} unchanged rebuilds after 1 warm-up, ${new Date().toISOString()}`);
  console.log(`dockerd: ${dockerdNote}`);
  const header = ['subject', 'cold n', 'cold median ms', 'cached n', 'cached median ms', 'cached min ms'];
  const lines = rows.map((r) => [r.subject, String(r.cold.length), fmt(median(r.cold)), String(r.cached.length), fmt(median(r.cached)), fmt(Math.min(...r.cached))]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const show = (cols: string[]) => console.log(cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  show(header);
  for (const l of lines) show(l);
  for (const r of rows) if (r.error) console.log(`  ${r.subject}: ${r.error}`);
  const dockerd = rows.find((r) => r.subject.includes('dockerd'));
  const base = dockerd ? { cold: median(dockerd.cold), cached: median(dockerd.cached) } : REFERENCE;
  const basis = dockerd ? 'dockerd measured now' : `no dockerd measured; reference figures ${REFERENCE.cold} ms cold / ${REFERENCE.cached} ms cached from the issue, not measurements`;
  const berthd = rows[0];
  if (berthd) {
    const c = median(berthd.cold);
    const k = median(berthd.cached);
    console.log(`target: cold no slower than dockerd (${fmt(base.cold)} ms): berthd ${fmt(c)} ms ${c <= base.cold ? 'MEETS' : 'DOES NOT MEET'}; cached < 100 ms: berthd ${fmt(k)} ms ${k < 100 ? 'MEETS' : 'DOES NOT MEET'} (${basis})`);
  }
}

void main();
