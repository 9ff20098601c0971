/**
 * The same Engine API requests to berthd and to a real dockerd 20.10
 * (Debian's docker.io), both at API 1.41, and their answers compared: the
 * edge cases issue 11 names that the other tests check against dockerd's
 * documented behaviour only — a `platform` the image lacks, an empty
 * Dockerfile, unclean names in a build context, `GET archive?path=/` of a
 * whole root, client-given MaskedPaths/ReadonlyPaths, exec into a
 * restarting container.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tar from 'tar-stream';
import type { Readable } from 'node:stream';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, busyboxRootfs, until, type ApiResponse } from './harness.js';
import { ThrowawayDockerd, DOCKERD_PATH } from './dockerd-harness.js';
import { demux } from './hijack-client.js';

if (!DOCKERD_PATH) throw new Error('dockerd is not installed: scripts/install-deps.sh installs docker.io');

const berth = new TestDaemon();
const dockerd = new ThrowawayDockerd();
type Engine = { name: string; api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse> };
const engines: Engine[] = [];
const V = '/v1.41';

before(async () => {
  await berth.start();
  await dockerd.start();
  for (const e of [{ name: 'berthd', api: berth.api.bind(berth) }, { name: 'dockerd', api: dockerd.api.bind(dockerd) }]) {
    const r = await e.api('POST', `${V}/images/create?fromSrc=-&repo=busybox&tag=latest&changes=${encodeURIComponent('CMD ["sh"]')}`, readFileSync(busyboxRootfs()), { 'Content-Type': 'application/x-tar' });
    assert.equal(r.status, 200, `${e.name}: ${r.body}`);
    engines.push(e);
  }
});
after(async () => {
  for (const e of engines) {
    const list = await e.api('GET', '/containers/json?all=1').catch(() => undefined);
    for (const c of list?.json<{ Id: string }[]>() ?? []) await e.api('DELETE', `/containers/${c.Id}?force=1`);
  }
  await dockerd.cleanup();
  await berth.cleanup();
});

/** Run `fn` against both engines; returns [berthd's, dockerd's]. */
async function both<T>(fn: (e: Engine) => Promise<T>): Promise<[T, T]> {
  return [await fn(engines[0]), await fn(engines[1])];
}

const answer = (r: ApiResponse) => ({ status: r.status, message: (() => { try { return r.json().message as string; } catch { return r.body.toString(); } })() });

async function tarEntries(entries: { name: string; body?: string; type?: 'file' | 'directory' }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'directory') pack.entry({ name: e.name, type: 'directory', mode: 0o755 });
    else pack.entry({ name: e.name, mode: 0o644 }, e.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function names(body: Buffer): Promise<string[]> {
  const ex = tar.extract();
  const out: string[] = [];
  ex.on('entry', (h, s, next) => { out.push(h.name); s.on('end', next); s.resume(); });
  const done = new Promise<void>((resolve, reject) => { ex.on('finish', () => resolve()); ex.on('error', reject); });
  ex.end(body);
  await done;
  return out;
}

const TAR = { 'Content-Type': 'application/x-tar' };
/** A legacy build's answer: status, then the stream's text (or the error message). */
async function buildAnswer(e: Engine, context: Buffer) {
  const r = await e.api('POST', `${V}/build?rm=1`, context, TAR);
  if (r.status !== 200) return { status: r.status, message: answer(r).message };
  const lines = r.body.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { stream?: string; error?: string });
  return { status: r.status, error: lines.find((l) => l.error)?.error, stream: lines.map((l) => l.stream ?? '').join('') };
}

test('a platform the image does not provide: the same message (berthd answers 400, InvalidParameter, as dockerd >= 23; dockerd 20.10 said 404)', async () => {
  const [b, o] = await both(async (e) => answer(await e.api('POST', `${V}/containers/create?platform=linux/arm64`, { Image: 'busybox', Cmd: ['true'] })));
  assert.equal(b.message, o.message);
  assert.equal(o.message, 'image with reference busybox was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64');
  assert.deepEqual([b.status, o.status], [400, 404]);
});

test('an empty Dockerfile and one with comments only: the same status and message', async () => {
  for (const body of ['', '# nothing here\n']) {
    const [b, o] = await both(async (e) => buildAnswer(e, await tarEntries([{ name: 'Dockerfile', body }])));
    assert.deepEqual(b, o, JSON.stringify(body));
  }
});

