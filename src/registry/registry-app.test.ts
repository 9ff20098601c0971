import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveRegistry, collectGarbage, type RunningRegistry } from './registry-server.js';

let root: string;
let reg: RunningRegistry;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'berth-regapp-'));
  reg = await serveRegistry({ addr: '127.0.0.1:0', root });
});
after(async () => {
  await reg.close();
  rmSync(root, { recursive: true, force: true });
});

interface R { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json: () => any }
function call(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<R> {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const req = request(`${reg.url}${path}`, { method, agent: false, headers: { ...(data ? { 'content-length': String(data.length) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { const b = Buffer.concat(chunks); resolve({ status: res.statusCode!, headers: res.headers, body: b, json: () => JSON.parse(b.toString()) }); });
    });
    req.on('error', reject);
    req.end(data);
  });
}
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const code = (r: R) => r.json().errors[0].code;

async function pushBlob(name: string, blob: Buffer): Promise<string> {
  const d = sha(blob);
  const r = await call('POST', `/v2/${name}/blobs/uploads/?digest=${d}`, blob);
  assert.equal(r.status, 201, r.body.toString());
  return d;
}

function manifest(config: Buffer, layers: Buffer[], extra: object = {}): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(l), size: l.length })),
    ...extra,
  }));
}

test('/v2/ answers with the API version header', async () => {
  const r = await call('GET', '/v2/');
  assert.equal(r.status, 200);
  assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
});

test('chunked upload (PATCH + Content-Range), status, out-of-order chunk, Range GET', async () => {
  const blob = Buffer.from('0123456789abcdefghij');
  const start = await call('POST', '/v2/chunky/blobs/uploads/');
  assert.equal(start.status, 202);
  const loc = String(start.headers.location);
  const p1 = await call('PATCH', loc, blob.subarray(0, 10), { 'content-range': '0-9', 'content-type': 'application/octet-stream' });
  assert.equal(p1.status, 202);
  assert.equal(p1.headers.range, '0-9');
  const bad = await call('PATCH', loc, blob.subarray(15), { 'content-range': '15-19' });
  assert.equal(bad.status, 416);
  const status = await call('GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-9');
  const p2 = await call('PATCH', loc, blob.subarray(10), { 'content-range': '10-19' });
  assert.equal(p2.headers.range, '0-19');
  const wrong = await call('PUT', `${loc}?digest=${sha('nope')}`);
  assert.equal(wrong.status, 400);
  assert.equal(code(wrong), 'DIGEST_INVALID');
  // the failed commit ended the session
  assert.equal(code(await call('GET', loc)), 'BLOB_UPLOAD_UNKNOWN');

  const s2 = String((await call('POST', '/v2/chunky/blobs/uploads/')).headers.location);
  await call('PATCH', s2, blob.subarray(0, 7));
  const put = await call('PUT', `${s2}?digest=${sha(blob)}`, blob.subarray(7));
  assert.equal(put.status, 201);
  assert.equal(put.headers['docker-content-digest'], sha(blob));
  const head = await call('HEAD', `/v2/chunky/blobs/${sha(blob)}`);
  assert.equal(head.headers['content-length'], '20');
  const part = await call('GET', `/v2/chunky/blobs/${sha(blob)}`, undefined, { range: 'bytes=5-9' });
  assert.equal(part.status, 206);
  assert.equal(part.body.toString(), '56789');
  assert.equal(part.headers['content-range'], 'bytes 5-9/20');
  assert.equal((await call('GET', `/v2/chunky/blobs/${sha(blob)}`, undefined, { range: 'bytes=30-' })).status, 416);
  // other repositories do not see it until mounted
  assert.equal(code(await call('GET', `/v2/other/blobs/${sha(blob)}`)), 'BLOB_UNKNOWN');
  const mount = await call('POST', `/v2/other/blobs/uploads/?mount=${sha(blob)}&from=chunky`);
  assert.equal(mount.status, 201);
  assert.equal((await call('HEAD', `/v2/other/blobs/${sha(blob)}`)).status, 200);
  const noMount = await call('POST', `/v2/third/blobs/uploads/?mount=${sha(blob)}&from=nowhere`);
  assert.equal(noMount.status, 202, 'an impossible mount starts an upload instead');
  assert.equal((await call('DELETE', String(noMount.headers.location))).status, 204);
});

