/**
 * images/layer-store — registers layer tars as shared snapshot trees.
 * A layer is unpacked once per chain ID; the record is written only after
 * its tree is committed, so the record always means "ready".
 * May import: content, snapshots, metadata, oci, lib, errdefs.
 */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalidArgument } from '../errdefs/errors.js';
import type { ContentStore } from '../content/content-store.js';
import { isGzipBlob } from '../content/blob-sniff.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import type { LayerRecords } from '../metadata/layer-records.js';
import { applyLayer } from '../snapshots/apply-layer.js';
import { chainIds } from '../oci/image.js';
import { guard } from '../lib/stream-guard.js';

export interface RegisteredLayer {
  chainId: string;
  diffId: string;
  size: number;
}

export class LayerStore {
  constructor(private readonly deps: { content: ContentStore; snapshots: Snapshotter; records: LayerRecords }) {}

  /**
   * Unpack the layer blob `digest` (plain or gzip tar) on top of `parentChainId`.
   * When `expectedDiffId` is given and the layer already exists, nothing is unpacked.
   */
  async register(digest: string, parentChainId: string | null, expectedDiffId?: string): Promise<RegisteredLayer> {
    if (expectedDiffId) {
      const chainId = parentChainId ? chainIds([parentChainId, expectedDiffId])[1] : expectedDiffId;
      const existing = this.deps.records.get(chainId);
      if (existing && (await this.deps.snapshots.hasLayer(chainId))) return { chainId, diffId: existing.diffId, size: existing.size };
    }
    const gz = await isGzipBlob(this.deps.content, digest);
    const tmp = await this.deps.snapshots.prepareLayer();
    try {
      const hash = createHash('sha256');
      const blob = guard(this.deps.content.read(digest));
      let raw: Readable = blob;
      if (gz) { raw = blob.pipe(createGunzip()); blob.on('error', (e) => raw.destroy(e)); raw.on('close', () => blob.destroy()); }
      const tee = new PassThrough();
      raw.on('error', (e) => tee.destroy(e));
      raw.on('data', (c: Buffer) => hash.update(c));
      raw.pipe(tee);
      const { size } = await applyLayer(tmp, tee);
      const diffId = `sha256:${hash.digest('hex')}`;
      if (expectedDiffId && expectedDiffId !== diffId) {
        throw invalidArgument(`layer ${digest}: content digest ${diffId} does not match the config's diff ID ${expectedDiffId}`, 'INVALID_ARCHIVE');
      }
      const chainId = parentChainId ? chainIds([parentChainId, diffId])[1] : diffId;
      await this.deps.snapshots.commitLayer(tmp, chainId);
      this.deps.records.put({ chainId, diffId, parent: parentChainId, size, blob: digest });
      return { chainId, diffId, size };
    } catch (err) {
      await this.deps.snapshots.discardTemp(tmp);
      throw err;
    }
  }

  get(chainId: string) {
    return this.deps.records.get(chainId);
  }
}
