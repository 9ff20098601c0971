/**
 * The hardening issue's stream reproductions, each giving dockerd's result:
 * stdin and stdout through `docker run -i` / `exec -i` are lossless at any
 * size (dockerd: exact counts and digests; berthd lost everything past
 * 32 KiB packets), binary stdin with ctrl-p ctrl-q passes verbatim (detach
 * keys are for TTYs only; it killed berthd), a TTY attach that detaches
 * and keeps sending is cut off without harm, a restarted container is not
 * killed by the earlier stop's timer, and clients that go away in the
 * middle of a download end only their own request.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync, readdirSync, openSync, closeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { TestDaemon, DOCKER, sleep, until } from './harness.js';
import { hijack, demux } from './hijack-client.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(() => d.cleanup());

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Run the docker CLI with a file as stdin and binary stdout. */
function dockerBinary(args: string[], stdinFile: string, timeoutMs = 120_000): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fd = openSync(stdinFile, 'r');
    const child = spawn(DOCKER, args, { env: { ...process.env, ...d.env }, stdio: [fd, 'pipe', 'pipe'] });
    closeSync(fd);
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout: docker ${args.join(' ')}: ${err}`)); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }); });
  });
}

async function alive(): Promise<void> {
  const r = await d.api('GET', '/_ping');
  assert.equal(r.status, 200, 'berthd answers /_ping');
  assert.equal(d.pid !== undefined && d.stderr.includes('uncaught exception'), false, `no uncaught exception in the daemon log:\n${d.stderr.slice(-2000)}`);
}

function file(name: string, data: Buffer): string {
  const p = join(d.root, name);
  writeFileSync(p, data);
  return p;
}

test('head -c 200000 /dev/zero | docker run --rm -i busybox wc -c prints 200000 (as dockerd; berthd printed 101696)', async () => {
  const r = await dockerBinary(['run', '--rm', '-i', 'busybox', 'wc', '-c'], file('zero200k', Buffer.alloc(200_000)));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().trim(), '200000');
  await alive();
});

test('5 MB of random bytes into docker run -i: sha256sum matches and the daemon lives (it died on ctrl-p ctrl-q in the data)', async () => {
  const data = randomBytes(5_000_000);
  // make sure the detach sequence is in there, many times
  for (let i = 0; i < 200; i++) data.set([16, 17], i * 24_000 + 7);
  const r = await dockerBinary(['run', '--rm', '-i', 'busybox', 'sha256sum'], file('rnd5m', data));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().split(/\s/)[0], sha(data));
  await alive();
});

test('100 MB through docker run -i: wc -c and sha256sum exact', async () => {
  const data = randomBytes(100 * 1024 * 1024);
  const p = file('rnd100m', data);
  const wc = await dockerBinary(['run', '--rm', '-i', 'busybox', 'wc', '-c'], p);
  assert.equal(wc.stdout.toString().trim(), String(data.length), wc.stderr);
  const s = await dockerBinary(['run', '--rm', '-i', 'busybox', 'sha256sum'], p);
  assert.equal(s.stdout.toString().split(/\s/)[0], sha(data), s.stderr);
  await alive();
});

test('stdout is lossless and binary-safe: 5 MB of random bytes cat back byte for byte (run -i and exec -i)', async () => {
  const data = randomBytes(5_000_000);
  const p = file('rnd5m-cat', data);
  const r = await dockerBinary(['run', '--rm', '-i', 'busybox', 'cat'], p);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, data.length);
  assert.ok(r.stdout.equals(data), 'run -i cat: bytes differ');
  assert.equal((await d.docker(['run', '-d', '--name', 'ex1', 'busybox', 'sleep', '300'])).code, 0);
  const e = await dockerBinary(['exec', '-i', 'ex1', 'cat'], p);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(e.stdout.equals(data), 'exec -i cat: bytes differ');
  const z = await dockerBinary(['exec', '-i', 'ex1', 'wc', '-c'], file('zero200k-exec', Buffer.alloc(200_000)));
  assert.equal(z.stdout.toString().trim(), '200000');
  await d.docker(['rm', '-f', 'ex1']);
  await alive();
});

test('non-TTY attach passes ctrl-p ctrl-q through verbatim; the half-close delivers EOF after every byte', async () => {
  const c = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sha256sum'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true });
  const id = c.json().Id as string;
  const h = await hijack(d.sock, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
  assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
  const data = Buffer.from('\x10\x11after the keys\x10\x11'.repeat(5000));
  h.socket.end(data);
  const out = demux(await h.closed).stdout.toString();
  assert.equal(out.split(/\s/)[0], sha(data));
  await d.api('DELETE', `/containers/${id}?force=1`);
  await alive();
});

test('a TTY attach that detaches (ctrl-p ctrl-q) and keeps sending is cut off; the container and the daemon go on', async () => {
  const c = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sh'], Tty: true, OpenStdin: true, AttachStdin: true, AttachStdout: true });
  const id = c.json().Id as string;
  assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
  const h = await hijack(d.sock, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
  h.socket.write('echo $((40+2))\r');
  await until(() => h.received().toString().includes('42'), 10_000);
  // the sequence, and more right behind it (this killed berthd: push after EOF)
  h.socket.write(Buffer.concat([Buffer.from([16, 17]), Buffer.from('echo after\r')]));
  for (let i = 0; i < 20; i++) h.socket.write(`more ${i} \x10\x11\r`);
  await h.closed;
  assert.doesNotMatch(h.received().toString(), /after\r\n/, 'nothing after the detach reached the shell');
  const st = await d.api('GET', `/containers/${id}/json`);
  assert.equal(st.json().State.Status, 'running');
  // attach again: the same shell answers
  const h2 = await hijack(d.sock, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
  h2.socket.write('echo $((6*7))x\r');
  await until(() => h2.received().toString().includes('42x'), 10_000);
  h2.socket.destroy();
  await d.api('DELETE', `/containers/${id}?force=1`);
  await alive();
});

test('stop -t 1, start, restart -t 1: the container keeps running (an earlier stop\'s timer killed it, Exited (255))', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'rs1', 'busybox', 'sleep', '600'])).code, 0);
  assert.equal((await d.docker(['stop', '-t', '1', 'rs1'])).code, 0);
  assert.equal((await d.docker(['start', 'rs1'])).code, 0);
  assert.equal((await d.docker(['restart', '-t', '1', 'rs1'])).code, 0);
  // both stops' SIGKILL waits ran out; their 10 s "monitor lost" fallbacks would have fired by now
  await sleep(12_500);
  const r = await d.docker(['inspect', '-f', '{{.State.Status}}|{{.State.Error}}|{{.RestartCount}}', 'rs1']);
  assert.equal(r.stdout.trim(), 'running||0');
  await d.docker(['rm', '-f', 'rs1']);
});

/** GET `path`, read `bytes` of the body, then drop the connection. */
function readThenDrop(path: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.sock, path, method: 'GET' }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => { n += c.length; if (n >= bytes) { req.destroy(); resolve(res.statusCode ?? 0); } });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => (/socket hang up|aborted|ECONNRESET/.test(e.message) ? resolve(0) : reject(e)));
    req.end();
  });
}

const fds = () => readdirSync(`/proc/${d.pid}/fd`).length;

test('clients dropping archive, export, save, logs and attach downloads midway end only their own requests', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'dl1', 'busybox', 'sh', '-c', 'yes berth | head -c 3000000; sleep 600'])).code, 0);
  await until(async () => (await d.api('GET', '/containers/dl1/logs?stdout=1&tail=1')).body.length > 0, 10_000);
  const before = fds();
  for (let i = 0; i < 10; i++) {
    await readThenDrop('/containers/dl1/archive?path=/bin', 4096);
    await readThenDrop('/containers/dl1/export', 4096);
    await readThenDrop('/images/get?names=busybox', 4096);
    await readThenDrop('/containers/dl1/logs?stdout=1&follow=1', 4096);
    await readThenDrop('/containers/dl1/attach?stream=1&logs=1&stdout=1', 4096);
  }
  await alive();
  // every dropped request let go of its files (a few may still be closing)
  await until(() => fds() <= before + 5, 10_000);
  await d.docker(['rm', '-f', 'dl1']);
});

test('an attached client cut off mid-stream, mid-stdin and after a half-close: the container and daemon are unharmed', async () => {
  assert.equal((await d.docker(['run', '-d', '-i', '--name', 'cut1', 'busybox', 'sh', '-c', 'while :; do echo tick; sleep 0.05; done'])).code, 0);
  for (let i = 0; i < 10; i++) {
    const h = await hijack(d.sock, '/containers/cut1/attach?stream=1&stdin=1&stdout=1&stderr=1');
    h.socket.write(randomBytes(70_000));
    if (i % 2) h.socket.end(); else h.socket.destroy();
    await sleep(50);
    h.socket.destroy();
  }
  await alive();
  assert.equal((await d.api('GET', '/containers/cut1/json')).json().State.Status, 'running');
  await d.docker(['rm', '-f', 'cut1']);
});

test('the daemon log names no crash', () => {
  assert.doesNotMatch(d.stderr, /uncaught exception|Emitted 'error' event|ERR_STREAM_PUSH_AFTER_EOF/);
  assert.ok(readFileSync(`/proc/${d.pid}/status`, 'utf8').includes('State:'));
});

test('logs?follow=1 of a quiet container answers its headers at once, as dockerd (they waited for the first line)', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'quiet1', 'busybox', 'sleep', '300'])).code, 0);
  const t0 = Date.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ socketPath: d.sock, path: '/containers/quiet1/logs?stdout=1&stderr=1&follow=1' }, (res) => { resolve(res.statusCode ?? 0); req.destroy(); });
    req.on('error', (e) => (/socket hang up|ECONNRESET/.test(e.message) ? undefined : reject(e)));
    req.end();
  });
  assert.equal(status, 200);
  assert.ok(Date.now() - t0 < 2000, `headers after ${Date.now() - t0} ms`);
  assert.equal((await d.api('GET', '/containers/nosuch/logs?stdout=1&follow=1')).status, 404, 'errors still get their status');
  await d.docker(['rm', '-f', 'quiet1']);
});