test('manifests: references checked, tag + digest, media type, tags pagination, catalog, delete, referrers', async () => {
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const layer = Buffer.from('layer-bytes');
  const m = manifest(config, [layer]);
  const missing = await call('PUT', '/v2/app/manifests/v1', m, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
  assert.equal(missing.status, 400);
  assert.equal(code(missing), 'MANIFEST_BLOB_UNKNOWN');
  assert.equal((await call('GET', '/v2/app/manifests/v1')).status, 404);
  await pushBlob('app', config);
  await pushBlob('app', layer);
  for (const t of ['v1', 'v2', 'v3']) {
    const put = await call('PUT', `/v2/app/manifests/${t}`, m, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    assert.equal(put.status, 201, put.body.toString());
    assert.equal(put.headers['docker-content-digest'], sha(m));
  }
  const get = await call('GET', '/v2/app/manifests/v1');
  assert.equal(get.headers['content-type'], 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(get.headers['docker-content-digest'], sha(m));
  assert.deepEqual(get.body, m);
  assert.equal((await call('GET', `/v2/app/manifests/${sha(m)}`)).status, 200);
  const wrongDigest = await call('PUT', `/v2/app/manifests/${sha('x')}`, m, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
  assert.equal(code(wrongDigest), 'DIGEST_INVALID');

  const page1 = await call('GET', '/v2/app/tags/list?n=2');
  assert.deepEqual(page1.json(), { name: 'app', tags: ['v1', 'v2'] });
  assert.equal(page1.headers.link, '</v2/app/tags/list?n=2&last=v2>; rel="next"');
  assert.deepEqual((await call('GET', '/v2/app/tags/list?n=2&last=v2')).json().tags, ['v3']);
  assert.equal(code(await call('GET', '/v2/nope/tags/list')), 'NAME_UNKNOWN');
  assert.ok((await call('GET', '/v2/_catalog')).json().repositories.includes('app'));

  // referrers: an artifact whose subject is the image
  const sig = Buffer.from('signature');
  await pushBlob('app', sig);
  const emptyCfg = Buffer.from('{}');
  await pushBlob('app', emptyCfg);
  const art = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.sig',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(emptyCfg), size: 2 },
    layers: [{ mediaType: 'application/octet-stream', digest: sha(sig), size: sig.length }],
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(m), size: m.length },
  }));
  const artPut = await call('PUT', `/v2/app/manifests/${sha(art)}`, art, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
  assert.equal(artPut.status, 201);
  assert.equal(artPut.headers['oci-subject'], sha(m));
  const refs = (await call('GET', `/v2/app/referrers/${sha(m)}`)).json();
  assert.deepEqual(refs.manifests.map((d: { digest: string; artifactType: string }) => [d.digest, d.artifactType]), [[sha(art), 'application/vnd.example.sig']]);
  const filtered = await call('GET', `/v2/app/referrers/${sha(m)}?artifactType=other`);
  assert.deepEqual(filtered.json().manifests, []);
  assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');

  assert.equal((await call('DELETE', '/v2/app/manifests/v3')).status, 202);
  assert.deepEqual((await call('GET', '/v2/app/tags/list')).json().tags, ['v1', 'v2']);
  assert.equal((await call('DELETE', `/v2/app/manifests/${sha(m)}`)).status, 202);
  assert.equal((await call('GET', '/v2/app/manifests/v1')).status, 404);
  assert.deepEqual((await call('GET', '/v2/app/tags/list')).json().tags, []);

  // gc: the image's blobs are unreferenced now; the artifact still references the signature
  const dry = await collectGarbage({ root, dryRun: true });
  assert.ok(dry.removed.includes(sha(layer)) && dry.removed.includes(sha(m)));
  assert.ok(!dry.removed.includes(sha(sig)));
  await collectGarbage({ root });
  assert.equal(code(await call('GET', `/v2/app/blobs/${sha(layer)}`)), 'BLOB_UNKNOWN');
  assert.equal((await call('GET', `/v2/app/blobs/${sha(sig)}`)).status, 200);
});

test('bad input: OCI error codes and nothing stored', async () => {
  const blobs = () => readdirSync(join(root, 'blobs', 'blobs', 'sha256')).length;
  const before = blobs();
  const cases: [string, string, Buffer | string | undefined, Record<string, string>, number, string][] = [
    ['POST', '/v2/a/blobs/uploads/?digest=sha256:xyz', 'x', {}, 400, 'DIGEST_INVALID'],
    ['POST', `/v2/a/blobs/uploads/?digest=${sha('other')}`, 'x', {}, 400, 'DIGEST_INVALID'],
    ['POST', '/v2/a/blobs/uploads/?digest=md5:abcd', 'x', {}, 400, 'DIGEST_INVALID'],
    ['GET', '/v2/a/blobs/sha256:123', undefined, {}, 400, 'DIGEST_INVALID'],
    ['GET', `/v2/a/blobs/${sha('none')}`, undefined, {}, 404, 'BLOB_UNKNOWN'],
    ['GET', '/v2/Upper/tags/list', undefined, {}, 400, 'NAME_INVALID'],
    ['GET', '/v2/a%2F..%2F..%2Fetc/tags/list', undefined, {}, 400, 'NAME_INVALID'],
    ['PUT', '/v2/a%2F..%2Fb/manifests/x', '{}', {}, 400, 'NAME_INVALID'],
    ['GET', '/v2/a/blobs/uploads/not-a-uuid', undefined, {}, 404, 'BLOB_UPLOAD_UNKNOWN'],
    ['GET', '/v2/a/blobs/uploads/00000000-0000-0000-0000-000000000000', undefined, {}, 404, 'BLOB_UPLOAD_UNKNOWN'],
    ['PUT', '/v2/a/manifests/t', 'not json', { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, 400, 'MANIFEST_INVALID'],
    ['PUT', '/v2/a/manifests/t', '{"schemaVersion":1}', {}, 400, 'MANIFEST_INVALID'],
    ['PUT', '/v2/a/manifests/-bad', '{}', {}, 400, 'MANIFEST_INVALID'],
    ['PUT', '/v2/a/manifests/t', Buffer.alloc(5 * 1024 * 1024, 32), {}, 413, 'SIZE_INVALID'],
    ['DELETE', '/v2/a/manifests/nope', undefined, {}, 404, 'MANIFEST_UNKNOWN'],
    ['PATCH', '/v2/a/tags/list', undefined, {}, 405, 'UNSUPPORTED'],
  ];
  for (const [method, path, body, headers, status, c] of cases) {
    const r = await call(method, path, body, headers);
    assert.equal(r.status, status, `${method} ${path}: ${r.body}`);
    assert.equal(code(r), c, `${method} ${path}`);
  }
  // a chunk whose Content-Length disagrees with Content-Range
  const loc = String((await call('POST', '/v2/a/blobs/uploads/')).headers.location);
  const sz = await call('PATCH', loc, 'abc', { 'content-range': '0-9' });
  assert.equal(code(sz), 'SIZE_INVALID');
  await call('DELETE', loc);
  assert.equal(blobs(), before, 'no blob was stored');
  assert.deepEqual(readdirSync(join(root, 'uploads')), []);
  assert.ok(!existsSync(join(root, 'repositories', 'b')));
});

test('concurrent pushes of the same blob are safe', async () => {
  const blob = Buffer.alloc(2 * 1024 * 1024, 7);
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => call('POST', `/v2/same${i % 2}/blobs/uploads/?digest=${sha(blob)}`, blob)));
  assert.deepEqual(results.map((r) => r.status), [201, 201, 201, 201, 201, 201]);
  const got = await call('GET', `/v2/same1/blobs/${sha(blob)}`);
  assert.equal(sha(got.body), sha(blob));
});

