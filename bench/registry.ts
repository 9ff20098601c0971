/**
 * bench/registry — registry throughput with a ~115 MB image (the node:lts-slim
 * fixture from test/fixtures/make-node-rootfs.sh, one layer).
 *
 *  1. berthd as the client: `docker push` and `docker pull` (docker CLI →
 *     berthd) against the CNCF distribution registry (Debian docker-registry)
 *     and against berth's own registry server (`berth registry serve`), side
 *     by side, each into a fresh repository, the local image store emptied
 *     before every pull so every layer is downloaded and unpacked.
 *     Between timed pushes the manifest and blob links are deleted from the
 *     repository, so every push uploads (no skip, no mount).
 *  2. skopeo as the client (no berthd): `skopeo copy` from each registry into
 *     a `dir:` — the registries' download throughput alone.
 *  3. dockerd as the client, the same pushes and pulls against both
 *     registries: a throwaway dockerd when it is installed
 *     (bench/dockerd-subject.ts; the fixture loaded with `docker import`),
 *     for the issue's "berthd pulls ≥ 1.5x faster than dockerd" line; else a
 *     dockerd answering at /var/run/docker.sock, pull from CNCF only.
 *     berthd is stopped first: one engine at a time.
 *
 * The first push gzips the imported (plain tar) layer once; that is timed as
 * its own row and done against a throwaway registry, so the measured pushes
 * only upload.
 *
 *   npm run build && node dist/bench/registry.js [--runs N]   # N defaults to 3
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, BERTH, REPO, TEST_PREFIX, run, sleep, api } from '../test/integration/harness.js';
import { CncfRegistry, freePort, http as httpReq } from '../test/integration/registry-harness.js';
import { dockerdSubject } from './dockerd-subject.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 3) : 3;

async function berthRegistry(root: string): Promise<{ host: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BERTH, 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const end = Date.now() + 15000;
  while (!out.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`berth registry serve: ${out}`);
    await sleep(30);
  }
  return { host: `127.0.0.1:${port}`, child };
}

async function timed(fn: () => Promise<{ code: number; stderr: string }>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.code !== 0) throw new Error(r.stderr.trim().split('\n').slice(-2).join(' '));
  return ms;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}bench-registry-`));
  const cncf = new CncfRegistry();
  const warm = new CncfRegistry();
  const d = new TestDaemon();
  let berth: { host: string; child: ChildProcess } | undefined;
  const rows: { what: string; ms: number[]; mb: number; note?: string }[] = [];
  try {
    const tarball = join(work, 'node.tar');
    execFileSync('sh', [join(REPO, 'test', 'fixtures', 'make-node-rootfs.sh'), tarball]);
    const mb = statSync(tarball).size / 1e6;
    await cncf.start();
    await warm.start();
    berth = await berthRegistry(join(work, 'berth-registry'));
    await d.start();
    const imp = await d.api('POST', '/images/create?fromSrc=-&repo=bench/node&tag=src&changes=' + encodeURIComponent('CMD ["node"]'), readFileSync(tarball), { 'Content-Type': 'application/x-tar' });
    if (imp.status !== 200) throw new Error(`import: ${imp.body}`);
    const dk = (args: string[]) => d.docker(args, { timeoutMs: 600000 });
    const pushAs = async (host: string, repo: string) => { await dk(['tag', 'bench/node:src', `${host}/${repo}:1`]); const ms = await timed(() => dk(['push', `${host}/${repo}:1`])); await dk(['rmi', `${host}/${repo}:1`]); return ms; };
    // between timed pushes: unlink the layer and manifest from the repository, so the next push uploads again
    // (a fresh repository would be served by a cross-repository mount instead)
    const forget = async (host: string, repo: string) => {
      const man = await httpReq(`http://${host}/v2/${repo}/manifests/1`, 'GET', undefined, { accept: 'application/vnd.docker.distribution.manifest.v2+json' });
      const digest = String(man.headers['docker-content-digest']);
      const m = JSON.parse(man.body.toString()) as { layers: { digest: string }[]; config: { digest: string } };
      await httpReq(`http://${host}/v2/${repo}/manifests/${digest}`, 'DELETE');
      for (const l of [...m.layers, m.config]) await httpReq(`http://${host}/v2/${repo}/blobs/${l.digest}`, 'DELETE');
    };

    // first push: gzip of the plain layer (once) + upload, to a throwaway registry
    rows.push({ what: 'first push (gzip + upload) → throwaway CNCF registry', ms: [await pushAs(warm.host, 'warm/node')], mb });

    const subjects = [{ name: 'CNCF distribution 2.8', host: cncf.host }, { name: 'berth registry', host: berth.host }];
    for (const s of subjects) {
      const push: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        if (i > 0) await forget(s.host, 'bench/node');
        push.push(await pushAs(s.host, 'bench/node'));
      }
      rows.push({ what: `docker push via berthd → ${s.name}`, ms: push, mb });
    }
    // pulls: the local store must not have the layer, so remove every image first
    await dk(['rmi', 'bench/node:src']);
    for (const s of subjects) {
      const pull: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const name = `${s.host}/bench/node:1`;
        pull.push(await timed(() => dk(['pull', name])));
        await dk(['rmi', name]);
        const left = (await api(d.sock, 'GET', '/images/json')).json<unknown[]>();
        if (left.length) throw new Error('image store not empty between pulls');
      }
      rows.push({ what: `docker pull via berthd ← ${s.name}`, ms: pull, mb });
    }

    // skopeo as the client: the registries alone
    for (const s of subjects) {
      const down: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const dir = join(work, `skopeo-${i}`);
        rmSync(dir, { recursive: true, force: true });
        down.push(await timed(() => run('skopeo', ['copy', '--src-tls-verify=false', `docker://${s.host}/bench/node:1`, `dir:${dir}`], { timeoutMs: 600000 })));
        rmSync(dir, { recursive: true, force: true });
      }
      rows.push({ what: `skopeo copy ← ${s.name} (download)`, ms: down, mb });
    }

    // dockerd as the client, one engine at a time
    await d.cleanup();
    let dockerdLine: string;
    const dkd = await dockerdSubject([], (x) => x.importTar(tarball, 'bench/node:src', ['CMD ["node"]']));
    if ('subject' in dkd) {
      const ddk = (args: string[]) => run('docker', args, { env: dkd.subject.env, timeoutMs: 600000 });
      const throwaway = dkd.subject.label.startsWith('throwaway');
      try {
        const dpushAs = async (host: string, repo: string) => { await ddk(['tag', 'bench/node:src', `${host}/${repo}:1`]); const ms = await timed(() => ddk(['push', `${host}/${repo}:1`])); await ddk(['rmi', `${host}/${repo}:1`]); return ms; };
        if (throwaway) {
          rows.push({ what: 'first push via dockerd (gzip + upload) → throwaway CNCF', ms: [await dpushAs(warm.host, 'dwarm/node')], mb });
          for (const s of subjects) {
            const push: number[] = [];
            for (let i = 0; i < RUNS; i++) {
              await forget(s.host, 'bench/node'); // berthd's push or the previous one: every push uploads
              push.push(await dpushAs(s.host, 'bench/node'));
            }
            rows.push({ what: `docker push via dockerd → ${s.name}`, ms: push, mb });
          }
          await ddk(['rmi', 'bench/node:src']);
        }
        for (const s of throwaway ? subjects : subjects.slice(0, 1)) {
          const pull: number[] = [];
          for (let i = 0; i < RUNS; i++) {
            const name = `${s.host}/bench/node:1`;
            pull.push(await timed(() => ddk(['pull', name])));
            await ddk(['rmi', name]);
            if (throwaway && (await ddk(['images', '-q'])).stdout.trim()) throw new Error('dockerd image store not empty between pulls');
          }
          rows.push({ what: `docker pull via dockerd ← ${s.name}`, ms: pull, mb });
        }
        const dPull = median(rows.find((r) => r.what === 'docker pull via dockerd ← CNCF distribution 2.8')!.ms);
        const bPullC = median(rows.find((r) => r.what === 'docker pull via berthd ← CNCF distribution 2.8')!.ms);
        dockerdLine = `${dkd.subject.label}: pull from CNCF ${dPull.toFixed(0)} ms vs berthd ${bPullC.toFixed(0)} ms = berthd ${(dPull / bPullC).toFixed(2)}x (target ≥ 1.5x: ${dPull / bPullC >= 1.5 ? 'MEETS' : 'DOES NOT MEET'})`;
      } catch (e) {
        dockerdLine = `${dkd.subject.label}: failed: ${(e as Error).message}`;
      } finally {
        await dkd.subject.stop();
      }
    } else {
      dockerdLine = `dockerd: ${dkd.reason} — no side-by-side figures`;
    }

    console.log(`\nbench/registry — image: node:lts-slim fixture, one layer, ${mb.toFixed(1)} MB uncompressed tar; ${RUNS} run(s) each, median\n`);
    console.log(`${'what'.padEnd(58)} ${'median ms'.padStart(10)} ${'MB/s'.padStart(8)}   samples`);
    for (const r of rows) {
      const m = median(r.ms);
      console.log(`${r.what.padEnd(58)} ${m.toFixed(0).padStart(10)} ${(r.mb / (m / 1000)).toFixed(1).padStart(8)}   ${r.ms.map((x) => x.toFixed(0)).join(', ')}`);
    }
    console.log('\n(MB/s is the uncompressed image size over wall time: a pull includes download, verify and unpack; a push is the upload of the gzip blob.)');
    const cPull = median(rows.find((r) => r.what === 'docker pull via berthd ← CNCF distribution 2.8')!.ms);
    const bPull = median(rows.find((r) => r.what === 'docker pull via berthd ← berth registry')!.ms);
    const cDown = median(rows.find((r) => r.what.startsWith('skopeo copy ← CNCF'))!.ms);
    const bDown = median(rows.find((r) => r.what.startsWith('skopeo copy ← berth'))!.ms);
    console.log(`berth registry vs CNCF, same client: berthd pull ${(cPull / bPull).toFixed(2)}x, skopeo download ${(cDown / bDown).toFixed(2)}x (>1 = berth faster; target ≥ 1)`);
    console.log(dockerdLine);
  } catch (e) {
    console.log(`bench/registry failed: ${(e as Error).message}`);
  } finally {
    await d.cleanup();
    if (berth && berth.child.exitCode === null) { berth.child.kill('SIGTERM'); await new Promise((r) => berth!.child.once('exit', r)); }
    await cncf.stop();
    await warm.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
