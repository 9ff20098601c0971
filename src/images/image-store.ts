/**
 * images/image-store — images by ID and by name: import a rootfs tarball,
 * load a `docker save` archive, tag, untag, delete, resolve user input
 * (name, full ID, short ID) to an image. An image is registered only after
 * its config blob and all its layers are committed (one transaction for the
 * row and its names), so a crash never leaves a half-registered image.
 * May import: content, snapshots, metadata, oci, lib, errdefs.
 */
import type { Readable } from 'node:stream';
import { notFound, conflict, invalidArgument } from '../errdefs/errors.js';
import type { ContentStore } from '../content/content-store.js';
import type { ImageRecords } from '../metadata/image-records.js';
import type { LayerRecords } from '../metadata/layer-records.js';
import type { LayerBlobRecords, LayerBlobRow } from '../metadata/layer-blob-records.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import { chainIds, type ImageConfig, type ImageRunConfig } from '../oci/image.js';
import { parseReference, withDefaultTag, formatReference, familiarString, repositoryName } from '../oci/reference.js';
import { LayerStore } from './layer-store.js';
import { applyChanges } from './changes.js';

export interface Image {
  id: string;
  config: ImageConfig;
  /** Canonical names pointing at this image. */
  refs: string[];
  createdAt: string;
  size: number;
}

export interface DeleteResult {
  untagged: string[];
  deleted: string[];
}

export interface ImageStoreDeps {
  content: ContentStore;
  snapshots: Snapshotter;
  images: ImageRecords;
  layers: LayerRecords;
  layerBlobs: LayerBlobRecords;
}

export class ImageStore {
  readonly layerStore: LayerStore;

  constructor(private readonly deps: ImageStoreDeps) {
    this.layerStore = new LayerStore({ content: deps.content, snapshots: deps.snapshots, records: deps.layers });
  }

  private toImage(row: { id: string; config: string; createdAt: string; size: number }): Image {
    return { id: row.id, config: JSON.parse(row.config) as ImageConfig, refs: this.deps.images.refsOf(row.id), createdAt: row.createdAt, size: row.size };
  }

  list(): Image[] {
    return this.deps.images.list().map((r) => this.toImage(r));
  }

  getById(id: string): Image | undefined {
    const row = this.deps.images.get(id);
    return row && this.toImage(row);
  }

  /** Resolve user input: a name, `sha256:<hex>`, a full or short hex ID. Throws not-found. */
  resolve(input: string): Image {
    const img = this.tryResolve(input);
    if (!img) throw notFound(`No such image: ${input}`, 'NO_SUCH_IMAGE');
    return img;
  }

  /** tryResolve that never throws (for display decisions). */
  tryResolveQuiet(input: string): Image | undefined {
    try { return this.tryResolve(input); } catch { return undefined; }
  }

  tryResolve(input: string): Image | undefined {
    const hex = input.startsWith('sha256:') ? input.slice(7) : input;
    if (/^[a-f0-9]{64}$/.test(hex)) {
      const row = this.deps.images.get(`sha256:${hex}`);
      if (row) return this.toImage(row);
    }
    let canonical: string | undefined;
    try { canonical = formatReference(withDefaultTag(parseReference(input))); } catch { canonical = undefined; }
    if (canonical) {
      const id = this.deps.images.resolveRef(canonical);
      if (id) return this.getById(id);
    }
    if (/^[a-f0-9]{1,63}$/.test(hex)) {
      const ids = this.deps.images.findByPrefix(hex);
      if (ids.length > 1) throw conflict(`multiple IDs found with provided prefix: ${input}`, 'AMBIGUOUS_ID');
      if (ids.length === 1) return this.getById(ids[0]);
    }
    if (!canonical && !/^(sha256:)?[a-f0-9]+$/.test(input)) throw invalidArgument(`invalid reference format`, 'INVALID_REFERENCE');
    return undefined;
  }

  /** Point one more canonical reference (e.g. a repo digest after a push) at an image. */
  addReference(id: string, canonical: string): void {
    this.deps.images.tag(canonical, id);
  }

  /** Remember that registry blob `row.digest` carries layer `row.diffId`. */
  recordLayerBlob(row: LayerBlobRow): void {
    this.deps.layerBlobs.put(row);
  }

  /** Known registry blobs of a layer (from pulls and earlier pushes). */
  layerBlobs(diffId: string): LayerBlobRow[] {
    return this.deps.layerBlobs.byDiffId(diffId);
  }

  /** Chain IDs of an image's layers, lowest first. */
  /** Unpacked size of every layer, by chain ID (`system df`). */
  layerSizes(): Map<string, number> {
    return new Map(this.deps.layers.all().map((l) => [l.chainId, l.size]));
  }