test('berth\'s registry client against this server: chunked and monolithic uploads, mount, manifest, resumable fetch', async () => {
  const { RegistryClient } = await import('../distribution/registry-client.js');
  const { LocalContentStore } = await import('../content/local-content-store.js');
  const { Readable } = await import('node:stream');
  const endpoint = { url: new URL(`${reg.url}/`), mirror: false, insecureTls: true };
  const client = new RegistryClient({ endpoint, repository: 'client/test', actions: ['pull', 'push'] });
  await client.connect();
  const blob = Buffer.alloc(300_000);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 7) % 256;
  const desc = { digest: sha(blob), size: blob.length };
  assert.equal(await client.blobExists(desc.digest), false);
  const seenProgress: number[] = [];
  await client.uploadBlob(desc, (start) => Readable.from([blob.subarray(start ?? 0)]), { chunkSize: 64 * 1024, onProgress: (n) => seenProgress.push(n) });
  assert.equal(await client.blobExists(desc.digest), true);
  assert.deepEqual(seenProgress, [65536, 131072, 196608, 262144, 300000]);
  const small = Buffer.from('monolithic');
  await client.uploadBlob({ digest: sha(small), size: small.length }, () => Readable.from([small]));
  const other = new RegistryClient({ endpoint, repository: 'client/other', actions: ['pull', 'push'] });
  await other.connect();
  assert.equal(await other.mountBlob(desc.digest, 'client/test'), true);
  assert.equal(await other.mountBlob(sha('nothing'), 'client/test'), false);
  const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  await client.uploadBlob({ digest: sha(cfg), size: cfg.length }, () => Readable.from([cfg]));
  const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(cfg), size: cfg.length }, layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: desc.digest, size: desc.size }] }));
  assert.equal(await client.putManifest('t1', { bytes: m, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }), sha(m));
  const got = await client.getManifest('t1');
  assert.equal(got.digest, sha(m));
  assert.equal(got.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  const store = new LocalContentStore({ root: mkdtempSync(join(tmpdir(), 'berth-regclient-')) });
  await store.init();
  const info = await client.fetchBlob({ mediaType: 'x', ...desc }, store);
  assert.equal(info.digest, desc.digest);
  await assert.rejects(client.fetchBlob({ mediaType: 'x', digest: desc.digest, size: desc.size - 1 }, store), { code: 'BLOB_DIGEST_MISMATCH' });
  rmSync(join(store.pathOf(desc.digest), '..', '..', '..'), { recursive: true, force: true });
});

