import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { LocalContentStore } from '../content/local-content-store.js';
import { OverlaySnapshotter } from '../snapshots/overlay-snapshotter.js';
import { openDatabase } from '../metadata/database.js';
import { ImageRecords } from '../metadata/image-records.js';
import { LayerRecords } from '../metadata/layer-records.js';
import { LayerBlobRecords } from '../metadata/layer-blob-records.js';
import { ImageStore } from './image-store.js';

async function makeTar(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => { pack.on('end', resolve); pack.on('error', reject); });
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) => pack.entry({ name, mtime: new Date(0) }, body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'berth-imagestore-'));
  const content = new LocalContentStore({ root: join(root, 'content') });
  await content.init();
  const snapshots = new OverlaySnapshotter({ root: join(root, 'snapshots') });
  await snapshots.init();
  const db = openDatabase(join(root, 'berth.db'));
  t.after(async () => { db.close(); await rm(root, { recursive: true, force: true }); });
  const layerBlobs = new LayerBlobRecords(db);
  const store = new ImageStore({ content, snapshots, images: new ImageRecords(db), layers: new LayerRecords(db), layerBlobs });
  const blobs = async () => (await content.list()).map((b) => b.digest).sort();
  return { store, content, snapshots, layerBlobs, blobs };
}

test('garbage collection: layers no image uses and blobs nothing refers to go; images keep theirs', async (t) => {
  const { store, content, snapshots, layerBlobs, blobs } = await setup(t);
  const img = await store.importRootfs(Readable.from([await makeTar({ 'a.txt': 'a' })]), { ref: 'base:1' });
  const [baseChain] = store.layerChain(img);
  const baseLayer = store.layerStore.get(baseChain)!;
  // a registry blob recorded for the kept layer (a push made it) stays
  const pushed = await content.ingest(Buffer.from('gzip of the base layer'));
  layerBlobs.put({ diffId: baseLayer.diffId, digest: pushed.digest, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: pushed.size, source: null });
  const kept = await blobs();
  assert.deepEqual(kept, [img.id, baseLayer.blob!, pushed.digest].sort());

  // what a crash mid-pull leaves: a config blob and a layer (with its blob) without their image
  const orphanConfig = await content.ingest(Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}'));
  const orphanLayer = await store.registerLayerTar(Readable.from([await makeTar({ 'b.txt': 'b' })]), baseChain);
  const orphanLayerBlob = store.layerStore.get(orphanLayer.chainId)!.blob!;
  assert.equal(await snapshots.hasLayer(orphanLayer.chainId), true);

  const removed = await store.collectGarbage();
  assert.deepEqual(removed.layers, [orphanLayer.chainId]);
  assert.deepEqual(removed.blobs.sort(), [orphanConfig.digest, orphanLayerBlob].sort());
  assert.deepEqual(await blobs(), kept);
  assert.equal(await snapshots.hasLayer(orphanLayer.chainId), false);
  assert.equal(store.layerStore.get(orphanLayer.chainId), undefined);
  assert.equal(store.resolve('base:1').id, img.id);
  assert.equal(await snapshots.hasLayer(baseChain), true);
  assert.deepEqual(await store.collectGarbage(), { layers: [], blobs: [] });

  // rmi of the last image takes its config, layer and the registry blob of that layer
  const del = await store.remove('base:1', { usedBy: () => undefined });
  assert.deepEqual(del.deleted, [img.id, baseChain]);
  assert.deepEqual(await blobs(), []);
  assert.deepEqual(await snapshots.listLayers(), []);
});

test('a lease holds collection off: a layer made before its image survives an rmi meanwhile', async (t) => {
  const { store, blobs } = await setup(t);
  const other = await store.importRootfs(Readable.from([await makeTar({ 'o.txt': 'o' })]), { ref: 'other:1' });
  let layerChain = '';
  let gcDuringLease: Awaited<ReturnType<ImageStore['collectGarbage']>> | undefined;
  const built = await store.withLease(async () => {
    const layer = await store.registerLayerTar(Readable.from([await makeTar({ 'c.txt': 'c' })]), null);
    layerChain = layer.chainId;
    // someone removes an image while this "build" has a layer but no image yet
    const del = await store.remove('other:1', { usedBy: () => undefined });
    assert.deepEqual(del.deleted, [other.id], 'the image goes; its layers wait for the lease');
    gcDuringLease = await store.collectGarbage();
    assert.ok(store.layerStore.get(layerChain), 'the leased layer is still there');
    return store.registerBuilt({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.diffId] } }, null, ['built:1']);
  });
  assert.deepEqual(gcDuringLease, { layers: [], blobs: [] });
  // the deferred collection runs when the lease ends: the removed image's layer goes, the new one stays
  const want = [built.id, store.layerStore.get(layerChain)!.blob!].sort();
  const deadline = Date.now() + 5000;
  while (JSON.stringify(await blobs()) !== JSON.stringify(want) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await blobs(), want);
  assert.equal(store.layerStore.get(store.layerChain(other)[0]), undefined);
  assert.ok(store.layerStore.get(layerChain));
});
