import { test, before, after } from 'node:test';
import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conflict, notFound, notModified, notImplemented, BerthError } from '../errdefs/errors.js';
import { createLogger } from '../lib/log.js';
import { decodeFrames } from '../api/stdcopy.js';
import { ApiServer } from './api-server.js';
import { MAX_API_VERSION as SERVER_API_VERSION } from '../api/version.js';
import type { Backend, ContainersBackend, LogLine } from './backend.js';

let headSeen!: () => void;
const execHeadSeen = new Promise<void>((r) => { headSeen = r; });

/** A fake backend: containers "web" (no tty) and "tty" exist; everything else is not found. */
const calls: { method: string; args: unknown[] }[] = [];
const KNOWN = new Set(['web', 'tty', 'running', 'stopped']);
function must(id: string): string {
  if (!KNOWN.has(id)) throw notFound(`No such container: ${id}`, 'NO_SUCH_CONTAINER');
  return id;
}
const lines: LogLine[] = [
  { stream: 'stdout', data: Buffer.from('hello'), partial: false, timestamp: '2024-01-01T00:00:00.000000001Z' },
  { stream: 'stderr', data: Buffer.from('oops'), partial: false, timestamp: '2024-01-01T00:00:01.000000000Z' },
  { stream: 'stdout', data: Buffer.from('part'), partial: true, timestamp: '2024-01-01T00:00:02.000000000Z' },
];
async function* gen(id: string): AsyncIterable<LogLine> { must(id); yield* lines; }

const containers: ContainersBackend = {
  async create(body, opts) { calls.push({ method: 'create', args: [body, opts] }); return { Id: 'f'.repeat(64), Warnings: [] }; },
  async start(id) { must(id); if (id === 'running') throw notModified('already started', 'ALREADY_STARTED'); },
  async stop(id) { must(id); if (id === 'stopped') throw notModified('already stopped', 'ALREADY_STOPPED'); },
  async kill(id) { must(id); if (id === 'stopped') throw conflict(`Container ${id} is not running`, 'CONTAINER_NOT_RUNNING'); },
  async restart(id) { must(id); },
  async remove(id) { must(id); if (id === 'running') throw new Error('wrapped by a lower layer', { cause: conflict('You cannot remove a running container', 'CONTAINER_RUNNING') }); },
  async removeLink(name) { calls.push({ method: 'removeLink', args: [name] }); },
  async rename(id) { must(id); throw new Error('disk on fire'); },
  async wait(id) { must(id); return id === 'stopped' ? { StatusCode: 128, Error: { Message: 'exec failed' } } : { StatusCode: 3, Error: null }; },
  inspect(id) { return { Id: must(id) }; },
  list() { return [{ Id: 'web' }]; },
  isTty(id) { return must(id) === 'tty'; },
  logs(id) { return gen(id); },
  attachOutput(id) { return gen(id); },
  async attachStdin(id, input) {
    must(id);
    let text = '';
    for await (const c of input) text += String(c);
    calls.push({ method: 'attachStdin', args: [id, text] });
  },
  async resize(id) { must(id); },
  resolve(id) { return must(id); },
};
const backend: Backend = {
  containers,
  images: {
    list: () => [],
    inspect: (n) => {
      if (n === 'legacy') return { Id: 'sha256:l', Created: 'c', Container: 'abc', ContainerConfig: { Volumes: null }, VirtualSize: 5, Size: 5 };
      throw notFound(`No such image: ${n}`, 'NO_SUCH_IMAGE');
    },
    importRootfs: async () => 'sha256:x', load: async () => [], tag: () => {}, remove: async () => [],
    pull: async (o, onMessage) => {
      if (o.fromImage === 'late') { onMessage({ status: 'Pulling from late', id: 'latest' }); throw new BerthError('REGISTRY_ERROR', 'dropped'); }
      if (o.fromImage === 'auth') { onMessage({ status: `user=${o.auth?.username ?? ''}` }); return 'sha256:x'; }
      throw new BerthError('MANIFEST_UNKNOWN', `manifest for ${o.fromImage}:${o.tag} not found`);
    },
    push: async () => { throw new BerthError('NO_SUCH_IMAGE', 'An image does not exist locally with the tag: x'); },
    save: (names) => { throw notFound(`No such image: ${names[0]}`, 'NO_SUCH_IMAGE'); },
    history: () => [], prune: async () => ({ ImagesDeleted: null, SpaceReclaimed: 0 }),
  },
  commits: {
    commit: async (c) => { must(c); return 'sha256:c'; },
    changes: async (c) => { must(c); return []; },
    export: async (c) => { must(c); return Readable.from([Buffer.from('tar')]); },
  },
  auth: { login: async (a) => { if (a.password !== 'right') throw new BerthError('UNAUTHORIZED', 'unauthorized: incorrect username or password'); return { Status: 'Login Succeeded', IdentityToken: '' }; }, distributionInspect: async () => { throw new BerthError('NOT_IMPLEMENTED', 'no registry here'); } },
  system: { version: () => ({ ApiVersion: SERVER_API_VERSION }), info: () => ({}) },
  events: { subscribe: () => (async function* () { /* no events */ })() },
  volumes: {
    list: () => ({ Volumes: [], Warnings: null }),
    create: async (body) => body,
    inspect: (n) => { throw notFound(`get ${n}: no such volume`, 'NO_SUCH_VOLUME'); },
    remove: async () => {},
    prune: async (_f, o) => ({ VolumesDeleted: [], SpaceReclaimed: 0, allByDefault: !!o.allByDefault }),
  },
  archive: {
    stat: async (id, path) => { must(id); if (path !== '/etc') throw notFound(`Could not find the file ${path} in container ${id}`); return { name: 'etc', size: 4096, mode: 2147484141, mtime: '2024-01-01T00:00:00Z', linkTarget: '' }; },
    get: async (id, path, sink) => { must(id); await sink({ name: 'etc', size: 4096, mode: 2147484141, mtime: '2024-01-01T00:00:00Z', linkTarget: '' }, Readable.from([Buffer.from(`tar of ${path}`)])); },
    put: async (id, path, tar, o) => { must(id); let n = 0; for await (const c of tar) n += (c as Buffer).length; calls.push({ method: 'put', args: [path, n, o] }); },
  },
  builds: {
    prepare: async () => { throw notImplemented('no builds in this fake'); },
    errorCode: () => 1,
    buildkitError: (err) => String(err),
    prune: async () => ({ CachesDeleted: [], SpaceReclaimed: 0 }),
  },
  exec: {
    create: async () => 'e',
    // "fast": a process that prints at once; start() notes whether the client already had the 101 head
    start: async (id) => {
      if (id !== 'fast') return;
      calls.push({ method: 'execStart', args: [await Promise.race([execHeadSeen.then(() => 'after-head'), new Promise((r) => setTimeout(() => r('before-head'), 1000))])] });
    },
    inspect: (id) => {
      if (id !== 'fast') return {};
      return { ProcessConfig: { tty: false }, OpenStdin: false, OpenStdout: true, OpenStderr: true, DetachKeys: '' };
    },
    resize: async () => {},
    output: (id) => (async function* () { if (id === 'fast') yield lines[0]; })(),
    attachStdin: async () => {},
  },
  containerOps: {
    pause: async () => {}, unpause: async () => {}, top: async () => ({}), stats: async () => ({}), update: async () => ({}),
  },
};

