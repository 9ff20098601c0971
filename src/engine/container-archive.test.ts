import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, rmSync, writeFileSync, readdirSync, linkSync, readFileSync, existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { ContainerFs } from './container-fs.js';
import { archivePath, extractArchive, goFileMode } from './container-archive.js';
import { lstatSync } from 'node:fs';

const base = mkdtempSync(join(tmpdir(), 'berth-arch-'));
after(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, 'rootfs');
const outside = join(base, 'outside');
mkdirSync(join(outside, 'b'), { recursive: true });
writeFileSync(join(outside, 'b', 'secret'), 'host secret');
mkdirSync(root, { recursive: true });
// "a" was a directory when resolved, and has since been swapped for a link out of the root
symlinkSync(outside, join(root, 'a'));

/** A filesystem view whose resolution went stale: it trusts the path as given (what a race leaves behind). */
class StaleFs extends ContainerFs {
  override async resolve(path: string): Promise<string> { return posix.normalize('/' + path).replace(/\/\.$/, '') || '/'; }
}

async function tarOf(entries: { name: string; body?: string; type?: 'file' | 'directory' }[]): Promise<Readable> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', mode: 0o644 }, e.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Readable.from([Buffer.concat(chunks)]);
}

test('a directory swapped for a link after resolving is caught before anything is written', async () => {
  const fs = new StaleFs(root, []);
  mkdirSync(join(root, 'dest'), { recursive: true });
  await assert.rejects(extractArchive(fs, '/', 'c', await tarOf([{ name: 'a/b/pwned', body: 'x' }])), (e: Error) => /moved out of the container/.test(e.message));
  assert.deepEqual(readdirSync(join(outside, 'b')), ['secret']);
});

test('a directory swapped for a link after resolving is caught before anything is read', async () => {
  const fs = new StaleFs(root, []);
  const a = await archivePath(fs, '/a/b', 'c');
  const chunks: Buffer[] = [];
  a.tar.on('data', (c: Buffer) => chunks.push(c));
  await a.done;
  await new Promise((r) => setImmediate(r));
  assert.ok(!Buffer.concat(chunks).toString('latin1').includes('host secret'));
  assert.ok(a.tar.destroyed, 'the stream is aborted');
});

test('goFileMode: Go os.FileMode bits the docker CLI decodes', () => {
  assert.equal(goFileMode(lstatSync(outside)), 2 ** 31 + (lstatSync(outside).mode & 0o777));
  assert.equal(goFileMode(lstatSync(join(root, 'a'))), 2 ** 27 + 0o777);
  assert.equal(goFileMode(lstatSync(join(outside, 'b', 'secret'))), lstatSync(join(outside, 'b', 'secret')).mode & 0o777);
});

test('hard links inside the archived tree become link entries (directories named with a trailing slash, as Docker\'s tar); extracting them links again', async () => {
  const r2 = join(base, 'rootfs2');
  mkdirSync(join(r2, 'd'), { recursive: true });
  writeFileSync(join(r2, 'd', 'one'), 'shared body');
  linkSync(join(r2, 'd', 'one'), join(r2, 'd', 'two'));
  const fs = new ContainerFs(r2, []);
  const a = await archivePath(fs, '/d', 'c');
  const entries: { name: string; type: string; linkname: string | null }[] = [];
  const ex = tar.extract();
  const done = new Promise<void>((resolve) => ex.on('finish', resolve));
  ex.on('entry', (h, s2, next) => { entries.push({ name: h.name, type: h.type ?? '', linkname: h.linkname ?? null }); s2.resume(); s2.on('end', next); });
  a.tar.pipe(ex);
  await done;
  assert.deepEqual(entries, [
    { name: 'd/', type: 'directory', linkname: null },
    { name: 'd/one', type: 'file', linkname: null },
    { name: 'd/two', type: 'link', linkname: 'd/one' },
  ]);
  mkdirSync(join(r2, 'into'));
  const again = await archivePath(fs, '/d', 'c');
  await extractArchive(fs, '/into', 'c', again.tar);
  assert.equal(lstatSync(join(r2, 'into', 'd', 'two')).ino, lstatSync(join(r2, 'into', 'd', 'one')).ino);
});

