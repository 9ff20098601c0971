/**
 * `POST /build?version=2` with the context in the body, as dockerode and
 * docker-py send a BuildKit build: the same builder, reported as dockerd's
 * BuildKit does — `moby.buildkit.trace` lines (base64 StatusResponse
 * protobufs: one vertex per step, started then completed or CACHED, RUN
 * output as logs on its vertex, a failure on the failing vertex), then
 * `moby.image.id`; failures in BuildKit's words; a client that goes away
 * mid-build costs the daemon nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { TestDaemon, until } from './harness.js';
import { tarOf } from './tar-helpers.js';
import { decodeStatus, type BkVertex, type BkVertexLog } from '../../src/api/buildkit-status.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const TAR = { 'Content-Type': 'application/x-tar' };

/** The stream's lines; the trace lines decoded: each vertex's last state (in order of first appearance) and the logs. */
function parse(body: Buffer) {
  const lines = body.toString().split(/\r?\n/).filter(Boolean).map((l) => JSON.parse(l));
  const vertexes = new Map<string, BkVertex>();
  const updates: BkVertex[] = [];
  const logs: BkVertexLog[] = [];
  for (const l of lines) {
    if (l.id !== 'moby.buildkit.trace') continue;
    const s = decodeStatus(Buffer.from(l.aux, 'base64'));
    for (const v of s.vertexes) { vertexes.set(v.digest, v); updates.push(v); }
    logs.push(...s.logs);
  }
  return { lines, vertexes: [...vertexes.values()], updates, logs };
}

const DOCKERFILE = 'FROM busybox\nRUN echo to-stdout; echo to-stderr >&2\nENV A=1\n';

test('a BuildKit build of a tar context: one vertex per step, chained, RUN output as its logs, then the image ID; the image is the legacy builder\'s', async () => {
  const ctx = await tarOf({ Dockerfile: DOCKERFILE });
  const r = await d.api('POST', '/build?version=2&t=bk-progress:1', ctx, TAR);
  assert.equal(r.status, 200);
  const { lines, vertexes, updates, logs } = parse(r.body);
  assert.ok(lines.every((l) => l.id === 'moby.buildkit.trace' || l.id === 'moby.image.id'), 'nothing but BuildKit\'s two kinds of lines');
  assert.deepEqual(vertexes.map((v) => v.name), ['[internal] load remote build context', '[1/3] FROM busybox', '[2/3] RUN echo to-stdout; echo to-stderr >&2', '[3/3] ENV A=1', 'exporting to image']);
  for (const [i, v] of vertexes.entries()) {
    assert.match(v.digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(v.started && v.completed && v.completed >= v.started, `${v.name} started and completed`);
    assert.equal(v.error, undefined);
    assert.deepEqual(v.inputs, i ? [vertexes[i - 1].digest] : [], 'each step takes the one before as its input');
  }
  assert.ok(updates.some((u) => u.name.startsWith('[2/3]') && !u.completed), 'the RUN step was first sent running');
  const run = vertexes[2].digest;
  assert.deepEqual(logs.filter((l) => l.vertex === run).map((l) => [l.stream, l.msg.toString()]), [[1, 'to-stdout\n'], [2, 'to-stderr\n']]);
  const last = lines[lines.length - 1];
  assert.equal(last.id, 'moby.image.id');
  const id = last.aux.ID as string;
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.ok(logs.some((l) => l.vertex === vertexes[4].digest && l.msg.toString() === `writing image ${id} done\n`));
  assert.equal((await d.api('GET', '/images/bk-progress:1/json')).json().Id, id, 'tagged');

  // the same context through the legacy API gives the same image (one builder, reproducible)
  const legacy = await d.api('POST', '/build?t=bk-progress:legacy', ctx, TAR);
  assert.match(legacy.body.toString(), new RegExp(`"aux":\\{"ID":"${id}"\\}`));

  // again: every step after FROM is CACHED, and no RUN output
  const again = parse((await d.api('POST', '/build?version=2', ctx, TAR)).body);
  assert.deepEqual(again.vertexes.filter((v) => v.cached).map((v) => v.name), ['[2/3] RUN echo to-stdout; echo to-stderr >&2', '[3/3] ENV A=1']);
  assert.equal(again.logs.filter((l) => l.vertex === again.vertexes[2].digest).length, 0);
  assert.equal(again.lines[again.lines.length - 1].aux.ID, id);
});

test('a failing step: the error on its vertex and as the last line, in BuildKit\'s words; multi-stage vertexes carry the stage', async () => {
  const ctx = await tarOf({ Dockerfile: 'FROM busybox AS base\nRUN true\nFROM base\nRUN echo failing; exit 3\n' });
  const r = await d.api('POST', '/build?version=2', ctx, TAR);
  assert.equal(r.status, 200);
  const { lines, vertexes } = parse(r.body);
  assert.deepEqual(vertexes.map((v) => v.name).slice(1), ['[base 1/2] FROM busybox', '[base 2/2] RUN true', '[stage-1 1/2] FROM base', '[stage-1 2/2] RUN echo failing; exit 3']);
  const failed = vertexes[vertexes.length - 1];
  const message = 'failed to solve: process "/bin/sh -c echo failing; exit 3" did not complete successfully: exit code: 3';
  assert.equal(failed.error, message);
  assert.deepEqual(lines[lines.length - 1], { errorDetail: { message }, error: message });
  assert.equal((await d.api('GET', '/containers/json?all=1')).json().length, 0, 'no step container left');
});

test('POST /build version: unknown versions are 400, a BuildKit session context is 501, before anything streams', async () => {
  const ctx = await tarOf({ Dockerfile: 'FROM busybox\n' });
  const bad = await d.api('POST', '/build?version=3', ctx, TAR);
  assert.equal(bad.status, 400);
  assert.equal(bad.json().message, 'unsupported builder version 3');
  const session = await d.api('POST', '/build?version=2&remote=client-session&session=abc', ctx, TAR);
  assert.equal(session.status, 501);
  assert.match(session.json().message, /BuildKit sessions/);
  const noDockerfile = await tarOf({ 'x.txt': 'x' });
  const empty = await d.api('POST', '/build?version=2', noDockerfile, TAR);
  const legacy = await d.api('POST', '/build', noDockerfile, TAR);
  assert.ok(empty.status >= 400, 'a context without a Dockerfile is refused with a status before anything streams');
  assert.deepEqual([empty.status, empty.json().message], [legacy.status, legacy.json().message], 'as in the legacy API');
});

test('a BuildKit client that goes away during a RUN step: the build is cancelled, the daemon stays up, nothing is left', async () => {
  const ctx = await tarOf({ Dockerfile: 'FROM busybox\nRUN echo started; sleep 30\n' });
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath: d.sock, method: 'POST', path: '/build?version=2', agent: false, headers: { ...TAR, 'Content-Length': String(ctx.length) } }, (res) => {
      let seen = '';
      res.on('data', (c: Buffer) => {
        seen += c.toString();
        // the RUN step's log line has arrived: its container runs; hang up
        if (seen.split('\n').filter(Boolean).some((l) => { const j = JSON.parse(l); return j.id === 'moby.buildkit.trace' && decodeStatus(Buffer.from(j.aux, 'base64')).logs.length > 0; })) { req.destroy(); resolve(); }
      });
      res.on('error', () => {});
    });
    req.on('error', (e) => { if (!req.destroyed) reject(e); });
    req.end(ctx);
  });
  await until(async () => (await d.api('GET', '/containers/json?all=1')).json().length === 0, 20000); // the step container is removed
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

