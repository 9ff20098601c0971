/**
 * snapshots/layer-diff tests — an overlay-style upper tree (0:0 character
 * device whiteouts, an opaque directory, a hard link, a symlink) → layer
 * tar entries; fixed timestamps make the bytes reproducible; changes and
 * copied-up directories.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, linkSync, rmSync, utimesSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { mknod, setOpaque } from './mounter.js';
import { scanUpper, packUpper, changesFromEntries, dropCopiedUpDirs, isRuntimePlaceholder } from './layer-diff.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-diff-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function readTar(s: Readable): Promise<{ entries: { name: string; type: string; mtime: number; linkname?: string | null; body: string }[]; digest: string }> {
  const chunks: Buffer[] = [];
  s.on('data', (c: unknown) => chunks.push(c as Buffer));
  await new Promise<void>((r, j) => { s.on('end', () => r()); s.on('error', j); });
  const buf = Buffer.concat(chunks);
  const ex = tar.extract();
  const entries: { name: string; type: string; mtime: number; linkname?: string | null; body: string }[] = [];
  ex.on('entry', (h, st, next) => {
    let body = '';
    st.on('data', (c: unknown) => { body += (c as Buffer).toString(); });
    st.on('end', () => { entries.push({ name: h.name, type: h.type ?? '', mtime: h.mtime?.getTime() ?? 0, linkname: h.linkname, body }); next(); });
  });
  await new Promise<void>((r, j) => { ex.on('finish', () => r()); ex.on('error', j); ex.end(buf); });
  return { entries, digest: createHash('sha256').update(buf).digest('hex') };
}

async function upperTree(): Promise<string> {
  const u = mkdtempSync(join(tmp, 'upper-'));
  mkdirSync(join(u, 'etc'));
  writeFileSync(join(u, 'etc/app.conf'), 'conf');
  linkSync(join(u, 'etc/app.conf'), join(u, 'etc/hard'));
  symlinkSync('app.conf', join(u, 'etc/link'));
  await mknod(join(u, 'etc/gone'), 'c', 0, 0);
  mkdirSync(join(u, 'var/cache'), { recursive: true });
  await setOpaque(join(u, 'var/cache'));
  writeFileSync(join(u, 'var/cache/new'), 'n');
  return u;
}

test('whiteouts, opaque dirs, hard links and symlinks become layer entries', async () => {
  const u = await upperTree();
  const entries = await scanUpper(u);
  const { entries: t } = await readTar(packUpper(u, entries, new Date(0)));
  assert.deepEqual(t.map((e) => `${e.type} ${e.name}${e.linkname ? ` -> ${e.linkname}` : ''}`), [
    'directory etc/',
    'file etc/app.conf',
    'file etc/.wh.gone',
    'link etc/hard -> etc/app.conf',
    'symlink etc/link -> app.conf',
    'directory var/',
    'directory var/cache/',
    'file var/cache/.wh..wh..opq',
    'file var/cache/new',
  ]);
  assert.ok(t.every((e) => e.mtime === 0), 'every timestamp is the given one');
  assert.equal(t.find((e) => e.name === 'etc/app.conf')!.body, 'conf');
});

test('the same tree packs to the same bytes whatever its timestamps', async () => {
  const u = await upperTree();
  const a = await readTar(packUpper(u, await scanUpper(u), new Date(1700000000000)));
  utimesSync(join(u, 'etc/app.conf'), new Date(), new Date());
  const b = await readTar(packUpper(u, await scanUpper(u), new Date(1700000000000)));
  assert.equal(a.digest, b.digest);
  const own = await readTar(packUpper(u, await scanUpper(u)));
  assert.notEqual(own.digest, a.digest, 'without a fixed time, files keep their own mtimes (commit)');
});

test('changes: A for new, C for existing, D for whiteouts; runtime placeholders and copied-up dirs left out', async () => {
  const lower = mkdtempSync(join(tmp, 'lower-'));
  mkdirSync(join(lower, 'etc'));
  writeFileSync(join(lower, 'etc/gone'), 'x');
  writeFileSync(join(lower, 'etc/app.conf'), 'old');
  mkdirSync(join(lower, 'usr/lib'), { recursive: true });
  const u = mkdtempSync(join(tmp, 'upper-'));
  mkdirSync(join(u, 'etc'));
  writeFileSync(join(u, 'etc/app.conf'), 'new');
  await mknod(join(u, 'etc/gone'), 'c', 0, 0);
  writeFileSync(join(u, 'etc/hosts'), ''); // bind-mount target made by the runtime
  mkdirSync(join(u, 'proc'));
  mkdirSync(join(u, 'usr/lib'), { recursive: true }); // copied up only
  const lowerStat = async (rel: string) => { try { return lstatSync(join(lower, rel)); } catch { return undefined; } };
  const entries = await dropCopiedUpDirs(await scanUpper(u, { exclude: isRuntimePlaceholder }), lowerStat);
  const changes = await changesFromEntries(entries, async (rel) => !!(await lowerStat(rel)));
  assert.deepEqual(changes, [
    { Path: '/etc', Kind: 0 },
    { Path: '/etc/app.conf', Kind: 0 },
    { Path: '/etc/gone', Kind: 2 },
  ]);
});

test('packUpper: a file swapped for a link to a host file after the scan is left out, never read (running container export)', async () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-swap-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  mkdirSync(join(root, 'd'), { recursive: true });
  writeFileSync(join(root, 'd', 'f'), 'inside');
  writeFileSync(join(root, 'gone'), 'x');
  writeFileSync(join(base, 'secret'), 'HOST SECRET');
  const entries = await scanUpper(root);
  // the container swaps after the scan: a file becomes a link out, a directory becomes a link out, one vanishes
  rmSync(join(root, 'd'), { recursive: true });
  symlinkSync(base, join(root, 'd'));
  writeFileSync(join(base, 'f'), 'HOST SECRET');
  rmSync(join(root, 'gone'));
  const names: string[] = [];
  let bytes = '';
  const ex = tar.extract();
  ex.on('entry', (h, s, next) => { names.push(h.name); s.on('data', (c: unknown) => { bytes += String(c); }); s.on('end', next); s.resume(); });
  const done = new Promise<void>((r, j) => { ex.on('finish', () => r()); ex.on('error', j); });
  (packUpper(root, entries) as Readable).pipe(ex as unknown as NodeJS.WritableStream);
  await done;
  assert.doesNotMatch(bytes, /HOST SECRET/);
  assert.ok(!names.includes('gone') && !names.includes('d/f'), names.join(','));
});
