/**
 * bench/network-start — time to start N (default 20) containers, each on the
 * default bridge with a published port, and to reach every one of them
 * through its port; then the time to remove them all (veths, leases, DNAT
 * rules, held ports released).
 *
 * Subjects: docker CLI → berthd (a throwaway TestDaemon), and docker CLI →
 * dockerd: a throwaway one when dockerd is installed (bench/dockerd-subject.ts,
 * default userland proxy), else one answering at /var/run/docker.sock with
 * busybox:latest. One daemon at a time.
 *
 *   npm run build && node dist/bench/network-start.js [--count N]
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, DOCKER, TEST_PREFIX } from '../test/integration/harness.js';
import { createServer, type Server } from 'node:net';
import { httpGet } from '../test/integration/net-helpers.js';
import { dockerdSubject } from './dockerd-subject.js';

function argCount(): number {
  const i = process.argv.indexOf('--count');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 20;
  return Number.isInteger(n) && n > 0 ? n : 20;
}

function docker(env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(DOCKER, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')}: ${err.trim()}`))));
  });
}

const HTTPD = ['sh', '-c', 'echo ok > /tmp/index.html; exec httpd -f -p 3000 -h /tmp'];

interface Result { subject: string; startMs: number; perContainerMs: number; reachMs: number; removeMs: number }

async function run(subject: string, env: Record<string, string>, n: number): Promise<Result> {
  // n distinct free ports: hold them all while picking, so the kernel does not hand one out twice
  const holders = await Promise.all(Array.from({ length: n }, () => new Promise<Server>((resolve) => { const s = createServer(); s.listen(0, '0.0.0.0', () => resolve(s)); })));
  const ports = holders.map((s) => (s.address() as { port: number }).port);
  await Promise.all(holders.map((s) => new Promise((r) => s.close(r))));
  const names = ports.map((_, i) => `netbench-${process.pid}-${i}`);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await docker(env, ['run', '-d', '--name', names[i], '-p', `${ports[i]}:3000`, 'busybox', ...HTTPD]);
  const t1 = performance.now();
  for (const p of ports) await httpGet('127.0.0.1', p, 20000);
  const t2 = performance.now();
  await docker(env, ['rm', '-f', ...names]);
  const t3 = performance.now();
  return { subject, startMs: t1 - t0, perContainerMs: (t1 - t0) / n, reachMs: t2 - t1, removeMs: t3 - t2 };
}

async function main(): Promise<void> {
  const n = argCount();
  const results: Result[] = [];
  const d = new TestDaemon();
  try {
    await d.start();
    await d.importBusybox();
    await docker(d.env, ['run', '--rm', 'busybox', 'true']); // warm-up: layer cache, first bridge set-up
    results.push(await run('docker CLI -> berthd', d.env, n));
  } catch (e) {
    console.error(`berthd run failed: ${(e as Error).message}`);
  } finally {
    await d.cleanup();
  }
  const dk = await dockerdSubject(['busybox:latest'], (x) => x.importBusybox());
  if ('subject' in dk) {
    try {
      await docker(dk.subject.env, ['run', '--rm', 'busybox', 'true']); // warm-up, as for berthd
      results.push(await run('docker CLI -> dockerd', dk.subject.env, n));
    } catch (e) {
      console.error(`dockerd run failed: ${(e as Error).message}`);
    } finally {
      await dk.subject.stop();
    }
    console.log(`dockerd: ${dk.subject.label}`);
  } else {
    console.log(`dockerd: ${dk.reason} — berthd figures only`);
  }
  rmSync(join(tmpdir(), `${TEST_PREFIX}fixtures`), { recursive: true, force: true }); // the busybox tarball
  console.log(`\n${n} containers, each 'run -d -p HOSTPORT:3000 busybox httpd', one after another:\n`);
  console.log(['subject'.padEnd(24), 'start all (ms)'.padStart(15), 'per container'.padStart(14), 'reach all (ms)'.padStart(15), 'rm -f all (ms)'.padStart(15)].join(''));
  for (const r of results) {
    console.log([r.subject.padEnd(24), r.startMs.toFixed(0).padStart(15), r.perContainerMs.toFixed(0).padStart(14), r.reachMs.toFixed(0).padStart(15), r.removeMs.toFixed(0).padStart(15)].join(''));
  }
}

await main();
