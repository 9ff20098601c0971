/**
 * Pulls through a faulty registry (a proxy in front of the CNCF registry):
 * a connection dropped mid-blob resumes with Range (or restarts when the
 * registry ignores ranges), a blob with the wrong bytes is refused, 500s are
 * retried, a permanent 500 / 401 fails clearly, a slow registry still
 * completes, and kill -9 of berthd mid-pull leaves no partial blob, no
 * image, and (after the restart's collection) no blob or layer at all. Never a corrupt blob or a half-registered image.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, until, sleep } from './harness.js';
import { CncfRegistry, seedImage, freePort, type SeededImage } from './registry-harness.js';

const reg = new CncfRegistry();
let seeded: SeededImage;
let proxy: http.Server;
let proxyHost = '';
let d: TestDaemon;

type Fault = (req: IncomingMessage, res: ServerResponse, forward: (opts?: { transform?: (b: Buffer) => Buffer; throttle?: number; dropAfter?: number; stripRange?: boolean }) => void) => boolean;
let fault: Fault | undefined;
const seen: { method: string; url: string; range?: string }[] = [];

function forwardTo(req: IncomingMessage, res: ServerResponse, o: { transform?: (b: Buffer) => Buffer; throttle?: number; dropAfter?: number; stripRange?: boolean } = {}) {
  const headers = { ...req.headers, host: reg.host };
  if (o.stripRange) delete headers.range;
  const up = http.request(`${reg.url}${req.url}`, { method: req.method, headers, agent: false }, (ur) => {
    const chunks: Buffer[] = [];
    ur.on('data', (c: Buffer) => chunks.push(c));
    ur.on('end', async () => {
      let body: Buffer = Buffer.concat(chunks);
      if (o.transform) body = Buffer.from(o.transform(body));
      res.writeHead(ur.statusCode ?? 500, ur.headers);
      if (req.method === 'HEAD') { res.end(); return; }
      const step = o.throttle || o.dropAfter !== undefined ? 16 * 1024 : body.length || 1;
      for (let i = 0; i < body.length; i += step) {
        if (o.dropAfter !== undefined && i >= o.dropAfter) { res.socket?.destroy(); return; }
        if (res.destroyed) return;
        res.write(body.subarray(i, i + step));
        // let bytes reach the client before a later drop (a destroyed socket discards unsent data)
        if (o.throttle) await sleep(o.throttle); else if (o.dropAfter !== undefined) await sleep(2);
      }
      res.end();
    });
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}

before(async () => {
  await reg.start();
  seeded = await seedImage(reg.url, 'library/busybox', 'latest');
  const port = await freePort();
  proxyHost = `127.0.0.1:${port}`;
  proxy = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range });
    if (fault && fault(req, res, (o) => forwardTo(req, res, o))) return;
    forwardTo(req, res);
  });
  await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', () => r()));
  d = new TestDaemon();
  await d.start();
});
after(async () => {
  await d?.cleanup();
  proxy?.closeAllConnections();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await reg.stop();
});

const layerUrl = () => `/v2/library/busybox/blobs/${seeded.layerDigests[0]}`;
const image = () => `${proxyHost}/library/busybox:latest`;
const blobFile = () => join(d.dataRoot, 'content', 'blobs', 'sha256', seeded.layerDigests[0].slice(7));

async function assertNothingLeft() {
  assert.deepEqual((await d.api('GET', '/images/json')).json(), []);
  assert.equal(existsSync(blobFile()), false, 'no layer blob committed');
  const ingest = join(d.dataRoot, 'content', 'ingest');
  if (existsSync(ingest)) assert.deepEqual(readdirSync(ingest), []);
}

async function reset() {
  fault = undefined;
  seen.length = 0;
  await d.api('DELETE', `/images/${encodeURIComponent(image())}`);
  // drop the layer too, so the next pull downloads it again
  const r = await d.api('GET', '/images/json');
  assert.deepEqual(r.json(), []);
}

test('a connection dropped mid-blob resumes with Range', async () => {
  let dropped = false;
  fault = (req, _res, fwd) => {
    if (req.url === layerUrl() && req.method === 'GET' && !req.headers.range && !dropped) { dropped = true; fwd({ dropAfter: 300 * 1024 }); return true; }
    return false;
  };
  const r = await d.docker(['pull', image()]);
  assert.equal(r.code, 0, r.stderr);
  const gets = seen.filter((s) => s.url === layerUrl() && s.method === 'GET');
  assert.equal(gets.length, 2, JSON.stringify(seen));
  assert.match(gets[1].range ?? '', /^bytes=\d+-$/);
  assert.ok(Number(/bytes=(\d+)-/.exec(gets[1].range!)![1]) > 0);
  assert.equal((await d.docker(['run', '--rm', image(), 'echo', 'resumed'])).stdout.trim(), 'resumed');
  await reset();
});

test('a registry that ignores Range: the blob starts over and still verifies', async () => {
  let drops = 0;
  fault = (req, _res, fwd) => {
    if (req.url === layerUrl() && req.method === 'GET') {
      if (drops++ === 0) { fwd({ dropAfter: 200 * 1024 }); return true; }
      fwd({ stripRange: true }); return true;
    }
    return false;
  };
  const r = await d.docker(['pull', image()]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(seen.filter((s) => s.url === layerUrl()).length >= 3);
  await reset();
});

test('a blob with the wrong bytes is refused: no blob, no image', async () => {
  fault = (req, _res, fwd) => {
    if (req.url === layerUrl() && req.method === 'GET') { fwd({ transform: (b) => { const c = Buffer.from(b); c[c.length >> 1] ^= 0xff; return c; } }); return true; }
    return false;
  };
  const r = await d.docker(['pull', image()]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /verification failed|digest mismatch/i);
  await assertNothingLeft();
  await reset();
});

test('500s are retried; a permanent 500 and a 401 fail clearly', async () => {
  let n = 0;
  fault = (req, res) => {
    if (req.url?.includes('/manifests/') && n++ < 2) { res.writeHead(500); res.end('boom'); return true; }
    return false;
  };
  const ok = await d.docker(['pull', image()]);
  assert.equal(ok.code, 0, ok.stderr);
  await reset();

  fault = (req, res) => { if (req.url?.includes('/manifests/')) { res.writeHead(500, { 'content-type': 'application/json' }); res.end('{"errors":[{"code":"UNKNOWN","message":"backend down"}]}'); return true; } return false; };
  const down = await d.docker(['pull', image()]);
  assert.notEqual(down.code, 0);
  assert.match(down.stderr, /backend down/);
  await assertNothingLeft();

  fault = (_req, res) => { res.writeHead(401, { 'www-authenticate': 'Basic realm="x"', 'content-type': 'application/json' }); res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'); return true; };
  const denied = await d.docker(['pull', image()]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /pull access denied .*busybox|authentication required/);
  await assertNothingLeft();
  await reset();
});

test('a slow registry: the pull completes with progress', async () => {
  fault = (req, _res, fwd) => { if (req.url === layerUrl() && req.method === 'GET') { fwd({ throttle: 5 }); return true; } return false; };
  const r = await d.api('POST', `/images/create?fromImage=${encodeURIComponent(`${proxyHost}/library/busybox`)}&tag=latest`);
  assert.equal(r.status, 200);
  const msgs = r.body.toString().trim().split(/\r?\n/).map((l) => JSON.parse(l));
  assert.ok(msgs.filter((m) => m.status === 'Downloading').length >= 3, 'several progress updates');
  assert.match(msgs.at(-1).status, /Downloaded newer image/);
  await reset();
});

test('two pulls of the same image at once share the layer download', async () => {
  fault = (req, _res, fwd) => { if (req.url === layerUrl() && req.method === 'GET') { fwd({ throttle: 2 }); return true; } return false; };
  const [a, b] = await Promise.all([d.docker(['pull', image()]), d.docker(['pull', image()])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(seen.filter((s) => s.url === layerUrl() && s.method === 'GET').length, 1);
  assert.equal((await d.api('GET', '/images/json')).json<unknown[]>().length, 1);
  await reset();
});

test('a client that goes away mid-pull cancels it: no partial blob, no image', async () => {
  fault = (req, _res, fwd) => { if (req.url === layerUrl() && req.method === 'GET') { fwd({ throttle: 50 }); return true; } return false; };
  const ac = new AbortController();
  const req = http.request({ socketPath: d.sock, method: 'POST', path: `/v1.50/images/create?fromImage=${encodeURIComponent(`${proxyHost}/library/busybox`)}&tag=latest`, signal: ac.signal }, (res) => res.resume());
  req.on('error', () => undefined);
  req.end();
  await until(() => existsSync(join(d.dataRoot, 'content', 'ingest')) && readdirSync(join(d.dataRoot, 'content', 'ingest')).length > 0, 20000);
  ac.abort();
  // the daemon stops the download and removes its temp file
  await until(() => readdirSync(join(d.dataRoot, 'content', 'ingest')).length === 0, 20000);
  await assertNothingLeft();
  const inFlight = seen.filter((s) => s.url === layerUrl()).length;
  await sleep(500);
  assert.equal(seen.filter((s) => s.url === layerUrl()).length, inFlight, 'no retry after the cancel');
  await reset();
});

test('kill -9 of berthd mid-pull: after restart no partial blob, no image; the pull then succeeds', async () => {
  fault = (req, _res, fwd) => { if (req.url === layerUrl() && req.method === 'GET') { fwd({ throttle: 50 }); return true; } return false; };
  const pulling = d.docker(['pull', image()], { timeoutMs: 120000 });
  await until(() => existsSync(join(d.dataRoot, 'content', 'ingest')) && readdirSync(join(d.dataRoot, 'content', 'ingest')).length > 0, 20000);
  await sleep(300);
  await d.crash();
  await pulling.catch(() => undefined);
  fault = undefined;
  await d.start();
  await assertNothingLeft();
  // the config blob (fetched before the layers) and anything else the pull committed went with the start-up collection
  assert.deepEqual(readdirSync(join(d.dataRoot, 'content', 'blobs', 'sha256')), [], 'no blob without an image');
  assert.deepEqual(readdirSync(join(d.dataRoot, 'snapshots', 'layers')), [], 'no layer without an image');
  const again = await d.docker(['pull', image()]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await d.docker(['run', '--rm', image(), 'echo', 'after-crash'])).stdout.trim(), 'after-crash');
  await reset();
});
