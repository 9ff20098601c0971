import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BerthError } from '../errdefs/errors.js';
import { LocalContentStore, parseDigest } from './local-content-store.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function store(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'berth-cs-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const s = new LocalContentStore({ root });
  await s.init();
  return { s, root, blobs: join(root, 'blobs', 'sha256'), ingest: join(root, 'ingest') };
}

test('ingest commits a verified blob', async (t) => {
  const { s, blobs, ingest } = await store(t);
  const data = Buffer.from('hello blob');
  const info = await s.ingest(data, { digest: sha(data), size: data.length });
  assert.deepEqual(info, { digest: sha(data), size: data.length });
  assert.deepEqual(await readdir(blobs), [sha(data).slice(7)]);
  assert.deepEqual(await readdir(ingest), []);
  assert.deepEqual(await s.info(sha(data)), info);
  assert.deepEqual(await s.readBytes(sha(data)), data);
  assert.equal(s.pathOf(sha(data)), join(blobs, sha(data).slice(7)));
  const chunks: Buffer[] = [];
  for await (const c of s.read(sha(data))) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), data);
});

test('ingest from a stream without expectations computes digest and size', async (t) => {
  const { s } = await store(t);
  const parts = ['a'.repeat(70000), 'b'.repeat(70000), 'c'];
  const info = await s.ingest(Readable.from(parts.map((p) => Buffer.from(p))));
  assert.deepEqual(info, { digest: sha(parts.join('')), size: 140001 });
});

test('digest or size mismatch commits nothing and leaves no temp file', async (t) => {
  const { s, blobs, ingest } = await store(t);
  const data = Buffer.from('payload');
  const cases: { name: string; expected: { digest?: string; size?: number } }[] = [
    { name: 'wrong digest', expected: { digest: sha('other') } },
    { name: 'wrong size', expected: { digest: sha(data), size: data.length + 1 } },
    { name: 'wrong size only', expected: { size: 1 } },
  ];
  for (const c of cases) {
    await assert.rejects(s.ingest(data, c.expected), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && /mismatch/.test(e.message), c.name);
    assert.deepEqual(await readdir(blobs), [], c.name);
    assert.deepEqual(await readdir(ingest), [], c.name);
    assert.equal(await s.info(sha(data)), undefined, c.name);
  }
});

test('a failing source commits nothing and leaves no temp file', async (t) => {
  const { s, blobs, ingest } = await store(t);
  const src = new Readable({ read() { this.push(Buffer.from('partial')); this.destroy(new Error('network down')); } });
  await assert.rejects(s.ingest(src), /network down/);
  assert.deepEqual(await readdir(blobs), []);
  assert.deepEqual(await readdir(ingest), []);
});

test('re-ingesting existing content is idempotent', async (t) => {
  const { s, blobs } = await store(t);
  const data = Buffer.from('same bytes');
  const a = await s.ingest(data);
  const b = await s.ingest(data, { digest: sha(data), size: data.length });
  assert.deepEqual(a, b);
  assert.deepEqual(await readdir(blobs), [sha(data).slice(7)]);
  assert.deepEqual(await s.list(), [a]);
  // still verifies on re-ingest
  await assert.rejects(s.ingest(data, { digest: sha('nope') }), BerthError);
  assert.deepEqual(await s.readBytes(sha(data)), data);
});

test('list, delete, not-found and invalid digests', async (t) => {
  const { s, blobs } = await store(t);
  const a = await s.ingest(Buffer.from('a'));
  const b = await s.ingest(Buffer.from('b'));
  await writeFile(join(blobs, 'not-a-digest'), 'x');
  assert.deepEqual((await s.list()).sort((x, y) => x.digest.localeCompare(y.digest)), [a, b].sort((x, y) => x.digest.localeCompare(y.digest)));
  await s.delete(a.digest);
  await s.delete(a.digest);
  assert.deepEqual(await s.list(), [b]);
  await assert.rejects(s.readBytes(a.digest), (e: unknown) => e instanceof BerthError && e.kind === 'not-found');
  for (const bad of ['sha256:abc', 'md5:' + 'a'.repeat(32), `sha256:${'A'.repeat(64)}`, '../../etc/passwd']) {
    assert.throws(() => parseDigest(bad), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument', bad);
    assert.throws(() => s.pathOf(bad), BerthError, bad);
  }
});

test('cleanupIngests removes leftovers from crashed ingests only', async (t) => {
  const { s, ingest } = await store(t);
  const kept = await s.ingest(Buffer.from('keep me'));
  await writeFile(join(ingest, 'deadbeef'), 'half a blob');
  await mkdir(join(ingest, 'odd-dir'));
  await writeFile(join(ingest, 'odd-dir', 'x'), 'x');
  await s.cleanupIngests();
  assert.deepEqual(await readdir(ingest), []);
  assert.equal((await readFile(s.pathOf(kept.digest))).toString(), 'keep me');
});
