/**
 * distribution/pusher — push = copy a local image (source) to a registry
 * repository (destination). Per layer: skip it when the registry has it
 * ("Layer already exists"), mount it from another repository of the same
 * registry it was pulled from or pushed to ("Mounted from"), else upload it
 * (monolithic for small blobs, chunked PATCH + Content-Range above the chunk
 * size). Then the config blob and a Docker schema2 manifest, PUT under the
 * tag. The manifest digest becomes a repo digest of the image.
 * May import: content, images, oci, lib, errdefs.
 */
import { createReadStream } from 'node:fs';
import type { ContentStore } from '../content/content-store.js';
import type { ImageStore, Image } from '../images/image-store.js';
import { chainIds, MEDIA_TYPES, type Descriptor } from '../oci/image.js';
import { repositoryName, type Reference } from '../oci/reference.js';
import { RegistryClient, type Credentials } from './registry-client.js';
import type { RegistryEndpoint } from './registry-hosts.js';
import { localLayerBlob, knownBlobs } from './layer-blob.js';
import { shortId, throttled, type ProgressSink } from './progress.js';
import { TransportError } from './transport.js';

export interface PushRequest {
  image: Image;
  /** Destination, with a tag. */
  ref: Reference;
  endpoints: RegistryEndpoint[];
  credentials?: Credentials;
  onProgress: ProgressSink;
  signal?: AbortSignal;
}

export interface PushResult { digest: string; size: number; tag: string }

export class Pusher {
  constructor(private readonly deps: { content: ContentStore; images: ImageStore; chunkSize?: number; concurrency?: number; retry?: { attempts?: number; baseDelayMs?: number }; timeoutMs?: number }) {}

  private async connect(req: PushRequest, mountFrom: string[]): Promise<RegistryClient> {
    let lastErr: unknown;
    for (const endpoint of req.endpoints) {
      const client = new RegistryClient({ endpoint, repository: req.ref.path, actions: ['pull', 'push'], credentials: req.credentials, signal: req.signal, retry: this.deps.retry, timeoutMs: this.deps.timeoutMs, extraScopes: mountFrom.map((p) => `repository:${p}:pull`) });
      try { await client.connect(); return client; } catch (err) {
        lastErr = err;
        if (!(err instanceof TransportError)) throw err;
      }
    }
    throw lastErr;
  }

  async push(req: PushRequest): Promise<PushResult> {
    const { image, ref } = req;
    const progress = req.onProgress;
    const tag = ref.tag ?? 'latest';
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    const chains = chainIds(diffIds);
    const destRepo = repositoryName(ref);
    progress({ status: `The push refers to repository [${familiar(ref)}]` });
    for (const d of diffIds) progress({ id: shortId(d), status: 'Preparing' });

    // mount sources: other repositories of the same registry where a blob was seen
    const mountFrom = new Set<string>();
    for (const d of diffIds) for (const b of knownBlobs(this.deps.images, d)) {
      if (b.source && b.source !== destRepo && b.source.startsWith(`${ref.domain}/`)) mountFrom.add(b.source.slice(ref.domain.length + 1));
    }
    const client = await this.connect(req, [...mountFrom].slice(0, 4));

    const pushLayer = async (i: number): Promise<Descriptor> => {
      const id = shortId(diffIds[i]);
      // the registry may already have one of the blobs we know for this layer
      for (const b of knownBlobs(this.deps.images, diffIds[i])) {
        if (await client.blobExists(b.digest)) {
          progress({ id, status: 'Layer already exists' });
          this.deps.images.recordLayerBlob({ ...b, source: destRepo });
          return { mediaType: MEDIA_TYPES.dockerLayer, digest: b.digest, size: b.size };
        }
        if (b.source && b.source !== destRepo && b.source.startsWith(`${ref.domain}/`)) {
          const from = b.source.slice(ref.domain.length + 1);
          if (await client.mountBlob(b.digest, from)) {
            progress({ id, status: `Mounted from ${from}` });
            this.deps.images.recordLayerBlob({ ...b, source: destRepo });
            return { mediaType: MEDIA_TYPES.dockerLayer, digest: b.digest, size: b.size };
          }
        }
      }
      const desc = await localLayerBlob(this.deps, chains[i], diffIds[i]);
      if (await client.blobExists(desc.digest)) {
        progress({ id, status: 'Layer already exists' });
      } else {
        const tick = throttled(progress);
        tick({ id, status: 'Pushing', current: 0, total: desc.size });
        const path = this.deps.content.pathOf(desc.digest);
        await client.uploadBlob(desc, (start) => createReadStream(path, { start: start ?? 0 }), { chunkSize: this.deps.chunkSize ?? 16 * 1024 * 1024, onProgress: (n) => tick({ id, status: 'Pushing', current: n, total: desc.size }) });
        progress({ id, status: 'Pushed' });
      }
      this.deps.images.recordLayerBlob({ diffId: diffIds[i], digest: desc.digest, mediaType: desc.mediaType, size: desc.size, source: destRepo });
      return desc;
    };

    // up to `concurrency` layers at once, results kept in order
    const concurrency = this.deps.concurrency ?? 3;
    const layers: Descriptor[] = new Array(diffIds.length);
    let next = 0;
    let failed: unknown;
    const worker = async () => {
      while (next < diffIds.length && failed === undefined) {
        const i = next++;
        try { layers[i] = await pushLayer(i); } catch (err) { failed ??= err; }
      }
    };
    if (diffIds.length > concurrency) for (let i = concurrency; i < diffIds.length; i++) progress({ id: shortId(diffIds[i]), status: 'Waiting' });
    await Promise.all(Array.from({ length: Math.min(concurrency, diffIds.length) }, worker));
    if (failed !== undefined) throw failed;

    const configBytes = await this.deps.content.readBytes(image.id);
    if (!(await client.blobExists(image.id))) {
      await client.uploadBlob({ digest: image.id, size: configBytes.length }, () => createReadStream(this.deps.content.pathOf(image.id)));
    }
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: { mediaType: MEDIA_TYPES.dockerConfig, size: configBytes.length, digest: image.id },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
    }, null, 3));
    const digest = await client.putManifest(tag, { bytes: manifest, mediaType: MEDIA_TYPES.dockerManifest });
    this.deps.images.addReference(image.id, `${destRepo}@${digest}`);
    return { digest, size: manifest.length, tag };
  }
}

function familiar(ref: Reference): string {
  return ref.domain === 'docker.io' ? `docker.io/${ref.path}` : `${ref.domain}/${ref.path}`;
}
