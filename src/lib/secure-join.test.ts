import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm, symlink, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { BerthError } from '../errdefs/errors.js';
import { secureJoin, secureMkdirAll } from './secure-join.js';

/** A sandbox: <tmp>/root is the container root, <tmp>/outside must never be touched. */
async function sandbox(t: { after: (fn: () => Promise<void>) => void }) {
  const base = await mkdtemp(join(tmpdir(), 'berth-sj-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'a', 'b'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret'), 's');
  await symlink('/', join(root, 'slash'));
  await symlink('/etc', join(root, 'abs-etc'));
  await symlink('../../../../../../..', join(root, 'up'));
  await symlink('../../../outside', join(root, 'a', 'b', 'rel-out'));
  await symlink(outside, join(root, 'abs-out'));
  await symlink('l2', join(root, 'l1'));
  await symlink('l1', join(root, 'l2'));
  await symlink('self', join(root, 'self'));
  await symlink('b', join(root, 'a', 'to-b'));
  await symlink('../etc', join(root, 'a', 'up-etc'));
  return { base, root, outside };
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + sep);

test('secureJoin resolves links relative to the root', async (t) => {
  const { root } = await sandbox(t);
  const cases: [string, string][] = [
    ['', ''],
    ['/', ''],
    ['etc/passwd', 'etc/passwd'],
    ['/etc/../etc/./passwd', 'etc/passwd'],
    ['../../etc/passwd', 'etc/passwd'],
    ['slash', ''],
    ['slash/etc/passwd', 'etc/passwd'],
    ['abs-etc/hosts', 'etc/hosts'],
    ['up', ''],
    ['up/etc/shadow', 'etc/shadow'],
    ['a/b/rel-out', 'outside'],
    ['a/b/rel-out/secret', 'outside/secret'],
    ['a/to-b/x', 'a/b/x'],
    ['a/up-etc/hosts', 'etc/hosts'],
    ['missing/deeper/file', 'missing/deeper/file'],
  ];
  for (const [unsafe, rel] of cases) {
    const got = await secureJoin(root, unsafe);
    assert.ok(inside(root, got), `${unsafe} → ${got} escapes ${root}`);
    assert.equal(got, rel ? join(root, rel) : root, unsafe);
  }
  // an absolute link to a host path is taken as a path inside the root
  assert.equal(await secureJoin(root, 'abs-out/secret'), join(root, join(root, '..', 'outside', 'secret')));
});

test('secureJoin: link loops are an invalid-argument error', async (t) => {
  const { root } = await sandbox(t);
  for (const p of ['l1', 'l2/x', 'self', 'a/../self/y']) {
    await assert.rejects(secureJoin(root, p), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && /too many levels of symbolic links/.test(e.message), p);
  }
});

test('secureMkdirAll creates inside the root only, even through hostile links', async (t) => {
  const { root, outside } = await sandbox(t);
  const made = await secureMkdirAll(root, 'new/dir/here', 0o750);
  assert.equal(made, join(root, 'new/dir/here'));
  assert.ok((await stat(made)).isDirectory());
  assert.equal(await secureMkdirAll(root, 'slash/via-slash'), join(root, 'via-slash'));
  assert.equal(await secureMkdirAll(root, 'a/b/rel-out/planted'), join(root, 'outside', 'planted'));
  assert.equal(await secureMkdirAll(root, 'up/x/y'), join(root, 'x/y'));
  for (const p of ['abs-out/planted2', 'slash/tmp/x']) {
    try {
      const got = await secureMkdirAll(root, p);
      assert.ok(inside(root, got), `${p} → ${got}`);
    } catch (e) {
      // refusing is fine; escaping is not
      assert.ok(e instanceof Error);
    }
  }
  assert.deepEqual(await readdir(outside), ['secret'], 'something was created outside the root');
  const owned = await secureMkdirAll(root, 'owned', 0o700, { uid: 1234, gid: 5678 });
  const st = await stat(owned);
  assert.equal(st.uid, 1234);
  assert.equal(st.gid, 5678);
});

test('secureMkdirAll: a file in the way is invalid-argument', async (t) => {
  const { root } = await sandbox(t);
  await writeFile(join(root, 'etc', 'file'), 'x');
  await assert.rejects(secureMkdirAll(root, 'etc/file/sub'), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument');
  await assert.rejects(secureMkdirAll(root, 'l1/x'), BerthError);
});