test('a build context with unclean names (./a, x/../b, ../foo, d/./e): cleaned as dockerd cleans them, nothing outside', async () => {
  const ctx = await tarEntries([{ name: 'Dockerfile', body: 'FROM busybox\nCOPY . /ctx/\nRUN find /ctx | sort\n' }, { name: './a', body: 'a' }, { name: 'x/../b', body: 'b' }, { name: '../foo', body: 'foo' }, { name: 'd/./e', body: 'e' }]);
  const [b, o] = await both(async (e) => buildAnswer(e, ctx));
  const listing = (s?: string) => (s ?? '').split('\n').filter((l) => l.startsWith('/ctx'));
  assert.equal(b.status, 200);
  assert.equal(o.status, 200);
  assert.equal(b.error, undefined);
  assert.deepEqual(listing(b.stream), listing(o.stream));
  assert.deepEqual(listing(o.stream), ['/ctx', '/ctx/Dockerfile', '/ctx/a', '/ctx/b', '/ctx/d', '/ctx/d/e', '/ctx/foo']);
});

test('GET archive?path=/ of a whole root: the same stat and the same entry names', async () => {
  const [b, o] = await both(async (e) => {
    const c = (await e.api('POST', `${V}/containers/create`, { Image: 'busybox', Cmd: ['true'] })).json().Id;
    const r = await e.api('GET', `${V}/containers/${c}/archive?path=/`);
    const stat = JSON.parse(Buffer.from(String(r.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString() || '{}');
    return { status: r.status, name: stat.name, mode: stat.mode, names: r.status === 200 ? (await names(r.body)).sort() : [] };
  });
  assert.equal(b.status, 200);
  assert.deepEqual({ ...b, names: b.names.slice(0, 8) }, { ...o, names: o.names.slice(0, 8) });
  assert.deepEqual(b.names, o.names);
  assert.ok(b.names.includes('/bin/busybox'));
  // and both CLIs copy it into a new directory, as `docker cp c:/ dir` does
  const c = (await engines[0].api('POST', `${V}/containers/create?name=cproot`, { Image: 'busybox', Cmd: ['true'] })).json().Id;
  for (const [cli, dir] of [[berth.docker.bind(berth), join(berth.root, 'root-docker')], [berth.berth.bind(berth), join(berth.root, 'root-berth')]] as const) {
    const r = await cli(['cp', `${c}:/`, dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'bin', 'busybox')), dir);
    assert.ok(!existsSync(join(berth.root, 'bin')), 'nothing beside the destination');
  }
});

test('client-given MaskedPaths and ReadonlyPaths replace the defaults: the same HostConfig and the same view from inside', async () => {
  const [b, o] = await both(async (e) => {
    const r = await e.api('POST', `${V}/containers/create`, { Image: 'busybox', Cmd: ['sh', '-c', 'head -c 3 /proc/kcore | wc -c; ls /proc/acpi | wc -l; touch /proc/acpi/x 2>&1; echo; cat /proc/asound/cards 2>&1 | head -1'], HostConfig: { MaskedPaths: ['/proc/asound'], ReadonlyPaths: ['/proc/acpi'] } });
    const id = r.json().Id;
    const hc = (await e.api('GET', `${V}/containers/${id}/json`)).json().HostConfig;
    await e.api('POST', `${V}/containers/${id}/start`);
    await e.api('POST', `${V}/containers/${id}/wait`);
    const logs = demux((await e.api('GET', `${V}/containers/${id}/logs?stdout=1&stderr=1`)).body);
    return { masked: hc.MaskedPaths, ro: hc.ReadonlyPaths, stdout: logs.stdout.toString(), stderr: logs.stderr.toString() };
  });
  assert.deepEqual(b, o);
  assert.deepEqual(b.masked, ['/proc/asound']);
});

test('exec into a restarting container: 409 in dockerd\'s words, at create', async () => {
  const [b, o] = await both(async (e) => {
    const id = (await e.api('POST', `${V}/containers/create`, { Image: 'busybox', Cmd: ['sh', '-c', 'exit 1'], HostConfig: { RestartPolicy: { Name: 'always' } } })).json().Id;
    await e.api('POST', `${V}/containers/${id}/start`);
    let r: ApiResponse;
    // the container runs for a moment between restarts: an exec that lands then is made (201); ask again
    for (let i = 0; ; i++) {
      await until(async () => (await e.api('GET', `${V}/containers/${id}/json`)).json().State.Restarting === true, 15000, 5);
      r = await e.api('POST', `${V}/containers/${id}/exec`, { Cmd: ['true'] });
      if (r.status !== 201 || i === 4) break;
    }
    await e.api('DELETE', `${V}/containers/${id}?force=1`);
    return { status: r.status, message: answer(r).message.replace(id, '<id>') };
  });
  assert.deepEqual(b, o);
  assert.deepEqual(b, { status: 409, message: 'Container <id> is restarting, wait until the container is running' });
});
