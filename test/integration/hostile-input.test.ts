/**
 * Hostile input to a real berthd, from a probe that sent the same requests
 * to dockerd 20.10: log options dockerd only refuses at start, JSON of the
 * wrong type in every field of the create body (and the other JSON-taking
 * endpoints), nesting 200 000 levels deep, oversized bodies. Each answer is
 * a 4xx with dockerd's wording where dockerd has one, never a 500, and a
 * refused request leaves no container, volume, network, mount or directory.
 * (Archives and names: hostile-paths.test.ts.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, mountsUnder, processesMentioning } from './harness.js';
import { tarOf } from './tar-helpers.js';
import type { WireType } from '../../src/server/wire-decode.js';
import { CREATE_REQUEST } from '../../src/server/wire-schemas.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

async function assertNothingLeft(what: string) {
  assert.deepEqual((await d.api('GET', '/containers/json?all=1')).json(), [], what);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'containers')), [], what);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'snapshots', 'rw')), [], what);
  assert.deepEqual((await d.api('GET', '/volumes')).json().Volumes ?? [], [], what);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'volumes')), [], what);
  assert.deepEqual((await d.api('GET', '/networks')).json<{ Name: string }[]>().map((n) => n.Name).sort(), ['bridge', 'host', 'none'], what);
  assert.deepEqual(mountsUnder(d.root), [], what);
  assert.deepEqual(processesMentioning(join(d.root, 'exec', 'containers')), [], what);
}

const message = (r: { json<T>(): T; body: Buffer }) => { try { return r.json<{ message: string }>().message; } catch { return r.body.toString(); } };

// ---- 1. log options ---------------------------------------------------------------

// dockerd 20.10 creates each of these (201) and fails `docker start` with a 500 carrying the message;
// berthd refuses the create (400) with the same message, so no container that can never start is made.
const logCases: [string, Record<string, string>, string][] = [
  ['json-file', { 'max-size': '-1' }, "failed to initialize logging driver: invalid size: '-1'"],
  ['json-file', { 'max-size': '0' }, 'failed to initialize logging driver: max-size must be a positive number'],
  ['json-file', { 'max-size': 'abc' }, "failed to initialize logging driver: invalid size: 'abc'"],
  ['json-file', { 'max-file': '0' }, 'failed to initialize logging driver: max-file cannot be less than 1'],
  ['json-file', { 'max-file': '-1' }, 'failed to initialize logging driver: max-file cannot be less than 1'],
  ['json-file', { 'max-file': 'abc' }, 'failed to initialize logging driver: strconv.Atoi: parsing "abc": invalid syntax'],
  ['json-file', { compress: 'maybe' }, 'failed to initialize logging driver: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ['json-file', { compress: 'true' }, 'failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size is not set'],
  ['local', { 'max-size': '-1' }, "failed to initialize logging driver: invalid value for max-size: -1: invalid size: '-1'"],
  ['local', { 'max-file': '0' }, 'failed to initialize logging driver: compression cannot be enabled when max file count is 1'],
  // dockerd refuses these at create (400), as berthd
  ['json-file', { foo: 'bar' }, "unknown log opt 'foo' for json-file log driver"],
  ['local', { foo: 'bar' }, "unknown log opt 'foo' for log driver local"],
];

test('log options dockerd refuses when the logger starts are refused at create with its message; nothing is left', async () => {
  for (const [type, config, msg] of logCases) {
    const r = await d.api('POST', '/v1.50/containers/create', { Image: 'busybox', HostConfig: { LogConfig: { Type: type, Config: config } } });
    assert.equal(r.status, 400, `${type} ${JSON.stringify(config)}: ${r.body}`);
    assert.equal(message(r), msg);
  }
  await assertNothingLeft('log options');
  // what dockerd starts is accepted: max-file alone (nothing rotates), decimal sizes with a space or a fraction
  for (const config of [{ 'max-file': '3' }, { 'max-size': '10 m' }, { 'max-size': '1.5k', 'max-file': '2', compress: 'true' }]) {
    const r = await d.api('POST', '/v1.50/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { LogConfig: { Type: 'json-file', Config: config } } });
    assert.equal(r.status, 201, `${JSON.stringify(config)}: ${r.body}`);
    const id = r.json().Id;
    assert.equal((await d.api('POST', `/v1.50/containers/${id}/start`)).status, 204);
    assert.equal((await d.api('DELETE', `/v1.50/containers/${id}?force=1`)).status, 204);
  }
  // the CLI path: docker run --log-opt max-size=-1 fails before anything is made
  const run = await d.docker(['run', '--log-opt', 'max-size=-1', 'busybox', 'true']);
  assert.equal(run.code, 125);
  assert.match(run.stderr, /failed to initialize logging driver: invalid size: '-1'/);
  await assertNothingLeft('docker run --log-opt max-size=-1');
});

// ---- 2. wrong JSON types -------------------------------------------------------------

/** A value of the wrong JSON kind for `t`, and Go's zero value for it. */
function wrongFor(t: WireType): unknown {
  switch (t.k) {
    case 'string': case 'strslice': return 123;
    case 'bool': case 'int': case 'float': return 'x';
    case 'any': return undefined;
    default: return 'x';
  }
}
function zeroFor(t: WireType): unknown {
  switch (t.k) {
    case 'string': return '';
    case 'bool': return false;
    case 'int': case 'float': return 0;
    case 'strslice': case 'slice': return [];
    case 'array': return Array(t.len).fill(0);
    case 'map': case 'struct': return {};
    case 'any': return null;
  }
}