  layerChain(img: Image): string[] {
    return chainIds(img.config.rootfs?.diff_ids ?? []);
  }

  /**
   * Store config bytes exactly as given (the image ID is their digest, so
   * loaded archives keep their IDs) and register the image under `refs`
   * (canonical names). Every layer must already be committed.
   */
  async registerConfigBytes(bytes: Buffer, refs: string[]): Promise<Image> {
    const config = JSON.parse(bytes.toString()) as ImageConfig;
    const { digest } = await this.deps.content.ingest(bytes);
    let size = 0;
    for (const c of chainIds(config.rootfs?.diff_ids ?? [])) {
      const l = this.deps.layers.get(c);
      if (!l || !(await this.deps.snapshots.hasLayer(c))) throw invalidArgument(`layer ${c} is not registered`, 'INVALID_ARCHIVE');
      size += l.size;
    }
    this.deps.images.put({ id: digest, config: bytes.toString(), createdAt: new Date().toISOString(), size }, refs);
    return this.getById(digest)!;
  }

  /**
   * `docker import`: one layer from a rootfs tarball (plain or gzip), an image
   * config from `changes`, tagged `ref` when given.
   */
  async importRootfs(source: Readable, opts: { ref?: string; changes?: string[]; message?: string; platform?: { os: string; architecture: string } }): Promise<Image> {
    const ref = opts.ref ? formatReference(withDefaultTag(parseReference(opts.ref))) : undefined;
    const runConfig: ImageRunConfig = applyChanges({}, opts.changes ?? []);
    const { digest } = await this.deps.content.ingest(source);
    const layer = await this.layerStore.register(digest, null);
    const now = new Date().toISOString();
    const config: ImageConfig = {
      architecture: opts.platform?.architecture ?? 'amd64',
      os: opts.platform?.os ?? 'linux',
      created: now,
      config: runConfig,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: now, created_by: '', comment: opts.message || 'Imported from -' }],
    };
    return this.registerConfigBytes(Buffer.from(JSON.stringify(config)), ref ? [ref] : []);
  }

  /**
   * A built or committed image: `config` serialised as given (the builder
   * makes it deterministic), its layers already registered, `parent` recorded.
   */
  async registerBuilt(config: ImageConfig, parent: string | null, refs: string[] = []): Promise<Image> {
    const img = await this.registerConfigBytes(Buffer.from(JSON.stringify(config)), refs);
    if (parent) this.deps.images.setParent(img.id, parent);
    return img;
  }

  /** Ingest a layer tar stream and unpack it on top of `parentChainId`. */
  async registerLayerTar(tar: Readable, parentChainId: string | null) {
    const { digest } = await this.deps.content.ingest(tar);
    return this.layerStore.register(digest, parentChainId);
  }

  parentOf(id: string): string | undefined { return this.deps.images.parentOf(id); }
  childrenOf(id: string): string[] { return this.deps.images.childrenOf(id); }
  /** Images that are the parent of some existing image (hidden from `images` unless tagged or `all`). */
  parentIds(): Set<string> { return this.deps.images.parentIds(); }

  tag(source: string, target: string): string {
    const img = this.resolve(source);
    const ref = parseReference(target);
    if (ref.digest) throw invalidArgument(`refusing to create a tag with a digest reference`, 'INVALID_REFERENCE');
    const canonical = formatReference(withDefaultTag(ref));
    this.deps.images.tag(canonical, img.id);
    return canonical;
  }

  /**
   * Docker's `rmi` semantics: by name → untag; the image goes when its last
   * name goes. By ID with several names → conflict unless forced.
   * `inUse(id)` tells whether containers use the image.
   */
  async remove(input: string, opts: { force?: boolean; usedBy: (id: string) => { containerId: string; running: boolean } | undefined }): Promise<DeleteResult> {
    const img = this.resolve(input);
    const result: DeleteResult = { untagged: [], deleted: [] };
    let canonical: string | undefined;
    try { canonical = formatReference(withDefaultTag(parseReference(input))); } catch { canonical = undefined; }
    const byName = canonical !== undefined && img.refs.includes(canonical);
    const user = opts.usedBy(img.id);
    const short = img.id.slice(7, 19);

    // Docker: removing a repository's last tag also drops that repository's
    // digest references; the image goes only when no reference is left.
    let dropWithName: string[] = [];
    if (byName) {
      const repo = repositoryName(parseReference(canonical!));
      const otherTagsOfRepo = img.refs.filter((r) => r !== canonical && !r.includes('@') && repositoryName(parseReference(r)) === repo);
      if (!canonical!.includes('@') && !otherTagsOfRepo.length) dropWithName = img.refs.filter((r) => r.includes('@') && repositoryName(parseReference(r)) === repo);
    }
    if (byName && img.refs.length > 1 + dropWithName.length) {
      for (const r of [canonical!, ...dropWithName]) { this.deps.images.untag(r); result.untagged.push(familiarString(parseReference(r))); }
      return result;
    }
    if (byName && user && !opts.force) {
      throw conflict(`conflict: unable to remove repository reference "${input}" (must force) - container ${user.containerId.slice(0, 12)} is using its referenced image ${short}`, 'IMAGE_IN_USE');
    }
    if (!byName && new Set(img.refs.map((r) => repositoryName(parseReference(r)))).size > 1 && !opts.force) {
      throw conflict(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`, 'IMAGE_IN_USE');
    }
    if (user) {
      if (!opts.force) throw conflict(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${user.containerId.slice(0, 12)}`, 'IMAGE_IN_USE');
      if (user.running && !byName) throw conflict(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${user.containerId.slice(0, 12)}`, 'IMAGE_IN_USE');
      // forced while in use: untag only, like Docker (the image stays for its containers)
      for (const r of img.refs) { this.deps.images.untag(r); result.untagged.push(familiarString(parseReference(r))); }
      return result;
    }
    for (const r of img.refs) result.untagged.push(familiarString(parseReference(r)));
    this.deps.images.delete(img.id);
    result.deleted.push(img.id);
    await this.deps.content.delete(img.id);
    result.deleted.push(...(await this.collectGarbage()).layers);
    return result;
  }

  /**
   * Hold off garbage collection while `fn` runs. Pulls, loads, imports,
   * builds, commits and pushes commit blobs and layers before the image (or
   * record) that refers to them exists; a collection in that window would
   * take them. A collection asked for meanwhile runs when the last lease
   * ends; a lease taken while a collection runs waits for it.
   */
  async withLease<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gcRunning) await this.gcRunning;
    this.leases++;
    try {
      return await fn();
    } finally {
      this.leases--;
      if (this.leases === 0 && this.gcPending) {
        this.gcPending = false;
        void this.collectGarbage().catch(() => undefined);
      }
    }
  }

  private leases = 0;
  private gcPending = false;
  private gcRunning: Promise<unknown> | undefined;

  /**
   * Delete layer trees and records no image uses, then every blob nothing
   * refers to: image configs, layer archives, and registry blobs of layers
   * that are still here. Returns the removed chain IDs and blob digests.
   * While a lease is held it only marks a collection as wanted.
   */
  async collectGarbage(): Promise<{ layers: string[]; blobs: string[] }> {
    if (this.leases > 0 || this.gcRunning) { this.gcPending = true; return { layers: [], blobs: [] }; }
    const run = this.collectNow();
    this.gcRunning = run;
    try { return await run; } finally { this.gcRunning = undefined; }
  }

  private async collectNow(): Promise<{ layers: string[]; blobs: string[] }> {
    const used = new Set<string>();
    for (const img of this.list()) for (const c of this.layerChain(img)) used.add(c);
    const layers: string[] = [];
    for (const l of this.deps.layers.all()) {
      if (used.has(l.chainId)) continue;
      this.deps.layers.delete(l.chainId);
      await this.deps.snapshots.removeLayer(l.chainId);
      layers.push(l.chainId);
    }
    const keep = new Set<string>(this.deps.images.list().map((r) => r.id));
    const diffIds = new Set<string>();
    for (const l of this.deps.layers.all()) {
      if (l.blob) keep.add(l.blob);
      diffIds.add(l.diffId);
    }
    for (const d of diffIds) for (const b of this.deps.layerBlobs.byDiffId(d)) keep.add(b.digest);
    const blobs: string[] = [];
    for (const b of await this.deps.content.list()) {
      if (keep.has(b.digest)) continue;
      await this.deps.content.delete(b.digest);
      blobs.push(b.digest);
    }
    return { layers, blobs };
  }

  /**
   * Start-up recovery: temp trees and ingests of work that never finished,
   * layer trees with no record (a crash between commit and record), then a
   * garbage collection for what a crash left unreferenced (a pull's config
   * and layers without their image, say).
   */
  async reconcile(): Promise<{ layers: string[]; blobs: string[] }> {
    await this.deps.snapshots.cleanupTemp();
    await this.deps.content.cleanupIngests();
    for (const c of await this.deps.snapshots.listLayers()) {
      if (!this.deps.layers.get(c)) await this.deps.snapshots.removeLayer(c);
    }
    return this.collectGarbage();
  }
}
