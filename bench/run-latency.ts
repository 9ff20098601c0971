/**
 * bench/run-latency — end-to-end latency of `run --rm busybox true`.
 *
 * Subjects: docker CLI → berthd, berth CLI → berthd, `runc run` alone on a
 * prepared bundle (floor), and docker CLI → dockerd: a throwaway one when
 * dockerd is installed (bench/dockerd-subject.ts), else one already
 * answering at /var/run/docker.sock with a busybox image. Wall clock from
 * spawn to exit.
 *
 *   npm run build && node dist/bench/run-latency.js [--runs N]
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, BERTH, busyboxRootfs } from '../test/integration/harness.js';
import { dockerdSubject } from './dockerd-subject.js';

const DOCKER = '/usr/local/bin/docker';
const DOCKERD_REFERENCE_MS = 800;
const WARMUP = 3;

function argRuns(): number {
  const i = process.argv.indexOf('--runs');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 20;
  return Number.isInteger(n) && n > 0 ? n : 20;
}

/** Spawn, wait for exit; returns elapsed ms, or throws on a non-zero exit. */
function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms); else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

interface Row { subject: string; samples: number[]; failures: number; error?: string }

async function measure(subject: string, runs: number, once: (i: number) => Promise<number>): Promise<Row> {
  const row: Row = { subject, samples: [], failures: 0 };
  for (let i = 0; i < WARMUP + runs; i++) {
    try {
      const ms = await once(i);
      if (i >= WARMUP) row.samples.push(ms);
    } catch (e) {
      row.failures++;
      row.error ??= (e as Error).message.split('\n')[0].slice(0, 160);
    }
  }
  return row;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
const median = (s: number[]) => (s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

/** A busybox OCI bundle in a temp dir, process ["true"], no terminal. */
function prepareBundle(dir: string): string {
  const bundle = join(dir, 'bundle');
  mkdirSync(join(bundle, 'rootfs'), { recursive: true });
  execFileSync('tar', ['-x', '-f', busyboxRootfs(), '-C', join(bundle, 'rootfs')]);
  execFileSync('runc', ['spec', '-b', bundle]);
  const cfgPath = join(bundle, 'config.json');
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
  cfg.process.args = ['true'];
  cfg.process.terminal = false;
  writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
  return bundle;
}

async function main(): Promise<void> {
  const runs = argRuns();
  const daemon = new TestDaemon();
  const runcDir = mkdtempSync(join(tmpdir(), 'berth-bench-runc-'));
  const runcRoot = join(runcDir, 'runc');
  const rows: Row[] = [];
  let dockerd: Row | undefined;
  let dockerdNote = '';
  let imported = false;
  try {
    await daemon.start();
    imported = true; // importBusybox builds the fixture tarball, removed in finally
    await daemon.importBusybox();
    rows.push(await measure('docker CLI -> berthd', runs, () => timed(DOCKER, ['run', '--rm', 'busybox', 'true'], daemon.env)));
    rows.push(await measure('berth CLI -> berthd', runs, () => timed(process.execPath, [BERTH, 'run', '--rm', 'busybox', 'true'], daemon.env)));
    const bundle = prepareBundle(runcDir);
    rows.push(await measure('runc run (floor)', runs, (i) => timed('runc', ['--root', runcRoot, 'run', '-b', bundle, `bench-${process.pid}-${i}`])));
    const dk = await dockerdSubject(['busybox:latest'], (d) => d.importBusybox());
    if ('subject' in dk) {
      try {
        dockerd = await measure('docker CLI -> dockerd', runs, () => timed(DOCKER, ['run', '--rm', 'busybox', 'true'], dk.subject.env));
        rows.push(dockerd);
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
    try {
      const list = JSON.parse(execFileSync('runc', ['--root', runcRoot, 'list', '--format', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString() || 'null') as { id: string }[] | null;
      for (const c of list ?? []) { try { execFileSync('runc', ['--root', runcRoot, 'delete', '--force', c.id], { stdio: 'ignore' }); } catch { /* gone */ } }
    } catch { /* no runc state */ }
    rmSync(runcDir, { recursive: true, force: true });
    if (imported) { try { rmSync(busyboxRootfs(), { force: true }); } catch { /* gone */ } }
    await daemon.cleanup();
  }
  report(rows, runs, dockerd, dockerdNote);
}

function report(rows: Row[], runs: number, dockerd: Row | undefined, dockerdNote: string): void {
  const dockerdMedian = dockerd ? median([...dockerd.samples].sort((a, b) => a - b)) : NaN;
  const header = ['subject', 'runs', 'median ms', 'p90 ms', 'min ms', ...(dockerd ? ['/ dockerd'] : [])];
  const lines = rows.map((r) => {
    const s = [...r.samples].sort((a, b) => a - b);
    return [r.subject, `${s.length}/${runs}`, fmt(median(s)), fmt(pct(s, 0.9)), fmt(s[0]), ...(dockerd ? [fmt(median(s) / dockerdMedian)] : [])];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const show = (cols: string[]) => console.log(cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log(`run --rm busybox true, ${runs} runs after ${WARMUP} warm-up, ${new Date().toISOString()}`);
  console.log(`dockerd: ${dockerdNote}`);
  show(header);
  for (const l of lines) show(l);
  for (const r of rows) if (r.failures) console.log(`  ${r.subject}: ${r.failures} failed (${r.error})`);
  console.log(`target: berthd ≤ 1/6 of dockerd (the issue's figure for dockerd: ~${DOCKERD_REFERENCE_MS} ms)`);
  const berthd = rows.find((r) => r.subject === 'docker CLI -> berthd');
  const m = berthd ? median([...berthd.samples].sort((a, b) => a - b)) : NaN;
  const base = dockerd ? dockerdMedian : DOCKERD_REFERENCE_MS;
  const basis = dockerd ? `dockerd measured now: ${fmt(dockerdMedian)} ms` : `no dockerd measured; reference figure ${DOCKERD_REFERENCE_MS} ms, not a measurement`;
  const verdict = Number.isFinite(m) ? (m <= base / 6 ? 'MEETS' : 'DOES NOT MEET') : 'NOT MEASURED';
  console.log(`docker CLI -> berthd median ${fmt(m)} ms vs limit ${fmt(base / 6)} ms (${basis}): ${verdict}`);
}

main().then(() => process.exit(0), (e) => { console.log(`bench error: ${(e as Error).message}`); process.exit(0); });