let dir: string;
let socketPath: string;
let server: ApiServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-api-'));
  socketPath = join(dir, 'sub', 'berth.sock');
  server = new ApiServer({ backend, log: createLogger({ level: 'fatal', write: () => {} }), version: 'test' });
  await server.listen(`unix://${socketPath}`);
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Res { status: number; headers: IncomingMessage['headers']; body: Buffer; statusMessage?: string }
function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, agent?: false): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, agent, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), statusMessage: res.statusMessage }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const json = (r: Res) => JSON.parse(r.body.toString()) as Record<string, unknown>;

test('the Unix socket is created with mode 0660', async () => {
  assert.equal((await stat(socketPath)).mode & 0o777, 0o660);
});

test('GET and HEAD /_ping answer OK with Api-Version', async () => {
  for (const path of ['/_ping', `/v${SERVER_API_VERSION}/_ping`, '/v1.41/_ping']) {
    const g = await call('GET', path);
    assert.equal(g.status, 200, path);
    assert.equal(g.body.toString(), 'OK');
    assert.equal(g.headers['api-version'], SERVER_API_VERSION);
    assert.equal(g.headers['ostype'], 'linux');
  }
  const h = await call('HEAD', '/_ping');
  assert.equal(h.status, 200);
  assert.equal(h.body.length, 0);
  assert.equal(h.headers['api-version'], SERVER_API_VERSION);
});