/** Every field of the create body, at every depth, with a function placing a value there. */
function fields(t: WireType, place: (v: unknown) => unknown = (v) => v, path: string[] = []): { path: string[]; type: WireType; place: (v: unknown) => unknown }[] {
  if (t.k !== 'struct') return [];
  const out: ReturnType<typeof fields> = [];
  for (const [name, ft] of Object.entries(t.fields)) {
    const at = (v: unknown) => place({ [name]: v });
    out.push({ path: [...path, name], type: ft, place: at });
    let inner = ft;
    let enter = at;
    for (;;) {
      if (inner.k === 'slice' || inner.k === 'array') { const e = enter; enter = (v) => e([v]); inner = inner.elem; continue; }
      if (inner.k === 'map') { const e = enter; enter = (v) => e({ [name === 'PortBindings' ? '80/tcp' : 'bridge']: v }); inner = inner.elem; continue; }
      break;
    }
    out.push(...fields(inner, enter, [...path, name]));
  }
  return out;
}

/** Merge a generated fragment into a create body that names the image. */
const createBody = (fragment: unknown) => ({ Image: 'busybox', ...(fragment as object) });

test('a wrong JSON type in any field of the create body is a 400 with dockerd\'s decoder message, never a 500; nothing is left', async () => {
  const all = fields(CREATE_REQUEST);
  assert.ok(all.length > 150, `${all.length} fields`);
  for (const f of all) {
    const wrong = wrongFor(f.type);
    if (wrong === undefined) continue;
    const body = f.path[0] === 'Image' ? { Image: wrong } : createBody(f.place(wrong));
    const r = await d.api('POST', '/v1.50/containers/create', body);
    const where = `${f.path.join('.')}=${JSON.stringify(wrong)}`;
    assert.equal(r.status, 400, `${where}: ${r.status} ${r.body}`);
    // dockerd 20.10: 500 "json: cannot unmarshal …" (the same text); dockerd >= 23: 400 "invalid JSON: json: cannot unmarshal …"
    assert.match(message(r), new RegExp(`^invalid JSON: json: cannot unmarshal (number|string|bool|array|object) into Go struct field \\w+\\.${f.path.join('\\.')} of type `), where);
  }
  // the probe's first finding, verbatim
  const img = await d.api('POST', '/v1.50/containers/create', { Image: 123 });
  assert.equal(img.status, 400);
  assert.equal(message(img), 'invalid JSON: json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Image of type string');
  await assertNothingLeft('wrong types');
});

