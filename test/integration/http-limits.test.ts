/**
 * HTTP-level limits and hostile connections against a real berthd, with
 * dockerd's behaviour as the reference: headers up to 1 MiB are read (Go's
 * DefaultMaxHeaderBytes; registry auth headers can be large), more is a 431;
 * 10 000 headers, a malformed request line, and 200 connections that send
 * half a request and hold it each end only themselves while /_ping keeps
 * answering.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { TestDaemon, sleep } from './harness.js';

const d = new TestDaemon();
before(() => d.start());
after(() => d.cleanup());

/** Send raw bytes, return everything the daemon answers until it closes (or `ms` passes). */
function raw(data: string | Buffer, ms = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(d.sock);
    let out = '';
    const t = setTimeout(() => { s.destroy(); resolve(out); }, ms);
    s.on('data', (c: Buffer) => { out += c.toString(); if (/\r\n\r\n/.test(out) && /Content-Length: (\d+)/i.test(out)) { const n = Number(/Content-Length: (\d+)/i.exec(out)![1]); if (out.length - out.indexOf('\r\n\r\n') - 4 >= n) { clearTimeout(t); s.destroy(); resolve(out); } } });
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(t); resolve(out); });
    s.write(data);
  });
}

async function pingMs(): Promise<number> {
  const t0 = Date.now();
  const r = await d.api('GET', '/_ping');
  assert.equal(r.status, 200);
  return Date.now() - t0;
}

test('a 1 MB header is read, as dockerd (Node\'s 16 KB default answered 431); 2 MB is a 431 in Docker\'s JSON', async () => {
  const big = 'a'.repeat(1_000_000);
  const ok = await raw(`GET /_ping HTTP/1.1\r\nHost: x\r\nX-Registry-Auth: ${big}\r\nConnection: close\r\n\r\n`);
  assert.match(ok, /^HTTP\/1\.1 200/);
  const tooBig = await raw(`GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2_000_000)}\r\n\r\n`);
  assert.match(tooBig, /^HTTP\/1\.1 431/);
  assert.match(tooBig, /\{"message":"request header too large"\}/);
  await pingMs();
});

test('10 000 headers and a malformed request line end only their own connection', async () => {
  const many = Array.from({ length: 10_000 }, (_v, i) => `X-H${i}: v`).join('\r\n');
  const r = await raw(`GET /version HTTP/1.1\r\nHost: x\r\n${many}\r\nConnection: close\r\n\r\n`);
  assert.match(r, /^HTTP\/1\.1 200/);
  const bad = await raw('NOT A REQUEST\r\n\r\n');
  assert.match(bad, /^HTTP\/1\.1 400/);
  assert.match(bad, /"message":"bad request/);
  const bin = await raw(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]));
  assert.match(bin, /^HTTP\/1\.1 400/);
  await pingMs();
});

test('200 slow half-open connections do not stop the daemon answering', async () => {
  const held: Socket[] = [];
  for (let i = 0; i < 200; i++) {
    const s = connect(d.sock);
    s.on('error', () => {});
    s.write(i % 2 ? 'POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"Ima' : 'GET /containers/js');
    if (i % 3 === 0) s.end();
    held.push(s);
  }
  await sleep(500);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) times.push(await pingMs());
  assert.ok(Math.max(...times) < 2000, `ping times ${times.join(',')}`);
  for (const s of held) s.destroy();
  await sleep(200);
  await pingMs();
  assert.doesNotMatch(d.stderr, /uncaught exception/);
});