test('errors map to status codes with a {"message"} body', async () => {
  const cases: { method: string; path: string; status: number; message?: string }[] = [
    { method: 'GET', path: '/containers/nope/json', status: 404, message: 'No such container: nope' },
    { method: 'GET', path: '/v1.45/containers/nope/json', status: 404, message: 'No such container: nope' },
    { method: 'GET', path: '/images/docker.io/library/x:1/json', status: 404, message: 'No such image: docker.io/library/x:1' },
    { method: 'GET', path: '/no/such/route', status: 404, message: 'page not found' },
    { method: 'PUT', path: '/containers/json', status: 404, message: 'page not found' },
    { method: 'POST', path: '/containers/stopped/kill', status: 409, message: 'Container stopped is not running' },
    { method: 'DELETE', path: '/containers/running', status: 409, message: 'You cannot remove a running container' },
    { method: 'POST', path: '/containers/web/rename?name=x', status: 500, message: 'disk on fire' },
    { method: 'POST', path: '/containers/web/stop?t=abc', status: 400 },
    { method: 'GET', path: '/v9.99/_ping', status: 400, message: `client version 9.99 is too new. Maximum supported API version is ${SERVER_API_VERSION}` },
    { method: 'GET', path: '/v1.12/_ping', status: 400 },
    { method: 'GET', path: '/containers/web/logs', status: 400, message: 'Bad parameters: you must choose at least one stream' },
    { method: 'GET', path: '/containers/nope/logs?stdout=1', status: 404, message: 'No such container: nope' },
    { method: 'POST', path: '/containers/web/wait?condition=bogus', status: 400 },
  ];
  for (const c of cases) {
    const r = await call(c.method, c.path);
    assert.equal(r.status, c.status, `${c.method} ${c.path}`);
    assert.match(String(r.headers['content-type']), /application\/json/, `${c.method} ${c.path}`);
    const body = json(r);
    assert.equal(typeof body.message, 'string', `${c.method} ${c.path}`);
    if (c.message) assert.equal(body.message, c.message, `${c.method} ${c.path}`);
  }
});

test('not-modified is a bare 304; success codes are Docker\'s', async () => {
  const cases: { method: string; path: string; status: number }[] = [
    { method: 'POST', path: '/containers/running/start', status: 304 },
    { method: 'POST', path: '/containers/stopped/stop', status: 304 },
    { method: 'POST', path: '/containers/web/start', status: 204 },
    { method: 'POST', path: '/containers/web/stop?t=1', status: 204 },
    { method: 'DELETE', path: '/containers/web?force=1', status: 204 },
  ];
  for (const c of cases) {
    const r = await call(c.method, c.path);
    assert.equal(r.status, c.status, `${c.method} ${c.path}`);
    assert.equal(r.body.length, 0, `${c.method} ${c.path}`);
  }
});

test('POST /containers/create: malformed or non-object JSON is 400, valid is 201', async () => {
  for (const body of ['{"Image": ', '', '[]', '"x"', 'null']) {
    const r = await call('POST', '/containers/create', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(String(json(r).message), /^invalid JSON/, JSON.stringify(body));
  }
  calls.length = 0;
  const ok = await call('POST', '/v1.47/containers/create?name=web2', '{"Image":"busybox","Cmd":["true"]}');
  assert.equal(ok.status, 201);
  assert.deepEqual(json(ok), { Id: 'f'.repeat(64), Warnings: [] });
  assert.deepEqual(calls, [{ method: 'create', args: [{ Image: 'busybox', Cmd: ['true'] }, { name: 'web2', platform: undefined }] }]);
});

test('the connection stays usable after an error (keep-alive)', async () => {
  const r1 = await call('POST', '/containers/create', '{bad');
  assert.equal(r1.status, 400);
  const r2 = await call('GET', '/containers/json');
  assert.equal(r2.status, 200);
  assert.deepEqual(JSON.parse(r2.body.toString()), [{ Id: 'web' }]);
});

test('logs are multiplexed with 8-byte headers (no tty) and raw with a tty', async () => {
  const r = await call('GET', '/containers/web/logs?stdout=1&stderr=1');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  const { frames, rest } = decodeFrames(r.body);
  assert.equal(rest.length, 0);
  assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [[1, 'hello\n'], [2, 'oops\n'], [1, 'part']]);
  assert.deepEqual([...r.body.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 6]);

  const ts = await call('GET', '/containers/web/logs?stdout=1&timestamps=1');
  assert.equal(decodeFrames(ts.body).frames[0].data.toString(), '2024-01-01T00:00:00.000000001Z hello\n');

  const t = await call('GET', '/containers/tty/logs?stdout=1');
  assert.equal(t.headers['content-type'], 'application/vnd.docker.raw-stream');
  assert.equal(t.body.toString(), 'hello\noops\npart');
});