test('well-typed edge values (null, "", 0, false, [], {}) in any field of the create body never make a 500', async () => {
  const seen = new Map<number, number>();
  for (const f of fields(CREATE_REQUEST)) {
    if (f.path[0] === 'Image') continue;
    // a StrSlice may also be a plain string (CapAdd "ALL" was a 500 before the edge turned it into a list)
    for (const v of [null, zeroFor(f.type), ...(f.type.k === 'strslice' ? ['ALL'] : [])]) {
      const r = await d.api('POST', '/v1.50/containers/create', createBody(f.place(v)));
      seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
      assert.ok(r.status < 500, `${f.path.join('.')}=${JSON.stringify(v)}: ${r.status} ${r.body}`);
      if (r.status === 201) assert.equal((await d.api('DELETE', `/v1.50/containers/${r.json().Id}?force=1&v=1`)).status, 204);
    }
  }
  assert.ok((seen.get(201) ?? 0) > 100, JSON.stringify([...seen]));
  await assertNothingLeft('edge values');
});

test('the other JSON endpoints check their types at the edge too (dockerd\'s messages); nothing is made', async () => {
  const ctr = (await d.api('POST', '/v1.50/containers/create?name=target', { Image: 'busybox', Cmd: ['sleep', '300'] })).json().Id;
  assert.equal((await d.api('POST', `/v1.50/containers/${ctr}/start`)).status, 204);
  const exec = (await d.api('POST', `/v1.50/containers/${ctr}/exec`, { Cmd: ['true'] })).json().Id;
  const cases: [string, string, unknown, string, Record<string, string>?][] = [
    // dockerd 20.10 answers all of these 400 with the text after "invalid JSON: " (create, update, commit and auth: 500)
    ['POST', `/containers/${ctr}/exec`, { Cmd: 'ls' }, 'json: cannot unmarshal string into Go struct field ExecConfig.Cmd of type []string'],
    ['POST', `/containers/${ctr}/exec`, { Cmd: ['true'], Env: 'A=1' }, 'json: cannot unmarshal string into Go struct field ExecConfig.Env of type []string'],
    ['POST', `/exec/${exec}/start`, { Detach: 'yes' }, 'json: cannot unmarshal string into Go struct field ExecStartCheck.Detach of type bool'],
    ['POST', '/networks/create', { Name: 123 }, 'json: cannot unmarshal number into Go struct field NetworkCreateRequest.Name of type string'],
    ['POST', '/networks/create', { Name: 'n1', IPAM: { Config: [{ Subnet: 1 }] } }, 'json: cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string'],
    ['POST', '/networks/create', { Name: 'n1', Labels: [] }, 'json: cannot unmarshal array into Go struct field NetworkCreateRequest.Labels of type map[string]string'],
    ['POST', '/networks/bridge/connect', { Container: 123 }, 'json: cannot unmarshal number into Go struct field NetworkConnect.Container of type string'],
    ['POST', '/networks/bridge/disconnect', { Container: {} }, 'json: cannot unmarshal object into Go struct field NetworkDisconnect.Container of type string'],
    ['POST', '/volumes/create', { Name: 'v1', Labels: { a: 1 } }, 'json: cannot unmarshal number into Go struct field VolumeCreateBody.Labels of type string'],
    ['POST', '/volumes/create', { Name: 'v1', DriverOpts: 'x' }, 'json: cannot unmarshal string into Go struct field VolumeCreateBody.DriverOpts of type map[string]string'],
    ['POST', `/containers/${ctr}/update`, { RestartPolicy: 'x' }, 'json: cannot unmarshal string into Go struct field UpdateConfig.RestartPolicy of type container.RestartPolicy'],
    ['POST', `/containers/${ctr}/update`, { CpusetCpus: 1 }, 'json: cannot unmarshal number into Go struct field UpdateConfig.CpusetCpus of type string'],
    ['POST', `/commit?container=${ctr}&repo=c1`, { Env: 'x' }, 'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string'],
    ['POST', `/commit?container=${ctr}&repo=c1`, [], 'json: cannot unmarshal array into Go value of type runconfig.ContainerConfigWrapper'],
    ['POST', '/auth', { username: 'u', serveraddress: {} }, 'json: cannot unmarshal object into Go struct field AuthConfig.serveraddress of type string'],
  ];
  for (const [method, path, body, msg] of cases) {
    const r = await d.api(method, `/v1.50${path}`, body);
    assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${r.body}`);
    assert.equal(message(r), `invalid JSON: ${msg}`);
  }
  // build parameters: dockerd's "error reading …" prefix
  const ctx = await tarOf({ Dockerfile: 'FROM busybox\n' });
  for (const [q, msg] of [
    ['buildargs=%5B1%5D', 'error reading build args: json: cannot unmarshal array into Go value of type map[string]*string'],
    ['labels=%7B%22a%22%3A1%7D', 'error reading labels: json: cannot unmarshal number into Go value of type string'],
    ['ulimits=x', /^error reading ulimit settings: invalid JSON: /],
  ] as const) {
    const r = await d.api('POST', `/v1.50/build?${q}`, ctx, { 'Content-Type': 'application/x-tar' });
    assert.equal(r.status, 400, `${q}: ${r.body}`);
    if (typeof msg === 'string') assert.equal(message(r), msg); else assert.match(message(r), msg);
  }
  // X-Registry-Auth with a number for a name: refused before any registry is contacted
  const auth = Buffer.from('{"username":1}').toString('base64');
  const pull = await d.api('POST', '/v1.50/images/create?fromImage=127.0.0.1:1/x&tag=1', undefined, { 'X-Registry-Auth': auth });
  assert.equal(pull.status, 400);
  assert.equal(message(pull), 'invalid X-Registry-Auth header: json: cannot unmarshal number into Go struct field AuthConfig.username of type string');
  assert.equal((await d.api('GET', '/v1.50/images/json')).json<unknown[]>().length, 1, 'no image committed or built');
  assert.equal((await d.api('DELETE', `/v1.50/containers/${ctr}?force=1`)).status, 204);
  await assertNothingLeft('other endpoints');
});

// ---- 3. nesting and size ------------------------------------------------------------

test('200 000 levels of nesting are a 400 naming the depth (was a 500 "Maximum call stack size exceeded"); nothing is left', async () => {
  for (const [path, body] of [
    ['/containers/create', '['.repeat(200000)],
    ['/containers/create', `{"Image":"busybox","Labels":${'['.repeat(200000)}${']'.repeat(200000)}}`],
    ['/containers/create', `{"Image":"busybox","Junk":${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}}`],
    ['/networks/create', `{"Name":"deep","Labels":${'['.repeat(200000)}`],
    ['/volumes/create', `{"Name":"deep","Labels":${'['.repeat(200000)}${']'.repeat(200000)}}`],
  ] as const) {
    const r = await d.api('POST', `/v1.50${path}`, Buffer.from(body), { 'Content-Type': 'application/json' });
    assert.equal(r.status, 400, `${path}: ${r.status} ${r.body.subarray(0, 200)}`);
    // dockerd: "invalid character '[' exceeded max depth" (its cap is 10 000; berth's is lower, where JavaScript's recursion is safe)
    assert.match(message(r), /^invalid JSON: invalid character '[[{]' exceeded max depth/);
  }
  await assertNothingLeft('deep JSON');
  // up to the cap is taken, as dockerd takes it, even where berthd keeps it (HostConfig keeps fields it does not know) and sends it back
  const kept = await d.api('POST', '/v1.50/containers/create', Buffer.from(`{"Image":"busybox","HostConfig":{"Kept":${'['.repeat(998)}${']'.repeat(998)}}}`), { 'Content-Type': 'application/json' });
  assert.equal(kept.status, 201, kept.body.toString());
  assert.equal((await d.api('GET', `/v1.50/containers/${kept.json().Id}/json`)).status, 200);
  assert.equal((await d.api('DELETE', `/v1.50/containers/${kept.json().Id}`)).status, 204);
  await assertNothingLeft('deep JSON kept');
});

test('a 100 MB create body is refused with a message naming the limit (dockerd 20.10 reads it all and creates the container)', async () => {
  const big = Buffer.from(`{"Image":"busybox","Junk":"${'x'.repeat(100 * 1024 * 1024)}"}`);
  const r = await d.api('POST', '/v1.50/containers/create', big, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 400);
  assert.equal(message(r), 'request body too large: more than 16 MiB (16777216 bytes) is refused');
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  await assertNothingLeft('100 MB body');
});
