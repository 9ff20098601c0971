/**
 * test/integration/registry-harness — registries for the distribution
 * tests: the CNCF distribution registry (Debian's docker-registry) on
 * 127.0.0.1 with temp storage, a seeder that pushes an image over plain
 * HTTP (monolithic uploads), and free-port lookup. Everything lives in a temp
 * dir named with TEST_PREFIX so the leftover check sees it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PREFIX, sleep, busyboxRootfs } from './harness.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

export interface HttpResult { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

export function http(url: string, method = 'GET', body?: Buffer, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export class CncfRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}registry-`));
  port = 0;
  private child?: ChildProcess;
  log = '';

  get host(): string { return `127.0.0.1:${this.port}`; }
  get url(): string { return `http://${this.host}`; }

  async start(opts: { htpasswd?: string } = {}): Promise<void> {
    this.port = await freePort();
    const auth = opts.htpasswd ? `auth:\n  htpasswd:\n    realm: test\n    path: ${join(this.dir, 'htpasswd')}\n` : '';
    if (opts.htpasswd) writeFileSync(join(this.dir, 'htpasswd'), opts.htpasswd);
    writeFileSync(join(this.dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(this.dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${this.port}\n${auth}`);
    this.child = spawn('docker-registry', ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => { this.log += d.toString(); });
    this.child.stderr!.on('data', (d: Buffer) => { this.log += d.toString(); });
    const end = Date.now() + 15000;
    while (Date.now() < end) {
      if (this.child.exitCode !== null) throw new Error(`docker-registry exited: ${this.log}`);
      try { const r = await http(`${this.url}/v2/`); if (r.status === 200 || r.status === 401) return; } catch { /* not yet */ }
      await sleep(50);
    }
    throw new Error(`docker-registry did not come up: ${this.log}`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c && c.exitCode === null) {
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([done, sleep(5000)]);
      if (c.exitCode === null) c.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function pushBlob(base: string, repo: string, blob: Buffer, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha256(blob);
  const head = await http(`${base}/v2/${repo}/blobs/${digest}`, 'HEAD', undefined, headers);
  if (head.status === 200) return digest;
  const start = await http(`${base}/v2/${repo}/blobs/uploads/`, 'POST', Buffer.alloc(0), headers);
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${start.body}`);
  const loc = new URL(String(start.headers.location), base);
  loc.searchParams.set('digest', digest);
  const put = await http(loc.toString(), 'PUT', blob, { 'content-type': 'application/octet-stream', ...headers });
  if (put.status !== 201) throw new Error(`upload: ${put.status} ${put.body}`);
  return digest;
}

export interface SeededImage { manifestDigest: string; configDigest: string; layerDigests: string[]; manifest: Buffer }

/**
 * Push an image made of gzip'ed layer tars (default: the busybox rootfs)
 * with CMD ["sh"] as a Docker schema2 manifest.
 */
export async function seedImage(base: string, repo: string, tag: string, opts: { layers?: Buffer[]; headers?: Record<string, string>; mediaType?: 'docker' | 'oci'; cmd?: string[]; architecture?: string } = {}): Promise<SeededImage> {
  const tars = opts.layers ?? [readFileSync(busyboxRootfs())];
  const gz = tars.map((t) => gzipSync(t, { level: 1 }));
  const config = Buffer.from(JSON.stringify({
    architecture: opts.architecture ?? 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
    config: { Cmd: opts.cmd ?? ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
    history: tars.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'seed' })),
  }));
  const oci = opts.mediaType === 'oci';
  const configDigest = await pushBlob(base, repo, config, opts.headers);
  const layerDigests: string[] = [];
  for (const g of gz) layerDigests.push(await pushBlob(base, repo, g, opts.headers));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.length },
    layers: gz.map((g, i) => ({ mediaType: oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: layerDigests[i], size: g.length })),
  }));
  const put = await http(`${base}/v2/${repo}/manifests/${tag}`, 'PUT', manifest, { 'content-type': oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json', ...opts.headers });
  if (put.status !== 201) throw new Error(`manifest put: ${put.status} ${put.body}`);
  return { manifestDigest: sha256(manifest), configDigest, layerDigests, manifest };
}

/** Push an OCI index over already pushed manifests (by digest), each with its platform. */
export async function seedIndex(base: string, repo: string, tag: string, entries: { image: SeededImage; platform: { os: string; architecture: string; variant?: string } }[]): Promise<string> {
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: entries.map((e) => ({ mediaType: JSON.parse(e.image.manifest.toString()).mediaType, digest: e.image.manifestDigest, size: e.image.manifest.length, platform: e.platform })),
  }));
  const put = await http(`${base}/v2/${repo}/manifests/${tag}`, 'PUT', index, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
  if (put.status !== 201) throw new Error(`index put: ${put.status} ${put.body}`);
  return sha256(index);
}