test('wait answers 200 with the exit status; Error only when there is one (omitempty, as dockerd since 23.0)', async () => {
  const r = await call('POST', '/containers/web/wait');
  assert.equal(r.status, 200);
  assert.deepEqual(json(r), { StatusCode: 3 });
  assert.deepEqual(json(await call('POST', '/containers/stopped/wait')), { StatusCode: 128, Error: { Message: 'exec failed' } });
});

test('volume prune: named volumes too only for clients before API 1.42 (as Docker)', async () => {
  for (const [path, all] of [['/v1.41/volumes/prune', true], ['/v1.42/volumes/prune', false], ['/volumes/prune', false]] as const) {
    const r = await call('POST', path);
    assert.equal(r.status, 200, path);
    assert.equal(json(r).allByDefault, all, path);
  }
  const c = await call('POST', '/volumes/create', '{"Name":"v1"}');
  assert.equal(c.status, 201);
  assert.equal((await call('GET', '/volumes/zz')).status, 404);
  assert.equal((await call('DELETE', '/volumes/zz')).status, 204);
});

test('archive: HEAD and GET carry the base64 path stat, PUT passes the body and flags on', async () => {
  const h = await call('HEAD', '/containers/web/archive?path=/etc');
  assert.equal(h.status, 200);
  assert.equal(h.body.length, 0);
  assert.deepEqual(JSON.parse(Buffer.from(String(h.headers['x-docker-container-path-stat']), 'base64').toString()).name, 'etc');
  const g = await call('GET', '/containers/web/archive?path=/etc');
  assert.equal(g.headers['content-type'], 'application/x-tar');
  assert.equal(g.body.toString(), 'tar of /etc');
  assert.ok(g.headers['x-docker-container-path-stat']);
  assert.equal((await call('HEAD', '/containers/web/archive?path=/nope')).status, 404);
  calls.length = 0;
  const p = await call('PUT', '/containers/web/archive?path=/tmp&copyUIDGID=1', Buffer.alloc(1024), { 'Content-Type': 'application/x-tar' });
  assert.equal(p.status, 200);
  assert.deepEqual(calls, [{ method: 'put', args: ['/tmp', 1024, { noOverwriteDirNonDir: false, copyUIDGID: true }] }]);
});

function upgrade(path: string): Promise<{ res: IncomingMessage; socket: Socket; head: Buffer } | Res> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path, headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    req.on('upgrade', (res, socket, head) => resolve({ res, socket, head }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('attach with Upgrade: tcp gets 101 UPGRADED and a multiplexed stream', async () => {
  const u = await upgrade('/containers/web/attach?stream=1&stdout=1&stderr=1');
  assert.ok('socket' in u, 'expected an upgrade');
  assert.equal(u.res.statusCode, 101);
  assert.equal(u.res.statusMessage, 'UPGRADED');
  assert.equal(u.res.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  const chunks: Buffer[] = [u.head];
  u.socket.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve) => u.socket.on('end', resolve));
  u.socket.destroy();
  const { frames } = decodeFrames(Buffer.concat(chunks));
  assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [[1, 'hello\n'], [2, 'oops\n'], [1, 'part']]);
});

test('a hijacked attach with a request body (dockerode sends its options as JSON) does not pass the body on as stdin', async () => {
  calls.length = 0;
  const body = JSON.stringify({ stream: true, stdin: true, hijack: true });
  const u = await new Promise<{ socket: Socket; head: Buffer }>((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: '/containers/web/attach?stream=1&stdin=1', headers: { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } });
    req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end(body);
  });
  u.socket.end('typed input\n');
  await new Promise<void>((resolve) => { u.socket.on('close', resolve); u.socket.resume(); });
  assert.deepEqual(calls, [{ method: 'attachStdin', args: ['web', 'typed input\n'] }]);
});

test('attach to an unknown container answers 404 instead of upgrading', async () => {
  const u = await upgrade('/containers/nope/attach?stream=1&stdout=1');
  // node reports a non-101 answer to an upgrade request as a plain response
  assert.ok(!('socket' in u), 'must not upgrade');
  assert.equal(u.status, 404);
  assert.equal(JSON.parse(u.body.toString()).message, 'No such container: nope');
});

test('BerthError is what the fake throws (guards the fake itself)', () => {
  assert.throws(() => must('nope'), (e: unknown) => e instanceof BerthError && e.kind === 'not-found');
});

