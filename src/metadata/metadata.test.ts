import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SCHEMA_VERSION, type Db } from './database.js';
import { ImageRecords } from './image-records.js';
import { ContainerRecords } from './container-records.js';
import { LayerRecords } from './layer-records.js';
import { NetworkRecords } from './network-records.js';

async function tempDb(t: { after: (fn: () => Promise<void> | void) => void }): Promise<{ db: Db; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-db-'));
  const path = join(dir, 'berth.db');
  const db = openDatabase(path);
  t.after(async () => { if (db.open) db.close(); await rm(dir, { recursive: true, force: true }); });
  return { db, path };
}

const ID1 = 'sha256:' + '1'.repeat(64);
const ID2 = 'sha256:' + '2'.repeat(64);

test('openDatabase applies migrations once and is idempotent on reopen', async (t) => {
  const { db, path } = await tempDb(t);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  for (const t of ['containers', 'image_refs', 'images', 'layers', 'layer_blobs', 'volumes', 'networks', 'image_parents', 'build_cache']) assert.ok(tables.includes(t), `table ${t}`);
  new ImageRecords(db).put({ id: ID1, config: '{}', createdAt: 'now', size: 1 }, ['docker.io/library/a:latest']);
  db.close();
  const again = openDatabase(path);
  try {
    assert.equal(again.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(new ImageRecords(again).resolveRef('docker.io/library/a:latest'), ID1, 'data survives reopen');
  } finally { again.close(); }
});

test('ImageRecords: put, tag, untag, delete', async (t) => {
  const { db } = await tempDb(t);
  const images = new ImageRecords(db);
  images.put({ id: ID1, config: '{"a":1}', createdAt: '2024-01-01T00:00:00Z', size: 10 }, ['docker.io/library/a:latest', 'docker.io/library/a:1']);
  images.put({ id: ID1, config: 'ignored', createdAt: 'x', size: 99 }, []);
  assert.deepEqual(images.get(ID1), { id: ID1, config: '{"a":1}', createdAt: '2024-01-01T00:00:00Z', size: 10 }, 'put is insert-or-ignore');
  assert.deepEqual(images.refsOf(ID1), ['docker.io/library/a:1', 'docker.io/library/a:latest']);
  images.put({ id: ID2, config: '{}', createdAt: 'y', size: 2 }, ['docker.io/library/a:latest']);
  assert.equal(images.resolveRef('docker.io/library/a:latest'), ID2, 'a name moves to the new image');
  assert.deepEqual(images.refsOf(ID1), ['docker.io/library/a:1']);
  images.tag('docker.io/me/b:x', ID1);
  assert.equal(images.resolveRef('docker.io/me/b:x'), ID1);
  assert.deepEqual(images.findByPrefix('111'), [ID1]);
  assert.deepEqual(images.findByPrefix(''), [ID1, ID2].sort());
  assert.equal(images.untag('docker.io/me/b:x'), true);
  assert.equal(images.untag('docker.io/me/b:x'), false);
  assert.equal(images.resolveRef('docker.io/me/b:x'), undefined);
  assert.throws(() => images.tag('docker.io/x/y:z', 'sha256:' + 'f'.repeat(64)), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  images.delete(ID1);
  assert.equal(images.get(ID1), undefined);
  assert.deepEqual(images.refsOf(ID1), []);
  assert.deepEqual(images.list().map((r) => r.id), [ID2]);
  assert.deepEqual(images.allRefs(), [{ ref: 'docker.io/library/a:latest', imageId: ID2 }]);
});

interface Doc { id: string; name: string; imageId: string; n?: number }

test('ContainerRecords: insert, duplicate name is SQLITE_CONSTRAINT_UNIQUE, update, delete', async (t) => {
  const { db } = await tempDb(t);
  const c = new ContainerRecords<Doc>(db);
  c.insert({ id: 'abc1', name: 'web', imageId: ID1, n: 1 });
  c.insert({ id: 'abc2', name: 'db', imageId: ID1 });
  assert.throws(() => c.insert({ id: 'zzz', name: 'web', imageId: ID2 }), { code: 'SQLITE_CONSTRAINT_UNIQUE' });
  assert.throws(() => c.insert({ id: 'abc1', name: 'other', imageId: ID2 }), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  assert.equal(c.get('zzz'), undefined);
  assert.deepEqual(c.get('abc1'), { id: 'abc1', name: 'web', imageId: ID1, n: 1 });
  assert.deepEqual(c.getByName('db')?.id, 'abc2');
  assert.deepEqual(c.findByPrefix('abc').sort(), ['abc1', 'abc2']);
  assert.equal(c.countByImage(ID1), 2);
  c.update({ id: 'abc1', name: 'web2', imageId: ID2, n: 2 });
  assert.equal(c.getByName('web'), undefined);
  assert.deepEqual(c.getByName('web2'), { id: 'abc1', name: 'web2', imageId: ID2, n: 2 });
  assert.throws(() => c.update({ id: 'abc1', name: 'db', imageId: ID2 }), { code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'rename onto a taken name');
  c.delete('abc2');
  assert.deepEqual(c.list().map((d) => d.id), ['abc1']);
  c.insert({ id: 'abc3', name: 'db', imageId: ID1 });
  assert.equal(c.countByImage(ID1), 1);
});

test('LayerRecords: put is idempotent, delete', async (t) => {
  const { db } = await tempDb(t);
  const l = new LayerRecords(db);
  l.put({ chainId: 'c1', diffId: 'd1', parent: null, size: 5, blob: null });
  l.put({ chainId: 'c1', diffId: 'other', parent: null, size: 9, blob: 'b' });
  l.put({ chainId: 'c2', diffId: 'd2', parent: 'c1', size: 7, blob: 'sha256:x' });
  assert.deepEqual(l.get('c1'), { chainId: 'c1', diffId: 'd1', parent: null, size: 5, blob: null });
  assert.equal(l.all().length, 2);
  l.delete('c1');
  assert.equal(l.get('c1'), undefined);
  assert.deepEqual(l.all().map((r) => r.chainId), ['c2']);
});

test('NetworkRecords: insert, unique names, prefix lookup, update, delete', async (t) => {
  const { db } = await tempDb(t);
  const nets = new NetworkRecords<{ id: string; name: string; v?: number }>(db);
  nets.insert({ id: 'aa11', name: 'one' });
  nets.insert({ id: 'aa22', name: 'two' });
  assert.throws(() => nets.insert({ id: 'bb33', name: 'one' }), (e: { code?: string }) => e.code === 'SQLITE_CONSTRAINT_UNIQUE');
  assert.deepEqual(nets.getByName('two'), { id: 'aa22', name: 'two' });
  assert.deepEqual(nets.findByPrefix('aa').sort(), ['aa11', 'aa22']);
  nets.update({ id: 'aa11', name: 'one', v: 2 });
  assert.equal(nets.get('aa11')?.v, 2);
  nets.delete('aa11');
  assert.equal(nets.get('aa11'), undefined);
  assert.deepEqual(nets.list().map((n) => n.name), ['two']);
});
