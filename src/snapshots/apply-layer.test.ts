import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { BerthError } from '../errdefs/errors.js';
import { applyLayer, cleanEntryPath } from './apply-layer.js';

type Entry = Partial<tar.Header> & { name: string; body?: string };

/** Build an uncompressed tar in memory with tar-stream's pack. */
async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject); });
  for (const { body, ...h } of entries) {
    await new Promise<void>((resolve, reject) => pack.entry(h, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function sandbox(t: { after: (fn: () => Promise<void>) => void }) {
  const base = await mkdtemp(join(tmpdir(), 'berth-layer-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const root = join(base, 'layer');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(base, 'sentinel'), 'keep');
  return { base, root, outside };
}

const apply = async (root: string, entries: Entry[]) => applyLayer(root, Readable.from([await makeTar(entries)]));
const T1 = new Date('2020-01-02T03:04:05Z');
const T2 = new Date('2021-06-07T08:09:10Z');

test('cleanEntryPath normalises names', () => {
  const cases: [string, string][] = [['a/b', 'a/b'], ['./a/b/', 'a/b'], ['/abs/x', 'abs/x'], ['a//b/./c', 'a/b/c'], ['.', ''], ['./', '']];
  for (const [input, want] of cases) assert.equal(cleanEntryPath(input), want, input);
});

test('applyLayer writes files, dirs, symlinks, hardlinks with modes, owners, mtimes', async (t) => {
  const { root } = await sandbox(t);
  const res = await apply(root, [
    { name: 'etc/', type: 'directory', mode: 0o750, uid: 10, gid: 20, mtime: T1 },
    { name: 'etc/conf', type: 'file', mode: 0o640, uid: 1000, gid: 1001, mtime: T2, body: 'hello' },
    { name: 'bin/tool', type: 'file', mode: 0o4755, uid: 0, gid: 0, mtime: T1, body: '#!/bin/sh\n' },
    { name: 'etc/link', type: 'symlink', linkname: '../bin/tool', uid: 7, gid: 8, mtime: T1 },
    { name: 'etc/abs', type: 'symlink', linkname: '/does/not/exist', mtime: T1 },
    { name: 'bin/hard', type: 'link', linkname: 'bin/tool' },
    { name: 'dev/fifo', type: 'fifo', mode: 0o600 },
    { name: './pax-ok', type: 'file', mode: 0o644, body: '' },
  ]);
  assert.equal(res.size, 5 + 10);
  const etc = await stat(join(root, 'etc'));
  assert.equal(etc.mode & 0o7777, 0o750);
  assert.deepEqual([etc.uid, etc.gid], [10, 20]);
  assert.equal(etc.mtime.getTime(), T1.getTime(), 'directory mtime is restored after its children were written');
  const conf = await stat(join(root, 'etc/conf'));
  assert.equal(await readFile(join(root, 'etc/conf'), 'utf8'), 'hello');
  assert.equal(conf.mode & 0o7777, 0o640);
  assert.deepEqual([conf.uid, conf.gid], [1000, 1001]);
  assert.equal(conf.mtime.getTime(), T2.getTime());
  assert.equal((await stat(join(root, 'bin/tool'))).mode & 0o7777, 0o4755, 'setuid bit kept');
  const l = await lstat(join(root, 'etc/link'));
  assert.ok(l.isSymbolicLink());
  assert.equal(await readlink(join(root, 'etc/link')), '../bin/tool');
  assert.deepEqual([l.uid, l.gid], [7, 8]);
  assert.equal(l.mtime.getTime(), T1.getTime());
  assert.equal(await readlink(join(root, 'etc/abs')), '/does/not/exist');
  const h = await stat(join(root, 'bin/hard'));
  assert.equal(h.ino, (await stat(join(root, 'bin/tool'))).ino);
  assert.equal(h.nlink, 2);
  assert.ok((await lstat(join(root, 'dev/fifo'))).isFIFO());
  assert.ok((await stat(join(root, 'bin'))).isDirectory(), 'implicit parent created');
});

test('applyLayer: a later entry replaces an earlier one', async (t) => {
  const { root } = await sandbox(t);
  await apply(root, [
    { name: 'x', type: 'file', body: 'first' },
    { name: 'x', type: 'file', body: 'second' },
    { name: 'd/', type: 'directory', mode: 0o700 },
    { name: 'd/keep', type: 'file', body: 'k' },
    { name: 'd/', type: 'directory', mode: 0o755 },
    { name: 's', type: 'symlink', linkname: 'x' },
    { name: 's', type: 'file', body: 'now a file' },
  ]);
  assert.equal(await readFile(join(root, 'x'), 'utf8'), 'second');
  assert.equal(await readFile(join(root, 'd/keep'), 'utf8'), 'k', 'dir over dir keeps children');
  assert.equal((await stat(join(root, 'd'))).mode & 0o777, 0o755);
  assert.ok((await lstat(join(root, 's'))).isFile());
});

test('applyLayer: .wh.<name> becomes a 0:0 character device, .wh..wh..opq sets trusted.overlay.opaque', async (t) => {
  const { root } = await sandbox(t);
  await apply(root, [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/gone', type: 'file', body: 'x' },
    { name: 'etc/.wh.gone', type: 'file', body: '' },
    { name: '.wh.topdir', type: 'file' },
    { name: 'opq/', type: 'directory' },
    { name: 'opq/.wh..wh..opq', type: 'file' },
    { name: 'opq/new', type: 'file', body: 'n' },
  ]);
  for (const p of ['etc/gone', 'topdir']) {
    const st = await lstat(join(root, p));
    assert.ok(st.isCharacterDevice(), `${p} is a whiteout device`);
    assert.equal(st.rdev, 0, `${p} is 0:0`);
  }
  const names = await readdir(join(root, 'etc'));
  assert.ok(!names.some((n) => n.startsWith('.wh.')), 'whiteout markers are not written as files');
  const xattr = execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(root, 'opq')]).toString();
  assert.equal(xattr, 'y');
  assert.deepEqual(await readdir(join(root, 'opq')), ['new']);
  assert.throws(() => execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(root, 'etc')], { stdio: 'pipe' }), 'only the marked dir is opaque');
});

test('applyLayer: entries under a symlinked parent are rejected, nothing written outside', async (t) => {
  const { root, outside } = await sandbox(t);
  const cases: { name: string; entries: Entry[] }[] = [
    { name: 'absolute link then child', entries: [{ name: 'evil', type: 'symlink', linkname: outside }, { name: 'evil/pwned', type: 'file', body: 'x' }] },
    { name: 'relative link then child', entries: [{ name: 'evil2', type: 'symlink', linkname: '../outside' }, { name: 'evil2/pwned', type: 'file', body: 'x' }] },
    { name: 'link then nested dir', entries: [{ name: 'evil3', type: 'symlink', linkname: outside }, { name: 'evil3/sub/', type: 'directory' }] },
    { name: 'link then whiteout', entries: [{ name: 'evil4', type: 'symlink', linkname: outside }, { name: 'evil4/.wh.secret', type: 'file' }] },
    { name: 'link then opaque', entries: [{ name: 'evil5', type: 'symlink', linkname: outside }, { name: 'evil5/.wh..wh..opq', type: 'file' }] },
  ];
  await writeFile(join(outside, 'secret'), 's');
  for (const c of cases) {
    await assert.rejects(apply(root, c.entries), (e: unknown) => e instanceof BerthError && e.code === 'INVALID_ARCHIVE', c.name);
    assert.deepEqual(await readdir(outside), ['secret'], c.name);
  }
  assert.throws(() => execFileSync('getfattr', ['-n', 'trusted.overlay.opaque', outside], { stdio: 'pipe' }));
});

test('applyLayer: ../ entries never write outside the target', async (t) => {
  const { base, root, outside } = await sandbox(t);
  const entries: Entry[] = [
    { name: '../outside/pwned', type: 'file', body: 'x' },
    { name: 'a/../../../sentinel', type: 'file', body: 'overwritten' },
    { name: 'hl', type: 'link', linkname: '../sentinel' },
  ];
  try { await apply(root, entries); } catch { /* rejecting is fine */ }
  assert.deepEqual(await readdir(outside), []);
  assert.equal(await readFile(join(base, 'sentinel'), 'utf8'), 'keep');
  assert.deepEqual((await readdir(base)).sort(), ['layer', 'outside', 'sentinel']);
});

test('applyLayer: ../ entries are rejected as a breakout, as Docker does', async (t) => {
  const { root } = await sandbox(t);
  await assert.rejects(apply(root, [{ name: '../outside/pwned', type: 'file', body: 'x' }]), (e: unknown) => e instanceof BerthError && e.code === 'INVALID_ARCHIVE');
});

test('applyLayer: a whiteout named .wh... must not remove the parent of the target', async (t) => {
  const { base, root } = await sandbox(t);
  // Worst case the bug removes <base> recursively (a temp dir of this test) and mknods it.
  try { await apply(root, [{ name: '.wh...', type: 'file' }]); } catch { /* rejecting is the fix */ }
  let sentinel: string | undefined;
  try { sentinel = await readFile(join(base, 'sentinel'), 'utf8'); } catch { sentinel = undefined; }
  assert.equal(sentinel, 'keep', 'the directory above the layer root was removed');
});

test('applyLayer: a whiteout named .wh.. must not remove the target itself', async (t) => {
  const { root } = await sandbox(t);
  await writeFile(join(root, 'keep'), 'k');
  try { await apply(root, [{ name: 'sub/.wh..', type: 'file' }]); } catch { /* rejecting is the fix */ }
  try { await apply(root, [{ name: '.wh..', type: 'file' }]); } catch { /* rejecting is the fix */ }
  assert.ok((await lstat(root)).isDirectory(), 'layer root replaced');
  assert.equal(await readFile(join(root, 'keep'), 'utf8'), 'k');
});

test('applyLayer: a bad tar is an error', async (t) => {
  const { root } = await sandbox(t);
  await assert.rejects(applyLayer(root, Readable.from([Buffer.alloc(1024, 7)])));
});

test('applyLayer: a refused entry is named as the layer sees it, never by the snapshot directory (as dockerd from its chroot)', async (t) => {
  const { base, root } = await sandbox(t);
  const cases: [Entry[], string][] = [
    [[{ name: 'a.txt', body: 'a' }, { name: 'h', type: 'link', linkname: 'nosuch' }], 'invalid layer archive: link /nosuch /h: no such file or directory'],
    [[{ name: 'd/', type: 'directory', mode: 0o755 }, { name: 'h', type: 'link', linkname: 'd' }], 'invalid layer archive: link /d /h: operation not permitted'],
    [[{ name: 'f', body: 'x' }, { name: 'f/g', body: 'y' }], 'layer entry f/g: parent f is not a directory'],
  ];
  for (const [entries, message] of cases) {
    await rm(root, { recursive: true, force: true });
    await mkdir(root);
    await assert.rejects(apply(root, entries), (e: unknown) => {
      assert.ok(e instanceof BerthError);
      assert.equal(e.kind, 'invalid-argument');
      assert.ok(!e.message.includes(base), `host path in: ${e.message}`);
      assert.equal(e.message, message);
      return true;
    });
  }
});

test('applyLayer: a hard link through a symlink to a host directory is refused; the host file gains no link', async (t) => {
  const { root, outside } = await sandbox(t);
  await writeFile(join(outside, 'canary.txt'), 'secret');
  await assert.rejects(apply(root, [
    { name: 'hs', type: 'symlink', linkname: outside },
    { name: 'hl', type: 'link', linkname: 'hs/canary.txt' },
  ]), (err: unknown) => err instanceof BerthError && /not a directory in this layer/.test(err.message) && !err.message.includes(outside));
  assert.equal((await stat(join(outside, 'canary.txt'))).nlink, 1);
  // a link to a file of the layer itself is fine
  await apply(root, [{ name: 'd/', type: 'directory' }, { name: 'd/f', body: 'x' }, { name: 'g', type: 'link', linkname: 'd/f' }]);
  assert.equal((await stat(join(root, 'g'))).nlink, 2);
});