/** Open a BuildKit session as dockerode does (POST /session, Upgrade: h2c); resolves with the hijacked socket. */
function openSession(id: string | undefined): Promise<{ status: number; socket?: import('node:net').Socket; body?: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Connection: 'Upgrade', Upgrade: 'h2c', 'X-Docker-Expose-Session-Name': 'test', 'X-Docker-Expose-Session-Grpc-Method': '/moby.filesync.v1.Auth/Credentials' };
    if (id) headers['X-Docker-Expose-Session-Uuid'] = id;
    const req = request({ socketPath: d.sock, method: 'POST', path: '/session', headers, agent: false });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode!, socket }));
    req.on('response', (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve({ status: res.statusCode!, body: b })); });
    req.on('error', reject);
    req.end();
  });
}

test('POST /session: a BuildKit session is hijacked (101, h2c) and named by the build; an unknown or closed one is 400', async () => {
  const missing = await openSession(undefined);
  assert.equal(missing.status, 400);
  assert.match(JSON.parse(missing.body!).message, /X-Docker-Expose-Session-Uuid/);

  const id = `sess-${Date.now()}`;
  const s = await openSession(id);
  assert.equal(s.status, 101);
  // what a client's gRPC server sends first (an HTTP/2 SETTINGS frame) is taken without harm
  s.socket!.write(Buffer.from('000000040000000000', 'hex'));
  const ctx = await tarOf({ Dockerfile: 'FROM busybox\nENV S=1\n' });
  const r = await d.api('POST', `/build?version=2&session=${id}&t=bk-session:1`, ctx, TAR);
  assert.equal(r.status, 200);
  assert.equal(parse(r.body).lines.pop().id, 'moby.image.id');
  const dup = await openSession(id);
  assert.equal(dup.status, 400, 'a session ID is open once');

  const unknown = await d.api('POST', '/build?version=2&session=no-such-session', ctx, TAR);
  assert.equal(unknown.status, 400);
  assert.match(unknown.json().message, /no active session for no-such-session/);

  s.socket!.end();
  await until(async () => (await d.api('POST', `/build?version=2&session=${id}`, ctx, TAR)).status === 400, 10000);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});