test('missing parent directories of entries are created (0755, root or the copyUIDGID owner), as Docker\'s Unpack does', async () => {
  const r3 = join(base, 'rootfs3');
  mkdirSync(join(r3, 'dst'), { recursive: true });
  const fs = new ContainerFs(r3, []);
  await extractArchive(fs, '/dst', 'c', await tarOf([{ name: 'sub/deeper/x.txt', body: 'x' }, { name: 'top.txt', body: 't' }]));
  assert.equal(readFileSync(join(r3, 'dst', 'sub', 'deeper', 'x.txt'), 'utf8'), 'x');
  for (const d of ['sub', 'sub/deeper']) {
    const st = lstatSync(join(r3, 'dst', d));
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o7777, 0o755);
    assert.deepEqual([st.uid, st.gid], [0, 0]);
  }
  await extractArchive(fs, '/dst', 'c', await tarOf([{ name: 'owned/f', body: 'f' }]), { owner: { uid: 1234, gid: 5678 } });
  const st = lstatSync(join(r3, 'dst', 'owned'));
  assert.deepEqual([st.uid, st.gid], [1234, 5678]);
  // a parent that exists as a file stays an error
  await assert.rejects(extractArchive(fs, '/dst', 'c', await tarOf([{ name: 'top.txt/y', body: 'y' }])), /parent is not a directory/);
  // a parent that is a dangling link is left alone (lstat, as Docker): its target is not created
  symlinkSync('/nowhere', join(r3, 'dst', 'dangling'));
  await assert.rejects(extractArchive(fs, '/dst', 'c', await tarOf([{ name: 'dangling/z', body: 'z' }])), /parent is not a directory/);
  assert.ok(!existsSync(join(r3, 'nowhere')));
});

test('a missing parent under a directory swapped for a link is not created outside the root', async () => {
  const fs = new StaleFs(root, []);
  await assert.rejects(extractArchive(fs, '/', 'c', await tarOf([{ name: 'a/newdir/pwned', body: 'x' }])), /parent is not a directory|moved out of the container/);
  assert.deepEqual(readdirSync(outside), ['b']);
  await assert.rejects(extractArchive(fs, '/', 'c', await tarOf([{ name: 'a/b/newdir/pwned', body: 'x' }])), /parent is not a directory|moved out of the container/);
  assert.deepEqual(readdirSync(join(outside, 'b')), ['secret']);
});

test('a hard link that cannot be made is reported with container paths, never the host path of the root (as dockerd: "link /tmp/nosuch /tmp/h: …")', async () => {
  const r = join(base, 'hl-rootfs');
  mkdirSync(join(r, 'tmp', 'd'), { recursive: true });
  const fs = new ContainerFs(r, []);
  const pack = tar.pack();
  pack.entry({ name: 'h', type: 'link', linkname: 'nosuch' });
  pack.entry({ name: 'h2', type: 'link', linkname: 'd' });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const entries = Buffer.concat(chunks);
  // tar-stream writes each header as one 512-byte block: split the two entries
  const one = (i: number) => Readable.from([Buffer.concat([entries.subarray(i * 512, (i + 1) * 512), Buffer.alloc(1024)])]);
  for (const [tarball, message] of [
    [one(0), 'invalid tar archive: link /tmp/nosuch /tmp/h: no such file or directory'],
    [one(1), 'invalid tar archive: link /tmp/d /tmp/h2: operation not permitted'],
  ] as const) {
    await assert.rejects(extractArchive(fs, '/tmp', 'c', tarball), (e: Error) => {
      assert.equal(e.message, message);
      assert.ok(!e.message.includes(base));
      return true;
    });
  }
  assert.deepEqual(readdirSync(join(r, 'tmp')), ['d']);
});
