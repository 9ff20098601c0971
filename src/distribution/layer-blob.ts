/**
 * distribution/layer-blob — the registry blob for a local layer: a blob we
 * already know carries the diff ID (pulled, or pushed before) and still have,
 * else the layer's own blob when it is gzip, else a gzip of the plain tar
 * (images imported or built locally), ingested and remembered so the next
 * push reuses it.
 * May import: content, images, oci, errdefs.
 */
import { createGzip } from 'node:zlib';
import { notImplemented } from '../errdefs/errors.js';
import type { ContentStore } from '../content/content-store.js';
import { isGzipBlob } from '../content/blob-sniff.js';
import type { ImageStore } from '../images/image-store.js';
import { MEDIA_TYPES, type Descriptor } from '../oci/image.js';

const GZIP_TYPES = new Set<string>([MEDIA_TYPES.dockerLayer, MEDIA_TYPES.ociLayerGzip]);

/** Registry blobs known to carry `diffId` (for existence checks and mounts), best first. */
export function knownBlobs(images: ImageStore, diffId: string) {
  return images.layerBlobs(diffId).filter((b) => GZIP_TYPES.has(b.mediaType));
}

/** A gzip'ed blob of the layer in the local content store, making it if needed. */
export async function localLayerBlob(deps: { content: ContentStore; images: ImageStore }, chainId: string, diffId: string): Promise<Descriptor> {
  for (const b of knownBlobs(deps.images, diffId)) {
    const info = await deps.content.info(b.digest);
    if (info) return { mediaType: MEDIA_TYPES.dockerLayer, digest: b.digest, size: info.size };
  }
  const layer = deps.images.layerStore.get(chainId);
  const blob = layer?.blob;
  if (!blob || !(await deps.content.info(blob))) {
    throw notImplemented(`layer ${diffId} has no stored archive to push (layers made by a build are pushed once the builder keeps them)`);
  }
  if (await isGzipBlob(deps.content, blob)) {
    const info = (await deps.content.info(blob))!;
    deps.images.recordLayerBlob({ diffId, digest: blob, mediaType: MEDIA_TYPES.dockerLayer, size: info.size, source: null });
    return { mediaType: MEDIA_TYPES.dockerLayer, digest: blob, size: info.size };
  }
  // gzip level 6 with node's fixed header (mtime 0): the same tar always gives the same blob
  const info = await deps.content.ingest(deps.content.read(blob).pipe(createGzip({ level: 6 })));
  deps.images.recordLayerBlob({ diffId, digest: info.digest, mediaType: MEDIA_TYPES.dockerLayer, size: info.size, source: null });
  return { mediaType: MEDIA_TYPES.dockerLayer, digest: info.digest, size: info.size };
}
