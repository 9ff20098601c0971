/**
 * bench/volumes — what mounts cost at `run`, and `docker cp` throughput.
 *
 * Subjects (docker CLI → berthd, `run --rm busybox true` with): nothing
 * (baseline), a named volume, an anonymous volume (created and removed per
 * run), a bind mount, a tmpfs, an anonymous volume over /bin (copy-up of the
 * image's /bin every run). Then `docker cp` of a 64 MiB file into and out of
 * a running container, and of a directory of 2000 small files. Wall clock
 * from spawn to exit; prints figures, always exits 0.
 *
 *   npm run build && node dist/bench/volumes.js [--runs N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, TEST_PREFIX } from '../test/integration/harness.js';

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

async function main(): Promise<void> {
  const runs = argRuns();
  const d = new TestDaemon();
  const work = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}bench-vol-`));
  try {
    await d.start();
    await d.importBusybox();
    const env = d.env;
    const host = join(work, 'bind');
    mkdirSync(host);
    await timed(['volume', 'create', 'benchvol'], env);
    const subjects: [string, string[]][] = [
      ['no mounts (baseline)', []],
      ['-v benchvol:/data', ['-v', 'benchvol:/data']],
      ['-v /data (anonymous)', ['-v', '/data']],
      ['-v HOSTDIR:/h (bind)', ['-v', `${host}:/h`]],
      ['--tmpfs /t', ['--tmpfs', '/t']],
      ['-v /bin (copy-up)', ['-v', '/bin']],
    ];
    console.log(`run --rm busybox true, ${runs} runs after ${WARMUP} warm-up`);
    console.log('subject                      median ms  p90 ms  min ms');
    for (const [name, flags] of subjects) {
      const samples: number[] = [];
      let error = '';
      for (let i = 0; i < WARMUP + runs; i++) {
        try {
          const ms = await timed(['run', '--rm', ...flags, 'busybox', 'true'], env);
          if (i >= WARMUP) samples.push(ms);
        } catch (e) { error ||= (e as Error).message.split('\n')[0]; }
      }
      if (!samples.length) { console.log(`${name.padEnd(28)} failed: ${error}`); continue; }
      const s = stats(samples);
      console.log(`${name.padEnd(28)} ${s.median.toFixed(1).padStart(9)} ${s.p90.toFixed(1).padStart(7)} ${s.min.toFixed(1).padStart(7)}`);
    }

    const big = join(work, 'big.bin');
    writeFileSync(big, randomBytes(64 * 1024 * 1024));
    const many = join(work, 'many');
    mkdirSync(many);
    for (let i = 0; i < 2000; i++) writeFileSync(join(many, `f${i}`), randomBytes(512));
    await timed(['run', '-d', '--name', 'cpbench', 'busybox', 'sleep', '600'], env);
    const cp = async (label: string, args: string[], bytes: number) => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) samples.push(await timed(args, env));
      const s = stats(samples);
      console.log(`${label.padEnd(34)} ${s.median.toFixed(0).padStart(7)} ms  ${(bytes / 1024 / 1024 / (s.median / 1000)).toFixed(1).padStart(7)} MiB/s`);
    };
    console.log('\ndocker cp (median of 3)               time      rate');
    await cp('64 MiB file into a container', ['cp', big, 'cpbench:/tmp/big.bin'], 64 * 1024 * 1024);
    await cp('64 MiB file out of a container', ['cp', 'cpbench:/tmp/big.bin', join(work, 'out.bin')], 64 * 1024 * 1024);
    await cp('2000 files of 512 B in', ['cp', many, 'cpbench:/tmp/'], 2000 * 512);
    await cp('2000 files of 512 B out', ['cp', 'cpbench:/tmp/many', join(work, `many-out`)], 2000 * 512);
  } catch (e) {
    console.log(`bench failed: ${(e as Error).message}`);
  } finally {
    await d.cleanup();
    rmSync(work, { recursive: true, force: true });
    rmSync(join(tmpdir(), `${TEST_PREFIX}fixtures`), { recursive: true, force: true });
  }
}

await main();
