/**
 * Every JSON-taking endpoint checks its body at the edge: a field of the
 * wrong JSON type, at any depth, is a 400 with dockerd's decoder message
 * and never reaches the backend; deep nesting and oversized bodies are
 * 400s too. In-process, with a backend that records what it is given.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../lib/log.js';
import { ApiServer } from './api-server.js';
import type { Backend } from './backend.js';
import type { WireType } from './wire-decode.js';
import { AUTH_CONFIG, CREATE_REQUEST, EXEC_CONFIG, EXEC_START, NETWORK_CONNECT, NETWORK_CREATE, NETWORK_DISCONNECT, UPDATE_CONFIG, VOLUME_CREATE } from './wire-schemas.js';

const reached: string[] = [];
const rec = (what: string) => { reached.push(what); };
const backend = {
  containers: { create: async () => { rec('create'); return { Id: 'f'.repeat(64), Warnings: [] }; } },
  exec: { create: async () => { rec('exec'); return 'e'; }, inspect: () => ({ ProcessConfig: { tty: false }, OpenStdin: false, OpenStdout: true, OpenStderr: true, DetachKeys: '' }), start: async () => { rec('execStart'); }, output: () => (async function* () { /* no output */ })() },
  networks: { create: async () => { rec('network'); return { Id: 'n', Warning: '' }; }, connect: async () => { rec('connect'); }, disconnect: async () => { rec('disconnect'); } },
  volumes: { create: async (b: unknown) => { rec('volume'); return b; } },
  containerOps: { update: async () => { rec('update'); return { Warnings: [] }; } },
  commits: { commit: async () => { rec('commit'); return 'sha256:c'; } },
  auth: { login: async () => { rec('auth'); return { Status: 'Login Succeeded', IdentityToken: '' }; } },
  images: {}, system: {}, events: {}, archive: {}, builds: {},
} as unknown as Backend;

let dir: string;
let socketPath: string;
let server: ApiServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-wire-'));
  socketPath = join(dir, 'berth.sock');
  server = new ApiServer({ backend, log: createLogger({ level: 'fatal', write: () => {} }), version: 'test' });
  await server.listen(`unix://${socketPath}`);
});
after(async () => { await server.close(); await rm(dir, { recursive: true, force: true }); });

function call(method: string, path: string, body: string | Buffer): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let message = text;
        try { message = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* not JSON */ }
        resolve({ status: res.statusCode!, message });
      });
    });
    req.on('error', reject);
    // the server answers an oversized body before reading it all: the rest of the upload may hit EPIPE
    req.on('socket', (sock) => sock.on('error', () => {}));
    req.end(body);
  });
}

/** A JSON value of the wrong kind for `t` (undefined: every value fits). */
function wrongFor(t: WireType): unknown {
  switch (t.k) {
    case 'string': case 'strslice': return 12;
    case 'bool': case 'int': case 'float': return 'x';
    case 'slice': case 'array': case 'map': case 'struct': return 7;
    case 'any': return undefined;
  }
}

interface FieldCase { path: string[]; struct: string; type: WireType; body: unknown }

/**
 * One case per field of `t`, at every depth: the body holding a wrong value
 * there. Lists and maps of structs are entered with one element ("bridge",
 * "80/tcp").
 */
function fieldCases(t: WireType, wrap: (v: unknown) => unknown = (v) => v, path: string[] = []): FieldCase[] {
  if (t.k !== 'struct') return [];
  const out: FieldCase[] = [];
  const short = t.name.slice(t.name.lastIndexOf('.') + 1);
  for (const [name, ft] of Object.entries(t.fields)) {
    const at = (v: unknown) => wrap({ [name]: v });
    const wrong = wrongFor(ft);
    if (wrong !== undefined) out.push({ path: [...path, name], struct: short, type: ft, body: at(wrong) });
    let inner = ft;
    let enter = at;
    // through lists and maps to the struct inside (PortBindings: a map of lists)
    for (;;) {
      if (inner.k === 'slice' || inner.k === 'array') { const e = enter; enter = (v) => e([v]); inner = inner.elem; continue; }
      if (inner.k === 'map') { const e = enter; enter = (v) => e({ [name === 'PortBindings' ? '80/tcp' : 'bridge']: v }); inner = inner.elem; continue; }
      break;
    }
    out.push(...fieldCases(inner, enter, [...path, name]));
  }
  return out;
}

const ENDPOINTS: { route: string; type: WireType; expects: string }[] = [
  { route: 'POST /containers/create', type: CREATE_REQUEST, expects: 'create' },
  { route: 'POST /commit?container=c', type: CREATE_REQUEST, expects: 'commit' },
  { route: 'POST /containers/c/exec', type: EXEC_CONFIG, expects: 'exec' },
  { route: 'POST /exec/e/start', type: EXEC_START, expects: 'execStart' },
  { route: 'POST /networks/create', type: NETWORK_CREATE, expects: 'network' },
  { route: 'POST /networks/n/connect', type: NETWORK_CONNECT, expects: 'connect' },
  { route: 'POST /networks/n/disconnect', type: NETWORK_DISCONNECT, expects: 'disconnect' },
  { route: 'POST /volumes/create', type: VOLUME_CREATE, expects: 'volume' },
  { route: 'POST /containers/c/update', type: UPDATE_CONFIG, expects: 'update' },
  { route: 'POST /auth', type: AUTH_CONFIG, expects: 'auth' },
];