/** A request with the path exactly as given (a URL string would have its dot segments resolved by the client). */
function rawCall(method: string, path: string, body?: Buffer): Promise<R> {
  const u = new URL(reg.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, agent: false, headers: body ? { 'content-length': String(body.length) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { const b = Buffer.concat(chunks); resolve({ status: res.statusCode!, headers: res.headers, body: b, json: () => JSON.parse(b.toString()) }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p)); else out.push(p);
  }
  return out;
}

test('names with dot segments, raw or percent-encoded, are NAME_INVALID on every route: never normalised into another repository, nothing written', async () => {
  const blob = Buffer.from('dot-segment target');
  const d = await pushBlob('dotb', blob);
  const config = Buffer.from('{"cfg":"dot"}');
  await pushBlob('dotb', config);
  const mf = manifest(config, [blob]);
  assert.equal((await call('PUT', '/v2/dotb/manifests/v1', mf, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })).status, 201);
  const before = filesUnder(root).sort();
  const names = ['x/../dotb', 'x/%2e%2e/dotb', 'x/%2E%2E/dotb', 'x/.%2e/dotb', 'x/./dotb', 'x/%2e/dotb', 'x%2f..%2fdotb', 'x\\..\\dotb', '..', 'x/..', '%2e%2e'];
  const routes: [string, (n: string) => string, Buffer?][] = [
    ['GET', (n) => `/v2/${n}/tags/list`],
    ['GET', (n) => `/v2/${n}/manifests/v1`],
    ['HEAD', (n) => `/v2/${n}/manifests/v1`],
    ['PUT', (n) => `/v2/${n}/manifests/v2`, mf],
    ['DELETE', (n) => `/v2/${n}/manifests/v1`],
    ['GET', (n) => `/v2/${n}/blobs/${d}`],
    ['DELETE', (n) => `/v2/${n}/blobs/${d}`],
    ['POST', (n) => `/v2/${n}/blobs/uploads/`],
    ['POST', (n) => `/v2/${n}/blobs/uploads/?digest=${d}`, blob],
    ['POST', (n) => `/v2/${n}/blobs/uploads/?mount=${d}&from=dotb`],
    ['GET', (n) => `/v2/${n}/referrers/${d}`],
  ];
  for (const n of names) {
    for (const [method, path, body] of routes) {
      const r = await rawCall(method, path(n), body);
      assert.equal(r.status, 400, `${method} ${path(n)} → ${r.status} ${r.body}`);
      if (method !== 'HEAD') assert.equal(code(r), 'NAME_INVALID', `${method} ${path(n)}`);
    }
  }
  // a mount source with dot segments is refused too
  const m = await rawCall('POST', `/v2/dotc/blobs/uploads/?mount=${d}&from=${encodeURIComponent('x/../dotb')}`);
  assert.equal(m.status, 400);
  assert.equal(code(m), 'NAME_INVALID');
  assert.deepEqual(filesUnder(root).sort(), before, 'nothing written, nothing removed');
  assert.equal((await call('GET', `/v2/dotb/blobs/${d}`)).status, 200);
  assert.equal((await call('GET', '/v2/dotb/manifests/v1')).status, 200);
});
