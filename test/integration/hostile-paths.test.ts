/**
 * Hostile paths to a real berthd and a real `berth registry serve`, from a
 * probe that sent the same requests to dockerd 20.10: archives whose hard
 * links cannot be made (docker cp, import, load, build contexts) are
 * refused naming archive entries only, never a host path; names that climb
 * (`../x`, `a/../../b`), carry a NUL or `%2f`, or are too long are refused
 * with Docker's wording and touch nothing outside the roots; the registry
 * never turns a refused repository name into an accepted one.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { BERTH, TEST_PREFIX, TestDaemon, mountsUnder, sleep } from './harness.js';
import { freePort } from './registry-harness.js';

const d = new TestDaemon();
let ctr = '';
before(async () => {
  await d.start();
  await d.importBusybox();
  ctr = (await d.api('POST', '/v1.50/containers/create?name=target', { Image: 'busybox', Cmd: ['sleep', '300'] })).json().Id;
  assert.equal((await d.api('POST', `/v1.50/containers/${ctr}/start`)).status, 204);
});
after(async () => { await d.cleanup(); });

const message = (r: { json<T>(): T; body: Buffer }) => { try { return r.json<{ message: string }>().message; } catch { return r.body.toString(); } };
/** The error line of a JSON-lines stream (load answers 200 and ends its stream with the error, as dockerd). */
const streamError = (r: { body: Buffer }) => r.body.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { error?: string }).find((m) => m.error)?.error;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Entry = { name: string; body?: string | Buffer; type?: 'file' | 'directory' | 'link'; linkname?: string };
async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.type === 'directory' ? 0o755 : 0o644 }, e.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A `docker save` archive of one image (hl:latest) with `layer` as its only layer. */
async function saveArchive(layer: Buffer): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] } }));
  const manifest = Buffer.from(JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: ['hl:latest'], Layers: ['l1/layer.tar'] }]));
  return tarOf([{ name: `${sha(config)}.json`, body: config }, { name: 'l1/', type: 'directory' }, { name: 'l1/layer.tar', body: layer }, { name: 'manifest.json', body: manifest }]);
}