for (const ep of ENDPOINTS) {
  test(`${ep.route}: a wrong JSON type in any field is a 400 naming it, and the backend is never called`, async () => {
    const [method, path] = ep.route.split(' ');
    const cases = fieldCases(ep.type);
    assert.ok(cases.length >= Object.keys((ep.type as { fields: object }).fields).length - 1, 'a case per field');
    for (const c of cases) {
      reached.length = 0;
      const r = await call(method, `/v1.50${path}`, JSON.stringify(c.body));
      const where = `${c.path.join('.')}: ${JSON.stringify(c.body)}`;
      assert.equal(r.status, 400, `${where} → ${r.status} ${r.message}`);
      assert.ok(r.message.startsWith('invalid JSON: json: cannot unmarshal '), `${where}: ${r.message}`);
      assert.ok(r.message.includes(` into Go struct field ${c.struct}.${c.path.join('.')} of type `), `${where}: ${r.message}`);
      assert.deepEqual(reached, [], `${where} reached the backend`);
    }
    // and the body of the wrong kind altogether
    for (const body of ['[]', '"x"', '3']) {
      reached.length = 0;
      const r = await call(method, `/v1.50${path}`, body);
      assert.equal(r.status, 400, `${body}: ${r.message}`);
      assert.match(r.message, new RegExp(`^invalid JSON: json: cannot unmarshal (array|string|number) into Go value of type ${ep.type.name}$`));
      assert.deepEqual(reached, []);
    }
    // a well-typed body (every field null, as Go allows) gets through
    reached.length = 0;
    const nulls = Object.fromEntries(Object.keys((ep.type as { fields: object }).fields).map((k) => [k, null]));
    const ok = await call(method, `/v1.50${path}`, JSON.stringify(nulls));
    assert.ok(ok.status < 300, `${ok.status} ${ok.message}`);
    assert.deepEqual(reached, [ep.expects]);
  });
}

test('nesting deeper than the cap is a 400 before anything walks it (200 000 levels, open and closed)', async () => {
  const deep = [
    '['.repeat(200000),
    '{"a":'.repeat(200000),
    `{"Image":"busybox","Labels":${'['.repeat(200000)}${']'.repeat(200000)}}`,
    `{"Image":"busybox","Junk":${'['.repeat(1001)}${']'.repeat(1001)}}`,
  ];
  for (const body of deep) {
    reached.length = 0;
    const r = await call('POST', '/v1.50/containers/create', body);
    assert.equal(r.status, 400, r.message);
    // Go's decoder: "invalid character '[' exceeded max depth"
    assert.match(r.message, /^invalid JSON: invalid character '[[{]' exceeded max depth/);
    assert.deepEqual(reached, []);
  }
  // up to the cap is fine (dockerd takes 1000 levels too)
  const ok1000 = await call('POST', '/v1.50/containers/create', `{"Image":"busybox","Junk":${'['.repeat(999)}${']'.repeat(999)}}`);
  assert.equal(ok1000.status, 201, ok1000.message);
  // in strings, brackets do not count
  const r = await call('POST', '/v1.50/containers/create', JSON.stringify({ Image: 'busybox', Labels: { a: '['.repeat(100000) } }));
  assert.equal(r.status, 201, r.message);
});

test('a body over the limit is a 400 that says so; the connection stays usable', async () => {
  const big = `{"Image":"busybox","Junk":"${'x'.repeat(17 * 1024 * 1024)}"}`;
  const r = await call('POST', '/v1.50/containers/create', big);
  assert.equal(r.status, 400);
  assert.match(r.message, /^request body too large: more than 16 MiB \(16777216 bytes\) is refused$/);
  assert.equal((await call('POST', '/v1.50/containers/create', '{"Image":"busybox"}')).status, 201);
});

test('request paths are routed as sent: dot segments (raw or %2e%2e) never turn into another object\'s path', async () => {
  // new URL() would resolve these to DELETE /volumes/victim and POST /containers/create
  for (const [method, path] of [['DELETE', '/v1.50/volumes/x/%2e%2e/victim'], ['DELETE', '/v1.50/volumes/x/../victim'], ['POST', '/v1.50/containers/x/../create'], ['POST', '/v1.50/containers/x/%2E%2E/create']]) {
    reached.length = 0;
    const r = await call(method, path, '{"Image":"busybox"}');
    assert.equal(r.status, 404, `${method} ${path}: ${r.message}`);
    assert.equal(r.message, 'page not found');
    assert.deepEqual(reached, []);
  }
  const bad = await call('DELETE', '/v1.50/volumes/%zz', '');
  assert.equal(bad.status, 400);
  assert.match(bad.message, /^invalid escape in request path/);
});
