import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWrite, atomicWriteSync, fsyncDir } from './atomic-write.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-aw-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('atomicWrite writes, replaces and leaves no temp file', async (t) => {
  const dir = await tempDir(t);
  const p = join(dir, 'config.json');
  await atomicWrite(p, 'one');
  assert.equal(await readFile(p, 'utf8'), 'one');
  await atomicWrite(p, Buffer.from('two'));
  assert.equal(await readFile(p, 'utf8'), 'two');
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('atomicWrite applies the mode (new files)', async (t) => {
  const dir = await tempDir(t);
  const old = process.umask(0);
  try {
    await atomicWrite(join(dir, 'a'), 'x', 0o600);
    atomicWriteSync(join(dir, 'b'), 'x', 0o640);
  } finally { process.umask(old); }
  assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(dir, 'b'))).mode & 0o777, 0o640);
});

test('atomicWriteSync writes strings and bytes and replaces', async (t) => {
  const dir = await tempDir(t);
  const p = join(dir, 'state');
  atomicWriteSync(p, 'hello');
  assert.equal(await readFile(p, 'utf8'), 'hello');
  atomicWriteSync(p, new Uint8Array([104, 105]));
  assert.equal(await readFile(p, 'utf8'), 'hi');
  assert.deepEqual(await readdir(dir), ['state']);
});

test('atomicWrite into a missing directory fails and creates nothing', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(atomicWrite(join(dir, 'nope', 'f'), 'x'), { code: 'ENOENT' });
  assert.throws(() => atomicWriteSync(join(dir, 'nope', 'f'), 'x'), { code: 'ENOENT' });
  assert.deepEqual(await readdir(dir), []);
});

test('atomicWrite onto a directory fails, keeps the directory, removes its temp file', async (t) => {
  const dir = await tempDir(t);
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(join(dir, 'taken'));
  await writeFile(join(dir, 'taken', 'child'), 'c');
  await assert.rejects(atomicWrite(join(dir, 'taken'), 'x'));
  assert.throws(() => atomicWriteSync(join(dir, 'taken'), 'x'));
  assert.equal(await readFile(join(dir, 'taken', 'child'), 'utf8'), 'c');
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'temp file left behind');
});

test('fsyncDir works on a directory and fails on a missing one', async (t) => {
  const dir = await tempDir(t);
  await fsyncDir(dir);
  await assert.rejects(fsyncDir(join(dir, 'missing')), { code: 'ENOENT' });
});