test('POST /images/create?fromImage: an error before any progress has its own status; after, an error line', async () => {
  const early = await call('POST', '/images/create?fromImage=nope&tag=x', undefined, {}, false);
  assert.equal(early.status, 404);
  assert.match(JSON.parse(early.body.toString()).message, /manifest for nope:x not found/);
  const late = await call('POST', '/images/create?fromImage=late&tag=latest', undefined, {}, false);
  assert.equal(late.status, 200);
  const lines = late.body.toString().trim().split(/\r?\n/).map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { status: 'Pulling from late', id: 'latest' });
  assert.deepEqual(lines[1], { errorDetail: { message: 'dropped' }, error: 'dropped' });
});

test('X-Registry-Auth is decoded (base64url JSON); garbage is 400', async () => {
  const auth = Buffer.from(JSON.stringify({ username: 'ü-user', password: 'p' })).toString('base64url');
  const ok = await call('POST', '/images/create?fromImage=auth&tag=1', undefined, { 'X-Registry-Auth': auth }, false);
  assert.equal(JSON.parse(ok.body.toString().trim()).status, 'user=ü-user');
  const bad = await call('POST', '/images/create?fromImage=auth&tag=1', undefined, { 'X-Registry-Auth': 'not json!' }, false);
  assert.equal(bad.status, 400);
});

test('POST /auth: 200 with Login Succeeded, 401 for refused credentials, 400 for bad JSON', async () => {
  const ok = await call('POST', '/auth', JSON.stringify({ username: 'u', password: 'right', serveraddress: 'r' }), {}, false);
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body.toString()), { Status: 'Login Succeeded', IdentityToken: '' });
  const no = await call('POST', '/auth', JSON.stringify({ username: 'u', password: 'wrong' }), {}, false);
  assert.equal(no.status, 401);
  assert.equal((await call('POST', '/auth', '[1]', {}, false)).status, 400);
});

test("features berth lacks get dockerd's own answers: swarm 503, plugins [], search 501", async () => {
  for (const [method, path] of [['GET', '/services'], ['GET', '/v1.47/nodes'], ['GET', '/swarm'], ['POST', '/services/create'], ['DELETE', '/secrets/abc'], ['GET', '/tasks?filters={}']]) {
    const r = await call(method, path);
    assert.equal(r.status, 503, `${method} ${path}`);
    assert.match(JSON.parse(r.body.toString()).message, /^This node is not a swarm manager/);
  }
  assert.equal((await call('POST', '/swarm/init', '{}')).status, 501);
  const plugins = await call('GET', '/plugins');
  assert.equal(plugins.status, 200);
  assert.deepEqual(JSON.parse(plugins.body.toString()), []);
  assert.equal((await call('GET', '/plugins/vieux/sshfs:latest/json')).status, 404);
  assert.equal((await call('POST', '/plugins/pull?remote=x')).status, 501);
  const search = await call('GET', '/images/search?term=busybox');
  assert.equal(search.status, 501);
  assert.match(JSON.parse(search.body.toString()).message, /image search is not supported/);
});

test('image inspect: VirtualSize only before API 1.44, Container and ContainerConfig only before 1.45 (dockerd 28; compose v1 reads ContainerConfig)', async () => {
  const keys = async (path: string) => Object.keys(json(await call('GET', path))).sort();
  assert.deepEqual(await keys('/v1.38/images/legacy/json'), ['Container', 'ContainerConfig', 'Created', 'Id', 'Size', 'VirtualSize']);
  assert.deepEqual(await keys('/v1.44/images/legacy/json'), ['Container', 'ContainerConfig', 'Created', 'Id', 'Size']);
  assert.deepEqual(await keys('/v1.45/images/legacy/json'), ['Created', 'Id', 'Size']);
  assert.deepEqual(await keys('/images/legacy/json'), ['Created', 'Id', 'Size']);
  assert.equal((await call('GET', '/v1.38/images/nope/json')).status, 404);
});

test('exec start with Upgrade: the 101 head goes out before the process starts (docker-py lost output arriving with the head)', async () => {
  calls.length = 0;
  const u = await new Promise<{ socket: Socket; head: Buffer }>((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: '/exec/fast/start', headers: { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Type': 'application/json', 'Content-Length': '16' } });
    req.on('upgrade', (_res, socket, head) => { headSeen(); resolve({ socket, head }); });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end('{"Detach":false}');
  });
  const chunks: Buffer[] = [u.head];
  u.socket.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve) => u.socket.on('end', resolve));
  u.socket.destroy();
  assert.deepEqual(calls, [{ method: 'execStart', args: ['after-head'] }]);
  assert.deepEqual(decodeFrames(Buffer.concat(chunks)).frames.map((f) => [f.stream, f.data.toString()]), [[1, 'hello\n']]);
});
