import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { kindOf, type ErrorKind } from '../errdefs/errors.js';
import { encodeFrame, StdDemuxer, type StdFrame } from '../api/stdcopy.js';
import { DockerClient, queryString } from './docker-client.js';
import { DaemonError } from './response-errors.js';

let dir: string;
let sock: string;
let server: http.Server;
const seen: { method?: string; url?: string; body: string }[] = [];

/** A fake daemon: routes keyed by "METHOD path-without-query". */
function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  seen.push({ method: req.method, url: req.url, body });
  const path = (req.url ?? '').split('?')[0];
  const errorMatch = /^\/v1\.50\/error\/(\d+)$/.exec(path);
  if (errorMatch) {
    res.writeHead(Number(errorMatch[1]), { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: `status ${errorMatch[1]} from daemon` }));
    return;
  }
  switch (`${req.method} ${path}`) {
    case 'GET /_ping':
      res.writeHead(200, { 'Api-Version': '1.50', Ostype: 'linux', 'Docker-Experimental': 'false' });
      res.end('OK');
      return;
    case 'GET /v1.50/containers/json':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('[]');
      return;
    case 'GET /v1.50/containers/missing/json':
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"message":"No such container: missing"}');
      return;
    case 'POST /v1.50/containers/create':
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Id: 'abc', Warnings: [] }));
      return;
    case 'POST /v1.50/containers/running/start':
      res.writeHead(304);
      res.end();
      return;
    case 'POST /v1.50/containers/plain/attach':
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      res.end(Buffer.concat([encodeFrame(1, 'out'), encodeFrame(2, 'err')]));
      return;
    case 'POST /v1.50/images/create':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"status":"sha256:${'a'.repeat(64)}"}\n`);
      return;
    case 'POST /v1.50/containers/c1/wait':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end('{"StatusCode":3}'), 50);
      return;
    default:
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('page not found');
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-client-'));
  sock = join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()));
  });
  // Hijack: answer 101 and write frames on the raw socket, like dockerd.
  server.on('upgrade', (req, socket) => {
    seen.push({ method: req.method, url: req.url, body: '' });
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    socket.write(encodeFrame(1, 'hello '));
    socket.end(encodeFrame(2, 'world'));
  });
  await new Promise<void>((r) => server.listen(sock, r));
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new DockerClient({ host: `unix://${sock}`, env: {} });

test('ping reads the headers', async () => {
  assert.deepEqual(await client().ping(), { apiVersion: '1.50', osType: 'linux', experimental: false, builderVersion: undefined });
});

test('error statuses map to kinds and keep the daemon message', async () => {
  const cases: [number, ErrorKind][] = [
    [400, 'invalid-argument'], [401, 'unauthorized'], [403, 'forbidden'], [404, 'not-found'], [409, 'conflict'],
    [500, 'system'], [501, 'not-implemented'], [503, 'unavailable'],
  ];
  for (const [status, kind] of cases) {
    const res = await client().transport.request({ method: 'GET', path: `/v1.50/error/${status}` }).then(() => undefined, (e) => e);
    assert.ok(res instanceof DaemonError, String(status));
    assert.equal(kindOf(res), kind, String(status));
    assert.equal(res.message, `status ${status} from daemon`);
    assert.equal(res.status, status);
  }
});

test('a non-JSON error body is kept verbatim', async () => {
  const err = await client().inspectContainer('nope').then(() => undefined, (e) => e);
  assert.equal(kindOf(err), 'not-found');
  assert.equal((err as Error).message, 'page not found');
});

test('404 with a JSON body', async () => {
  await assert.rejects(client().inspectContainer('missing'), (e: Error) => kindOf(e) === 'not-found' && e.message === 'No such container: missing');
});

test('304 on start is success-without-change', async () => {
  assert.equal(await client().startContainer('running'), false);
});

test('create sends JSON and the name as a query parameter', async () => {
  const res = await client().createContainer({ Image: 'busybox', Cmd: ['ls'] }, { name: 'web' });
  assert.equal(res.Id, 'abc');
  const last = seen.at(-1)!;
  assert.equal(last.url, '/v1.50/containers/create?name=web');
  assert.deepEqual(JSON.parse(last.body), { Image: 'busybox', Cmd: ['ls'] });
});

test('import streams the body and yields progress messages', async () => {
  const msgs = [];
  for await (const m of await client().importImage(Readable.from([Buffer.from('tarbytes')]), { repo: 'r', tag: 't', changes: ['CMD ["sh"]', 'ENV A=1'] })) msgs.push(m);
  assert.equal(msgs.length, 1);
  const last = seen.at(-1)!;
  assert.equal(last.body, 'tarbytes');
  assert.equal(last.url, '/v1.50/images/create?fromSrc=-&repo=r&tag=t&changes=CMD+%5B%22sh%22%5D&changes=ENV+A%3D1');
});

async function collect(stream: NodeJS.ReadableStream): Promise<string[]> {
  const out: string[] = [];
  for await (const f of stream.pipe(new StdDemuxer())) out.push(`${(f as StdFrame).stream}:${(f as StdFrame).data}`);
  return out;
}

test('attach over a 101 upgrade yields the multiplexed stream', async () => {
  const h = await client().attachContainer('c1', { stream: true, stdout: true, stderr: true });
  assert.equal(h.upgraded, true);
  assert.deepEqual(await collect(h.output), ['1:hello ', '2:world']);
  assert.match(seen.at(-1)!.url!, /\/v1\.50\/containers\/c1\/attach\?stream=1&stdout=1&stderr=1/);
});

test('attach answered with a plain 200 (no upgrade) yields the body', async () => {
  // A second daemon with no 'upgrade' listener: node serves the request normally.
  const plainSock = join(dir, 'plain.sock');
  const plain = http.createServer((req, res) => handle(req, res, ''));
  await new Promise<void>((r) => plain.listen(plainSock, r));
  try {
    const h = await new DockerClient({ host: `unix://${plainSock}`, env: {} }).attachContainer('plain');
    assert.equal(h.upgraded, false);
    assert.equal(h.input, undefined);
    assert.deepEqual(await collect(h.output), ['1:out', '2:err']);
  } finally {
    await new Promise<void>((r) => plain.close(() => r()));
  }
});

test('wait registers before resolving and then reports the exit code', async () => {
  const pending = await client().beginWait('c1', { condition: 'next-exit' });
  assert.deepEqual(await pending.result, { StatusCode: 3 });
});

test('an unreachable daemon gives Docker\'s wording', async () => {
  const host = `unix://${join(dir, 'nobody-home.sock')}`;
  await assert.rejects(new DockerClient({ host, env: {} }).ping(), (e: Error) =>
    kindOf(e) === 'unavailable' && e.message === `Cannot connect to the berth daemon at ${host}. Is the berth daemon running?`);
});

test('queryString encodes booleans, arrays and skips unset values', () => {
  const cases: [Record<string, string | number | boolean | undefined | string[]>, string][] = [
    [{}, ''],
    [{ all: true, size: false, limit: 3 }, '?all=1&limit=3'],
    [{ name: undefined, changes: ['a', 'b'] }, '?changes=a&changes=b'],
  ];
  for (const [input, want] of cases) assert.equal(queryString(input), want);
});
