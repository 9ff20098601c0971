/**
 * images/archive-save — `docker save`: write images as the archive Docker
 * 25+ writes, which both old and new loaders read: an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/sha256/…` with manifest, config and
 * uncompressed layer tars) plus the legacy `manifest.json` and
 * `repositories`. Layers pulled compressed are gunzipped on the fly (one
 * counting pass that also checks the diff ID, one writing pass), so the
 * archive is always what the config's diff IDs promise. A layer shared by
 * several images is written once.
 * May import: content, snapshots, metadata, oci, lib, errdefs.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { tarWriter } from '../lib/tar-writer.js';
import { guard } from '../lib/stream-guard.js';
import { notImplemented, systemError } from '../errdefs/errors.js';
import type { ContentStore } from '../content/content-store.js';
import { isGzipBlob } from '../content/blob-sniff.js';
import { chainIds, MEDIA_TYPES, type ImageConfig } from '../oci/image.js';
import { parseReference, familiarString, familiarName } from '../oci/reference.js';
import type { Image } from './image-store.js';
import type { LayerStore } from './layer-store.js';

export interface SaveEntry {
  image: Image;
  /** canonical tag references to record for this image (may be empty) */
  tags: string[];
}

const FIXED_MTIME = new Date(0);

/** A layer's uncompressed tar: size (verified against its diff ID) and a way to stream it. */
async function layerTar(content: ContentStore, blob: string, diffId: string): Promise<{ size: number; open: () => Readable }> {
  const gz = await isGzipBlob(content, blob);
  const open = () => {
    if (!gz) return content.read(blob);
    const raw = guard(content.read(blob));
    const plain = raw.pipe(createGunzip());
    raw.on('error', (e) => plain.destroy(e));
    plain.on('close', () => raw.destroy());
    return plain;
  };
  const hash = createHash('sha256');
  let size = 0;
  const src = guard(content.read(blob));
  const plain = gz ? src.pipe(createGunzip()) : src;
  src.on('error', (e) => plain.destroy(e));
  plain.on('close', () => src.destroy());
  for await (const c of plain) { hash.update(c as Buffer); size += (c as Buffer).length; }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== diffId) throw systemError(`layer ${blob} does not unpack to its diff ID ${diffId} (got ${got})`);
  return { size, open };
}

export function saveArchive(entries: SaveEntry[], deps: { content: ContentStore; layers: LayerStore }): Readable {
  const pack = tarWriter();
  const put = (name: string, data: Buffer | string) => pack.entry({ name, mtime: FIXED_MTIME, mode: 0o644 }, data);
  const putStream = (name: string, size: number, src: Readable) => pack.entry({ name, size, mtime: FIXED_MTIME, mode: 0o644 }, src);

  (async () => {
    const written = new Set<string>();
    const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
    const index: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    await put('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    for (const { image, tags } of entries) {
      const config = image.config as ImageConfig;
      const diffIds = config.rootfs?.diff_ids ?? [];
      const chains = chainIds(diffIds);
      const layerDescs: { mediaType: string; digest: string; size: number }[] = [];
      for (let i = 0; i < diffIds.length; i++) {
        const rec = deps.layers.get(chains[i]);
        if (!rec?.blob || !(await deps.content.info(rec.blob))) throw notImplemented(`layer ${diffIds[i]} of ${image.id} has no stored archive to save`);
        const path = `blobs/sha256/${diffIds[i].slice(7)}`;
        const t = await layerTar(deps.content, rec.blob, diffIds[i]);
        if (!written.has(path)) { await putStream(path, t.size, t.open()); written.add(path); }
        layerDescs.push({ mediaType: MEDIA_TYPES.ociLayer, digest: diffIds[i], size: t.size });
      }
      const configBytes = await deps.content.readBytes(image.id);
      const configPath = `blobs/sha256/${image.id.slice(7)}`;
      if (!written.has(configPath)) { await put(configPath, configBytes); written.add(configPath); }
      const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: MEDIA_TYPES.ociConfig, digest: image.id, size: configBytes.length }, layers: layerDescs }));
      const mdigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
      const mpath = `blobs/sha256/${mdigest.slice(7)}`;
      if (!written.has(mpath)) { await put(mpath, manifest); written.add(mpath); }
      const familiarTags = tags.map((t) => familiarString(parseReference(t)));
      if (tags.length) {
        for (const t of tags) {
          const ref = parseReference(t);
          index.push({ mediaType: MEDIA_TYPES.ociManifest, digest: mdigest, size: manifest.length, annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' } });
          (repositories[familiarName(ref)] ??= {})[ref.tag ?? 'latest'] = diffIds.length ? diffIds[diffIds.length - 1].slice(7) : image.id.slice(7);
        }
      } else {
        index.push({ mediaType: MEDIA_TYPES.ociManifest, digest: mdigest, size: manifest.length });
      }
      manifestJson.push({ Config: configPath, RepoTags: familiarTags.length ? familiarTags : null, Layers: layerDescs.map((l) => `blobs/sha256/${l.digest.slice(7)}`) });
    }
    await put('index.json', JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: index }));
    await put('manifest.json', JSON.stringify(manifestJson));
    if (Object.keys(repositories).length) await put('repositories', JSON.stringify(repositories));
    pack.finalize();
  })().catch((err) => { pack.destroy(err as Error); });
  return pack.stream;
}
