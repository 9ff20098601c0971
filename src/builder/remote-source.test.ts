import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../errdefs/errors.js';
import { downloadRemote, remoteFileName } from './remote-source.js';

test('the file name comes from the last URL path segment', () => {
  assert.equal(remoteFileName('http://h/a/b/file.tar.gz'), 'file.tar.gz');
  assert.equal(remoteFileName('https://h/a/b/?x=1'), 'b');
  assert.equal(remoteFileName('http://h/dir/my%20file.txt#frag'), 'my file.txt');
  assert.equal(remoteFileName('http://h/'), '');
  assert.throws(() => remoteFileName('http://'), /invalid URL/);
});

test('downloads: bytes, mode 0600, redirects, checksum, statuses, short bodies, redirect loops', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/f') { res.writeHead(200, { 'content-length': '5' }); res.end('hello'); return; }
    if (req.url === '/r') { res.writeHead(301, { location: '/f' }); res.end(); return; }
    if (req.url === '/loop') { res.writeHead(302, { location: '/loop' }); res.end(); return; }
    if (req.url === '/short') { res.writeHead(200, { 'content-length': '100' }); res.write('abc'); res.socket?.destroy(); return; }
    res.writeHead(500); res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = await mkdtemp(join(tmpdir(), 'berth-remote-'));
  t.after(async () => { server.close(); await rm(dir, { recursive: true, force: true }); });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sum = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

  const f = await downloadRemote(`${base}/r`, dir, { checksum: sum });
  assert.equal(await readFile(f.path, 'utf8'), 'hello');
  assert.equal(f.stat.mode & 0o777, 0o600);
  assert.equal(f.digest, sum);
  assert.equal(f.name, 'r');

  const fails: [string, object, RegExp][] = [
    [`${base}/f`, { checksum: `sha256:${'1'.repeat(64)}` }, /digest mismatch/],
    [`${base}/f`, { checksum: 'md5:abc' }, /invalid checksum/],
    [`${base}/x`, {}, /answered 500/],
    [`${base}/loop`, {}, /too many redirects/],
    [`${base}/short`, {}, /downloading failed|got 3 of 100 bytes/],
  ];
  for (const [url, o, re] of fails) {
    await assert.rejects(downloadRemote(url, dir, o), (e: unknown) => e instanceof BerthError && re.test(e.message), url);
  }
});
