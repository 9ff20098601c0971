/**
 * bench/volumes — what mounts cost at `run`, and `docker cp` throughput.
 *
 * Subjects (docker CLI → berthd, `run --rm busybox true` with): nothing
 * (baseline), a named volume, an anonymous volume (created and removed per
 * run), a bind mount, a tmpfs, an anonymous volume over /bin (copy-up of the
 * image's /bin every run). Then `docker cp` of a 64 MiB file into and out of
 * a running container, and of a directory of 2000 small files. Wall clock
 * from spawn to exit; prints figures, always exits 0. The same runs against
 * dockerd: a throwaway one when it is installed (bench/dockerd-subject.ts),
 * else one answering at /var/run/docker.sock with busybox:latest; one engine
 * at a time.
 *
 *   npm run build && node dist/bench/volumes.js [--runs N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, TEST_PREFIX } from '../test/integration/harness.js';
import { dockerdSubject } from './dockerd-subject.js';

const WARMUP = 2;

function argRuns(): number {
  const i = process.argv.indexOf('--runs');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 10;
  return Number.isInteger(n) && n > 0 ? n : 10;
}

function timed(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('docker', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms); else reject(new Error(`docker ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

function stats(samples: number[]): { median: number; p90: number; min: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { median: at(0.5), p90: at(0.9), min: s[0] };
}

type Stats = ReturnType<typeof stats>;
interface EngineResult { runs: Map<string, Stats | string>; cp: Map<string, number | string> }

const SUBJECTS = (host: string): [string, string[]][] => [
  ['no mounts (baseline)', []],
  ['-v benchvol:/data', ['-v', 'benchvol:/data']],
  ['-v /data (anonymous)', ['-v', '/data']],
  ['-v HOSTDIR:/h (bind)', ['-v', `${host}:/h`]],
  ['--tmpfs /t', ['--tmpfs', '/t']],
  ['-v /bin (copy-up)', ['-v', '/bin']],
];
const CP: [string, (w: string) => string[], number][] = [
  ['64 MiB file into a container', (w) => ['cp', join(w, 'big.bin'), 'cpbench:/tmp/big.bin'], 64 * 1024 * 1024],
  ['64 MiB file out of a container', (w) => ['cp', 'cpbench:/tmp/big.bin', join(w, 'out.bin')], 64 * 1024 * 1024],
  ['2000 files of 512 B in', (w) => ['cp', join(w, 'many'), 'cpbench:/tmp/'], 2000 * 512],
  ['2000 files of 512 B out', (w) => ['cp', 'cpbench:/tmp/many', join(w, 'many-out')], 2000 * 512],
];

/** Every run subject and every cp, against one engine (busybox:latest loaded). */
async function measureEngine(env: Record<string, string>, work: string, runs: number): Promise<EngineResult> {
  const res: EngineResult = { runs: new Map(), cp: new Map() };
  const host = join(work, 'bind');
  await timed(['volume', 'create', 'benchvol'], env);
  for (const [name, flags] of SUBJECTS(host)) {
    const samples: number[] = [];
    let error = '';
    for (let i = 0; i < WARMUP + runs; i++) {
      try {
        const ms = await timed(['run', '--rm', ...flags, 'busybox', 'true'], env);
        if (i >= WARMUP) samples.push(ms);
      } catch (e) { error ||= (e as Error).message.split('\n')[0]; }
    }
    res.runs.set(name, samples.length ? stats(samples) : `failed: ${error}`);
  }
  await timed(['run', '-d', '--name', 'cpbench', 'busybox', 'sleep', '600'], env);
  for (const [label, args] of CP) {
    try {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) {
        rmSync(join(work, 'out.bin'), { force: true });
        rmSync(join(work, 'many-out'), { recursive: true, force: true });
        samples.push(await timed(args(work), env));
      }
      res.cp.set(label, stats(samples).median);
    } catch (e) { res.cp.set(label, `failed: ${(e as Error).message.split('\n')[0]}`); }
  }
  await timed(['rm', '-f', 'cpbench'], env);
  await timed(['volume', 'rm', 'benchvol'], env);
  rmSync(join(work, 'out.bin'), { force: true });
  rmSync(join(work, 'many-out'), { recursive: true, force: true });
  return res;
}

async function main(): Promise<void> {
  const runs = argRuns();
  const d = new TestDaemon();
  const work = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}bench-vol-`));
  const engines: [string, EngineResult][] = [];
  let dockerdNote = '';
  try {
    mkdirSync(join(work, 'bind'));
    writeFileSync(join(work, 'big.bin'), randomBytes(64 * 1024 * 1024));
    mkdirSync(join(work, 'many'));
    for (let i = 0; i < 2000; i++) writeFileSync(join(work, 'many', `f${i}`), randomBytes(512));
    await d.start();
    await d.importBusybox();
    engines.push(['berthd', await measureEngine(d.env, work, runs)]);
    await d.cleanup();
    const dk = await dockerdSubject(['busybox:latest'], (x) => x.importBusybox());
    if ('subject' in dk) {
      try {
        engines.push(['dockerd', await measureEngine(dk.subject.env, work, runs)]);
        dockerdNote = dk.subject.label;
      } catch (e) {
        dockerdNote = `${dk.subject.label}: failed: ${(e as Error).message}`;
      } finally {
        await dk.subject.stop();
      }
    } else {
      dockerdNote = `${dk.reason} — berthd figures only`;
    }
  } catch (e) {
    console.log(`bench failed: ${(e as Error).message}`);
  } finally {
    await d.cleanup();
    rmSync(work, { recursive: true, force: true });
    rmSync(join(tmpdir(), `${TEST_PREFIX}fixtures`), { recursive: true, force: true });
  }
  report(engines, runs, dockerdNote);
}

function report(engines: [string, EngineResult][], runs: number, dockerdNote: string): void {
  const f = (n: number) => n.toFixed(1);
  console.log(`run --rm busybox true, ${runs} runs after ${WARMUP} warm-up, docker CLI; dockerd: ${dockerdNote}`);
  console.log(['subject'.padEnd(24), ...engines.map(([e]) => `${e} median / p90 / min ms`.padStart(34))].join(''));
  for (const [name] of SUBJECTS('')) {
    console.log([name.padEnd(24), ...engines.map(([, r]) => { const s = r.runs.get(name)!; return (typeof s === 'string' ? s : `${f(s.median)} / ${f(s.p90)} / ${f(s.min)}`).padStart(34); })].join(''));
  }
  console.log(`\ndocker cp (median of 3)`.padEnd(34) + engines.map(([e]) => `${e} ms (MiB/s)`.padStart(24)).join(''));
  for (const [label, , bytes] of CP) {
    console.log(label.padEnd(34) + engines.map(([, r]) => { const ms = r.cp.get(label)!; return (typeof ms === 'string' ? ms : `${ms.toFixed(0)} (${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(1)})`).padStart(24); }).join(''));
  }
}

await main();