/** Everything under a directory, as relative paths. */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  let entries;
  try { entries = readdirSync(join(dir, rel), { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    out.push(p);
    if (e.isDirectory()) out.push(...tree(dir, p));
  }
  return out;
}

const images = async () => (await d.api('GET', '/v1.50/images/json')).json<{ RepoTags: string[] }[]>().flatMap((i) => i.RepoTags ?? []).sort();

test('a hard link that cannot be made is refused naming archive entries only, never a host path (cp, import, load, build); nothing is left', async () => {
  const missing = [{ name: 'a.txt', body: 'a' }, { name: 'h', type: 'link', linkname: 'nosuch' }] as Entry[];
  const toDir = [{ name: 'd/', type: 'directory' }, { name: 'h', type: 'link', linkname: 'd' }] as Entry[];
  const imagesBefore = await images();
  const snapshotsBefore = tree(join(d.dataRoot, 'snapshots'));
  // dockerd 20.10 answers each with a 500 "Error processing tar file(exit status 1): <the same text>"; load, as dockerd, a 200 ending in an error line
  const cases: [string, string, Buffer, string][] = [
    ['cp: link to a missing file', `/containers/${ctr}/archive?path=/tmp`, await tarOf(missing), 'invalid tar archive: link /tmp/nosuch /tmp/h: no such file or directory'],
    ['cp: link to a directory', `/containers/${ctr}/archive?path=/tmp`, await tarOf(toDir), 'invalid tar archive: link /tmp/d /tmp/h: operation not permitted'],
    ['import: link to a missing file', '/images/create?fromSrc=-&repo=hlimport', await tarOf(missing), 'invalid layer archive: link /nosuch /h: no such file or directory'],
    ['import: link to a directory', '/images/create?fromSrc=-&repo=hlimport', await tarOf(toDir), 'invalid layer archive: link /d /h: operation not permitted'],
    ['load: link to a missing file', '/images/load', await saveArchive(await tarOf(missing)), 'invalid layer archive: link /nosuch /h: no such file or directory'],
    ['load: link to a directory', '/images/load', await saveArchive(await tarOf(toDir)), 'invalid layer archive: link /d /h: operation not permitted'],
    ['build: link to a missing file', '/build', await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nCOPY . /x\n' }, ...missing]), 'invalid build context: link /nosuch /h: no such file or directory'],
    ['build: link out of the context', '/build', await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\n' }, { name: 'h', type: 'link', linkname: '../../../../etc/passwd' }]), 'invalid build context: link /etc/passwd /h: no such file or directory'],
  ];
  for (const [name, path, body, msg] of cases) {
    const method = path.includes('/archive') ? 'PUT' : 'POST';
    const r = await d.api(method, `/v1.50${path}`, body, { 'Content-Type': 'application/x-tar' });
    const load = path === '/images/load';
    assert.equal(r.status, load ? 200 : 400, `${name}: ${r.status} ${r.body}`);
    assert.equal(load ? streamError(r) : message(r), msg, name);
    assert.ok(!r.body.toString().includes(d.root), `${name}: the daemon's root in ${r.body}`);
  }
  // links that climb out are refused by name too (dockerd: 'invalid hardlink "/etc/passwd" -> "../../../../etc/passwd"')
  const climb = await tarOf([{ name: 'h', type: 'link', linkname: '../../../../etc/passwd' }]);
  const cp = await d.api('PUT', `/v1.50/containers/${ctr}/archive?path=/tmp`, climb, { 'Content-Type': 'application/x-tar' });
  assert.equal(cp.status, 400);
  assert.equal(message(cp), 'archive entry "../../../../etc/passwd" is outside of the extraction point');
  const imp = await d.api('POST', '/v1.50/images/create?fromSrc=-&repo=hlimport', climb, { 'Content-Type': 'application/x-tar' });
  assert.equal(imp.status, 400);
  assert.equal(message(imp), 'layer entry escapes the root: ../../../../etc/passwd');

  assert.deepEqual(await images(), imagesBefore, 'no image imported, loaded or built');
  assert.deepEqual(tree(join(d.dataRoot, 'snapshots')).filter((p) => p.startsWith('tmp/')), snapshotsBefore.filter((p) => p.startsWith('tmp/')), 'no unpack directory left');
  assert.deepEqual(readdirSync(join(d.dataRoot, 'builder')).filter((n) => n.startsWith('ctx-')), [], 'no build context left');
  const ls = await d.docker(['exec', 'target', 'ls', '/tmp']);
  assert.deepEqual(ls.stdout.split('\n').filter(Boolean).sort(), ['a.txt', 'd'].sort(), 'cp extracted up to the refused entry, no further');
});

test('climbing, NUL, %2f and over-long names are refused with Docker\'s wording and touch nothing outside the roots', async () => {
  const beside = readdirSync(dirname(d.dataRoot)).sort();
  const volumesBefore = readdirSync(join(d.dataRoot, 'volumes')).sort();
  const invalidChars = (n: string, q = JSON.stringify(n)) => `create ${n}: ${q} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
  const cases: [string, string, unknown, number, string][] = [
    // containers: dockerd's answers exactly
    ['POST', '/containers/create?name=../x', { Image: 'busybox' }, 400, 'Invalid container name (../x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
    ['POST', '/containers/create?name=a/../../b', { Image: 'busybox' }, 400, 'Invalid container name (a/../../b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
    ['POST', '/containers/create?name=a%00b', { Image: 'busybox' }, 400, 'Invalid container name (a\u0000b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
    ['POST', '/containers/create?name=a%2fb', { Image: 'busybox' }, 400, 'Invalid container name (a/b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
    ['POST', `/containers/${ctr}/rename?name=../x`, undefined, 400, 'Invalid container name (../x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
    // volumes: dockerd's local driver's messages (Go's %q shows a NUL as \x00)
    ['POST', '/volumes/create', { Name: '../x' }, 400, invalidChars('../x')],
    ['POST', '/volumes/create', { Name: 'a/../../b' }, 400, invalidChars('a/../../b')],
    ['POST', '/volumes/create', { Name: 'a\u0000b' }, 400, invalidChars('a\u0000b', '"a\\x00b"')],
    ['POST', '/volumes/create', { Name: 'a%2fb' }, 400, invalidChars('a%2fb')],
    ['POST', '/volumes/create', { Name: '..' }, 400, invalidChars('..')],
    ['POST', '/volumes/create', { Name: 'x' }, 400, 'create x: volume name is too short, names should be at least two alphanumeric characters'],
    // dockerd: a 500 "create aaa…: error while creating volume root path '/var/lib/docker/volumes/aaa…': … file name too long"
    ['POST', '/volumes/create', { Name: 'v'.repeat(300) }, 400, `create ${'v'.repeat(300)}: volume name is too long, names can be at most 255 characters`],
    ['POST', '/containers/create', { Image: 'busybox', HostConfig: { Binds: ['../x:/m'] } }, 400, invalidChars('../x')],
    ['POST', '/containers/create', { Image: 'busybox', HostConfig: { Mounts: [{ Type: 'volume', Source: 'a/../../b', Target: '/m' }] } }, 400, invalidChars('a/../../b')],
    // networks: dockerd 20.10 creates these (its names are not paths); berthd refuses them
    ['POST', '/networks/create', { Name: '../x' }, 400, 'invalid network name "../x": only [a-zA-Z0-9][a-zA-Z0-9_. -] are allowed'],
    ['POST', '/networks/create', { Name: 'a/../../b' }, 400, 'invalid network name "a/../../b": only [a-zA-Z0-9][a-zA-Z0-9_. -] are allowed'],
    // images: dockerd's words (it answers 500)
    ['POST', '/images/busybox/tag?repo=../x', undefined, 400, 'invalid reference format'],
    ['POST', '/images/busybox/tag?repo=a/../../b', undefined, 400, 'invalid reference format'],
    ['POST', '/images/busybox/tag?repo=ok&tag=../x', undefined, 400, 'invalid tag format'],
    ['POST', '/images/busybox/tag?repo=ok&tag=a%00b', undefined, 400, 'invalid tag format'],
    ['POST', `/images/busybox/tag?repo=ok&tag=${'t'.repeat(129)}`, undefined, 400, 'invalid tag format'],
    // lookups by climbing names find nothing (dockerd: a 301 to the cleaned path)
    ['GET', '/volumes/..%2f..%2fetc', undefined, 404, 'get ../../etc: no such volume'],
    ['DELETE', '/volumes/..%2fx', undefined, 404, 'get ../x: no such volume'],
    ['GET', '/containers/..%2f..%2fetc/json', undefined, 404, 'No such container: ../../etc'],
    ['DELETE', '/images/..%2fx', undefined, 400, 'invalid reference format'],
    ['GET', '/exec/..%2f..%2fx/json', undefined, 404, 'No such exec instance: ../../x'],
  ];
  for (const [method, path, body, status, msg] of cases) {
    const r = await d.api(method, `/v1.50${path}`, body);
    assert.equal(r.status, status, `${method} ${path}: ${r.status} ${r.body}`);
    assert.equal(message(r), msg, `${method} ${path}`);
  }
  // a path that would resolve to another volume is not routed there
  assert.equal((await d.api('POST', '/v1.50/volumes/create', { Name: 'victim' })).status, 201);
  for (const p of ['/volumes/x/%2e%2e/victim', '/volumes/x/../victim']) {
    const r = await d.api('DELETE', `/v1.50${p}`);
    assert.equal(r.status, 404, p);
    assert.equal(message(r), 'page not found');
  }
  assert.equal((await d.api('GET', '/v1.50/volumes/victim')).status, 200, 'victim still there');
  assert.equal((await d.api('DELETE', '/v1.50/volumes/victim')).status, 204);

  assert.deepEqual(readdirSync(dirname(d.dataRoot)).sort(), beside, 'nothing made beside the data root');
  assert.deepEqual(readdirSync(join(d.dataRoot, 'volumes')).sort(), volumesBefore, 'no volume directory made');
  assert.deepEqual((await d.api('GET', '/v1.50/containers/json?all=1')).json<{ Names: string[] }[]>().map((c) => c.Names[0]), ['/target']);
  assert.deepEqual((await d.api('GET', '/v1.50/networks')).json<{ Name: string }[]>().map((n) => n.Name).sort(), ['bridge', 'host', 'none']);
  assert.deepEqual(await images(), ['busybox:latest']);
  assert.deepEqual(mountsUnder(join(d.dataRoot, 'volumes')), []);
});

// ---- the registry server -------------------------------------------------------------

const regDir = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}hostilereg-`));
let registry: ChildProcess | undefined;
after(async () => {
  if (registry && registry.exitCode === null) { registry.kill('SIGTERM'); await new Promise((r) => registry!.once('exit', r)); }
  rmSync(regDir, { recursive: true, force: true });
});

/** HTTP with the path exactly as given (a URL string would have its dot segments resolved by the client). */
function raw(port: number, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('berth registry serve: a repository name with dot segments (raw, %2e%2e, \\) is NAME_INVALID on every route, never stored as another name', async () => {
  const port = await freePort();
  const root = join(regDir, 'root');
  registry = spawn(process.execPath, [BERTH, 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  registry.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  registry.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  for (const end = Date.now() + 15000; !out.includes('listening on');) {
    if (registry.exitCode !== null || Date.now() > end) throw new Error(`registry serve: ${out}`);
    await sleep(30);
  }
  const blob = Buffer.from('layer bytes');
  const config = Buffer.from('{"probe":true}');
  const digest = `sha256:${sha(blob)}`;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha(config)}`, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: blob.length }],
  }));
  const mt = { 'content-type': 'application/vnd.oci.image.manifest.v1+json' };
  // the probe: before the fix these were 201 and stored as repository "b"
  for (const n of ['a/../b', 'a/%2e%2e/b', 'a/%2E%2e/b', 'a\\..\\b', 'a%2f..%2fb', '..', 'a/./b']) {
    const routes: [string, string, Buffer?, Record<string, string>?][] = [
      ['POST', `/v2/${n}/blobs/uploads/?digest=${digest}`, blob],
      ['POST', `/v2/${n}/blobs/uploads/`],
      ['PUT', `/v2/${n}/manifests/latest`, manifest, mt],
      ['GET', `/v2/${n}/manifests/latest`],
      ['DELETE', `/v2/${n}/manifests/latest`],
      ['GET', `/v2/${n}/blobs/${digest}`],
      ['DELETE', `/v2/${n}/blobs/${digest}`],
      ['GET', `/v2/${n}/tags/list`],
      ['GET', `/v2/${n}/referrers/${digest}`],
      ['POST', `/v2/${n}/blobs/uploads/?mount=${digest}&from=b`],
    ];
    for (const [method, path, body, headers] of routes) {
      const r = await raw(port, method, path, body, headers);
      assert.equal(r.status, 400, `${method} ${path}: ${r.status} ${r.body}`);
      assert.equal(JSON.parse(r.body.toString()).errors[0].code, 'NAME_INVALID', `${method} ${path}`);
    }
  }
  assert.deepEqual(tree(root).filter((p) => p.startsWith('repositories/')), [], 'no repository stored');
  assert.deepEqual(readdirSync(join(root, 'uploads')), [], 'no upload started');
  assert.deepEqual(readdirSync(regDir), ['root'], 'nothing beside the registry root');
  // the same push under its real name works
  assert.equal((await raw(port, 'POST', `/v2/b/blobs/uploads/?digest=${digest}`, blob)).status, 201);
  assert.equal((await raw(port, 'POST', `/v2/b/blobs/uploads/?digest=sha256:${sha(config)}`, config)).status, 201);
  assert.equal((await raw(port, 'PUT', '/v2/b/manifests/latest', manifest, mt)).status, 201);
  assert.ok(statSync(join(root, 'repositories', 'b')).isDirectory());
});
