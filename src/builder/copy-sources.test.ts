/**
 * builder/copy-sources tests — source resolution (globs, escapes through
 * `..` and symlinks), the content hash, and Docker's destination rules.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, readFileSync, readlinkSync, statSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { resolveInRoot, resolveSources, hashSources, copyIntoRootfs } from './copy-sources.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-copy-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 't-'));
  for (const [n, t] of Object.entries(files)) {
    mkdirSync(join(dir, n, '..'), { recursive: true });
    if (t.startsWith('->')) symlinkSync(t.slice(2), join(dir, n));
    else if (n.endsWith('/')) mkdirSync(join(dir, n), { recursive: true });
    else writeFileSync(join(dir, n), t);
  }
  return dir;
}

test('resolveInRoot follows links inside the root and refuses escapes', async () => {
  const root = tree({ 'a/f': 'x', 'in': '->a/f', 'up': '->../outside', 'abs': '->/etc/passwd', 'a/back': '->../a/f', 'a/deep': '->../../x' });
  const cases: [string, string | RegExp][] = [
    ['a/f', 'a/f'],
    ['in', 'a/f'],
    ['a/back', 'a/f'],
    ['./a/../a/f', 'a/f'],
    ['up', /forbidden path outside the build context: up \(a symlink to \.\.\/outside\)/],
    ['abs', /forbidden path outside the build context: abs \(a symlink to \/etc\/passwd\)/],
    ['a/deep', /forbidden path outside/],
    ['../x', /forbidden path outside the build context: \.\.\/x/],
  ];
  for (const [p, want] of cases) {
    if (want instanceof RegExp) await assert.rejects(resolveInRoot(root, p, 'build context', p), want, p);
    else assert.equal(await resolveInRoot(root, p, 'build context', p), want, p);
  }
});

test('resolveSources: globs, missing files, ../', async () => {
  const root = tree({ 'package.json': '{}', 'package-lock.json': '{}', 'src/a.js': 'a', 'src/b.ts': 'b' });
  assert.deepEqual((await resolveSources(root, ['package*.json'], 'build context')).map((s) => s.rel), ['package-lock.json', 'package.json']);
  assert.deepEqual((await resolveSources(root, ['src/*.js'], 'build context')).map((s) => s.rel), ['src/a.js']);
  assert.deepEqual((await resolveSources(root, ['.'], 'build context')).map((s) => s.rel), ['']);
  await assert.rejects(resolveSources(root, ['nope.txt'], 'build context'), /"\/nope\.txt" not found/);
  await assert.rejects(resolveSources(root, ['*.md'], 'build context'), /no source files were specified/);
  await assert.rejects(resolveSources(root, ['../etc'], 'build context'), /forbidden path outside the build context/);
});

test('hashSources changes with content and mode, not with mtime', async () => {
  const root = tree({ 'd/f': 'one' });
  const h1 = await hashSources(await resolveSources(root, ['d'], 'build context'));
  writeFileSync(join(root, 'd/f'), 'one'); // new mtime, same content
  assert.equal(await hashSources(await resolveSources(root, ['d'], 'build context')), h1);
  chmodSync(join(root, 'd/f'), 0o755);
  const h2 = await hashSources(await resolveSources(root, ['d'], 'build context'));
  assert.notEqual(h2, h1);
  writeFileSync(join(root, 'd/f'), 'two');
  assert.notEqual(await hashSources(await resolveSources(root, ['d'], 'build context')), h2);
});

test('copyIntoRootfs: file to dir, file to file, directory contents, links kept, owner and chmod', async () => {
  const ctx = tree({ 'f.txt': 'F', 'dir/x': 'X', 'dir/sub/y': 'Y', 'dir/l': '->x' });
  const rootfs = tree({ 'existing/': '' });
  const src = (p: string[]) => resolveSources(ctx, p, 'build context');
  await copyIntoRootfs(rootfs, await src(['f.txt']), { dest: '/existing', destIsDir: false, owner: { uid: 0, gid: 0 } });
  assert.equal(readFileSync(join(rootfs, 'existing/f.txt'), 'utf8'), 'F', 'an existing directory receives the file');
  await copyIntoRootfs(rootfs, await src(['f.txt']), { dest: '/renamed.txt', destIsDir: false, owner: { uid: 0, gid: 0 } });
  assert.equal(readFileSync(join(rootfs, 'renamed.txt'), 'utf8'), 'F');
  await copyIntoRootfs(rootfs, await src(['f.txt']), { dest: '/new/dir', destIsDir: true, owner: { uid: 0, gid: 0 } });
  assert.equal(readFileSync(join(rootfs, 'new/dir/f.txt'), 'utf8'), 'F', 'a trailing slash makes a directory');
  await copyIntoRootfs(rootfs, await src(['dir']), { dest: '/app', destIsDir: false, owner: { uid: 7, gid: 8 }, chmod: 0o640 });
  assert.equal(readFileSync(join(rootfs, 'app/x'), 'utf8'), 'X', 'a directory source copies its contents');
  assert.equal(readFileSync(join(rootfs, 'app/sub/y'), 'utf8'), 'Y');
  assert.equal(readlinkSync(join(rootfs, 'app/l')), 'x');
  const st = statSync(join(rootfs, 'app/x'));
  assert.equal(st.uid, 7);
  assert.equal(st.gid, 8);
  assert.equal(st.mode & 0o777, 0o640);
  await assert.rejects(copyIntoRootfs(rootfs, await src(['f.txt', 'dir']), { dest: '/multi', destIsDir: false, owner: { uid: 0, gid: 0 } }), /must be a directory and end with a \//);
});

test('copyIntoRootfs keeps writes inside the rootfs when the image has a link out', async () => {
  const ctx = tree({ 'f': 'F' });
  const rootfs = tree({ 'evil': '->/outside-target' });
  await copyIntoRootfs(rootfs, await resolveSources(ctx, ['f'], 'build context'), { dest: '/evil/', destIsDir: true, owner: { uid: 0, gid: 0 } });
  assert.equal(readFileSync(join(rootfs, 'outside-target', 'f'), 'utf8'), 'F', 'the absolute link resolves inside the rootfs');
  assert.throws(() => statSync('/outside-target/f'));
});
