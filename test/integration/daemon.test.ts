/** berthd as a process: several listeners, daemon.json, side-by-side instances, pidfile, flags. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { TestDaemon, run, BERTHD, linksNamed } from './harness.js';

const daemons: TestDaemon[] = [];
after(async () => { for (const d of daemons) await d.cleanup(); });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

function tcpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

test('listens on a Unix socket (mode 0660) and on TCP; daemon.json settings apply', async () => {
  const d = new TestDaemon();
  daemons.push(d);
  const port = await freePort();
  writeFileSync(d.configFile, JSON.stringify({ 'log-level': 'debug' }));
  await d.start(['-H', `tcp://127.0.0.1:${port}`]);
  assert.equal(statSync(d.sock).mode & 0o777, 0o660);
  const ping = await tcpGet(port, '/_ping');
  assert.deepEqual(ping, { status: 200, body: 'OK' });
  const v = await run('docker', ['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.Version}}']);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
  assert.match(d.stderr, /level=debug/, 'log-level from daemon.json applies');
});

test('two daemons run side by side with separate state', async () => {
  const a = new TestDaemon();
  const b = new TestDaemon();
  daemons.push(a, b);
  await a.start();
  await b.start();
  await a.importBusybox();
  assert.equal((await a.docker(['images', '-q'])).stdout.trim().split('\n').length, 1);
  assert.equal((await b.docker(['images', '-q'])).stdout.trim(), '');
  const r = await a.docker(['run', '--rm', 'busybox', 'echo', 'from a']);
  assert.equal(r.stdout, 'from a\n');
});

test('a second berthd on the same roots refuses to start (pidfile)', async () => {
  const d = new TestDaemon();
  daemons.push(d);
  await d.start();
  const second = await run(process.execPath, [BERTHD, '-H', `unix://${d.root}/other.sock`, '--data-root', d.dataRoot, '--exec-root', d.execRoot, '--config-file', d.configFile], { timeoutMs: 20000 });
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, /pid file found, ensure berthd is not running/);
  assert.equal((await d.api('GET', '/_ping')).status, 200, 'the first daemon is unaffected');
});

test('a second berthd on the same network prefix refuses to start, the first keeps its ports', async () => {
  const d = new TestDaemon();
  daemons.push(d);
  await d.start();
  const other = join(d.root, 'other');
  const second = await run(process.execPath, [BERTHD, '-H', `unix://${other}.sock`, '--data-root', `${other}/data`, '--exec-root', `${other}/exec`, '--config-file', d.configFile, '--network-prefix', d.netPrefix, '--bridge', `${d.netPrefix}9`], { timeoutMs: 20000 });
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, new RegExp(`network prefix "${d.netPrefix}" is in use by berthd \\(pid ${d.pid}\\)`));
  assert.deepEqual(linksNamed(`${d.netPrefix}9`), [], 'the refused daemon made no bridge');
  assert.equal((await d.api('GET', '/_ping')).status, 200, 'the first daemon is unaffected');
  // after a crash the claim is stale, and the same daemon starts again
  await d.crash();
  await d.start();
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('bad flags and config are refused with a clear message', async () => {
  const d = new TestDaemon();
  daemons.push(d);
  const unknown = await run(process.execPath, [BERTHD, '--no-such-flag']);
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /unknown flag: --no-such-flag/);
  writeFileSync(d.configFile, JSON.stringify({ 'data-root': '/tmp/x' }));
  const both = await run(process.execPath, [BERTHD, '--config-file', d.configFile, '--data-root', d.dataRoot]);
  assert.equal(both.code, 125);
  assert.match(both.stderr, /specified both as a flag and in the configuration file: data-root/);
  writeFileSync(d.configFile, JSON.stringify({ 'not-an-option': 1 }));
  const bad = await run(process.execPath, [BERTHD, '--config-file', d.configFile]);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /don't match any configuration option: not-an-option/);
  const help = await run(process.execPath, [BERTHD, '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--data-root/);
});
