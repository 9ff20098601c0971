/**
 * distribution/puller — pull = copy an image from a registry repository
 * (source) into the local image store (destination). Resolves the tag or
 * digest on the first endpoint that answers (mirrors first, for Docker Hub),
 * picks the platform from a manifest list / OCI index, fetches the config,
 * downloads missing layers concurrently (each blob verified before it is
 * committed to the content store) and unpacks them in order as they arrive,
 * then registers the image with its tag and repo digest in one transaction.
 * A crash or failure at any point leaves no image record and no unverified
 * blob (ingests are temp files; a layer record means "unpacked").
 * May import: content, images, oci, lib, errdefs.
 */
import { BerthError, invalidArgument, notImplemented, findBerthError } from '../errdefs/errors.js';
import type { ContentStore } from '../content/content-store.js';
import type { ImageStore, Image } from '../images/image-store.js';
import { KeyedMutex } from '../lib/mutex.js';
import { chainIds, MEDIA_TYPES, type Descriptor, type ImageConfig } from '../oci/image.js';
import { familiarName, formatReference, repositoryName, type Reference } from '../oci/reference.js';
import { RegistryClient, type Credentials, type ManifestBytes } from './registry-client.js';
import { selectManifest, type Platform } from './platform.js';
import type { RegistryEndpoint } from './registry-hosts.js';
import { shortId, throttled, type ProgressSink } from './progress.js';
import { TransportError } from './transport.js';

export interface PullRequest {
  ref: Reference;
  platform: Platform;
  endpoints: RegistryEndpoint[];
  credentials?: Credentials;
  onProgress: ProgressSink;
  signal?: AbortSignal;
}

export interface PullResult {
  image: Image;
  /** Digest of the manifest (or index) the reference resolved to. */
  digest: string;
  /** True when the reference already pointed at this image. */
  upToDate: boolean;
}

interface ImageManifest {
  schemaVersion?: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

const LAYER_TYPES = new Set<string>([MEDIA_TYPES.dockerLayer, MEDIA_TYPES.ociLayer, MEDIA_TYPES.ociLayerGzip, 'application/vnd.docker.image.rootfs.diff.tar']);
const FOREIGN_TYPES = new Set(['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'application/vnd.oci.image.layer.nondistributable.v1.tar']);
const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);

/** An OCI platform as dockerd's distribution inspect writes it (Go's v1.Platform: empty fields left out). */
export interface DistributionPlatform { architecture: string; os: string; 'os.version'?: string; 'os.features'?: string[]; variant?: string }

export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms: DistributionPlatform[] | null;
}

function platformOf(p: Record<string, unknown>): DistributionPlatform {
  const str = (k: string) => (typeof p[k] === 'string' ? p[k] as string : '');
  const out: DistributionPlatform = { architecture: str('architecture'), os: str('os') };
  if (str('os.version')) out['os.version'] = str('os.version');
  if (Array.isArray(p['os.features']) && p['os.features'].length) out['os.features'] = (p['os.features'] as unknown[]).map(String);
  if (str('variant')) out.variant = str('variant');
  return out;
}

export class Puller {
  private readonly unpackLocks = new KeyedMutex();
  private readonly downloads = new Map<string, Promise<void>>();

  constructor(private readonly deps: { content: ContentStore; images: ImageStore; concurrency?: number; retry?: { attempts?: number; baseDelayMs?: number }; timeoutMs?: number }) {}

  /** Connect to the first endpoint that answers and resolve the reference there. */
  /**
   * Run `fn` against the first endpoint that answers: mirrors fall back to
   * the origin on any failure; http after https on transport errors only.
   */
  private async onFirstEndpoint<T>(req: Omit<PullRequest, 'onProgress' | 'platform'>, fn: (client: RegistryClient) => Promise<T>, o: { raw?: boolean } = {}): Promise<{ client: RegistryClient; value: T }> {
    let lastErr: unknown;
    for (let i = 0; i < req.endpoints.length; i++) {
      const endpoint = req.endpoints[i];
      const isLast = i === req.endpoints.length - 1;
      const client = new RegistryClient({ endpoint, repository: req.ref.path, displayName: familiarName(req.ref), actions: ['pull'], credentials: endpoint.mirror ? undefined : req.credentials, signal: req.signal, retry: this.deps.retry, timeoutMs: this.deps.timeoutMs });
      try {
        await client.connect();
        return { client, value: await fn(client) };
      } catch (err) {
        lastErr = err;
        if (isLast) break;
        if (endpoint.mirror || err instanceof TransportError) continue;
        throw err;
      }
    }
    throw o.raw ? lastErr : this.explain(lastErr, req.ref);
  }

  private async resolve(req: PullRequest): Promise<{ client: RegistryClient; top: ManifestBytes }> {
    const reference = req.ref.digest ?? req.ref.tag ?? 'latest';
    const { client, value } = await this.onFirstEndpoint(req, (c) => c.getManifest(reference));
    return { client, top: value };
  }

  /** The repository's tags (`docker pull --all-tags`), sorted as the registry lists them. */
  async listTags(req: Omit<PullRequest, 'onProgress' | 'platform'>): Promise<string[]> {
    return (await this.onFirstEndpoint(req, (c) => c.listTags())).value;
  }

  /**
   * What dockerd's `GET /distribution/{name}/json` answers: the descriptor
   * of the reference's top manifest (media type, digest, size) and the
   * platforms it names — an index's or list's entries, a Docker schema 2
   * manifest's config (architecture, os, variant), none (null) for an OCI
   * manifest, as dockerd 20.10 (its switch knows manifest lists and schema 2
   * only). Errors carry the registry's words.
   */
  async inspect(req: Omit<PullRequest, 'onProgress' | 'platform'>): Promise<DistributionInspect> {
    const reference = req.ref.digest ?? req.ref.tag ?? 'latest';
    let client: RegistryClient;
    let top: ManifestBytes;
    try {
      ({ client, value: top } = await this.onFirstEndpoint(req, (c) => c.getManifest(reference, { registryWords: true }), { raw: true }));
    } catch (err) {
      if (err instanceof TransportError) throw new BerthError('REGISTRY_UNREACHABLE', err.message, { cause: err });
      throw err;
    }
    const descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length };
    const j = JSON.parse(top.bytes.toString()) as { manifests?: (Descriptor & { platform?: Record<string, unknown> })[]; config?: Descriptor };
    let platforms: DistributionPlatform[] | null = null;
    if (INDEX_TYPES.has(top.mediaType)) {
      platforms = (j.manifests ?? []).map((m) => platformOf(m.platform ?? {}));
    } else if (top.mediaType === MEDIA_TYPES.dockerManifest && j.config?.digest) {
      // dockerd reads the config and keeps the platform when it names an os or an architecture; a failed read leaves none
      try {
        const p = platformOf(JSON.parse((await client.readBlob(j.config)).toString()) as Record<string, unknown>);
        if (p.os || p.architecture) platforms = [p];
      } catch { /* as dockerd: no platform */ }
    }
    return { Descriptor: descriptor, Platforms: platforms };
  }

  private explain(err: unknown, ref: Reference): unknown {
    const be = findBerthError(err);
    const name = `${ref.domain === 'docker.io' ? ref.path.replace(/^library\//, '') : repositoryName(ref)}`;
    if (be?.code === 'UNAUTHORIZED') {
      return new BerthError('PULL_ACCESS_DENIED', `pull access denied for ${name}, repository does not exist or may require 'docker login': ${be.message}`, { cause: err });
    }
    if (err instanceof TransportError) return new BerthError('REGISTRY_UNREACHABLE', err.message, { cause: err });
    return err;
  }

  async pull(req: PullRequest): Promise<PullResult> {
    const { client, top } = await this.resolve(req);
    const progress = req.onProgress;
    const tagOrDigest = req.ref.digest ?? req.ref.tag ?? 'latest';
    // the repository's path inside its registry, without the host (moby: "latest: Pulling from library/busybox", "1.0: Pulling from tools/x")
    progress({ id: tagOrDigest, status: `Pulling from ${req.ref.path}` });

    let manifestBytes = top;
    if (INDEX_TYPES.has(top.mediaType)) {
      const index = JSON.parse(top.bytes.toString()) as { manifests?: Descriptor[] };
      const chosen = selectManifest(index.manifests ?? [], req.platform);
      manifestBytes = await client.getManifest(chosen.digest);
    } else if (top.mediaType !== MEDIA_TYPES.ociManifest && top.mediaType !== MEDIA_TYPES.dockerManifest) {
      throw notImplemented(`unsupported manifest media type ${top.mediaType} for ${formatReference(req.ref)}`);
    }
    const manifest = JSON.parse(manifestBytes.bytes.toString()) as ImageManifest;
    if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new BerthError('REGISTRY_ERROR', `manifest ${manifestBytes.digest} has no config or layers`);

    const configInfo = await client.fetchBlob(manifest.config, this.deps.content);
    const configBytes = await this.deps.content.readBytes(configInfo.digest);
    let config: ImageConfig;
    try { config = JSON.parse(configBytes.toString()) as ImageConfig; } catch (e) { throw new BerthError('REGISTRY_ERROR', `image config ${configInfo.digest} is not valid JSON`, { cause: e }); }
    if (config.os && config.os !== req.platform.os) throw invalidArgument(`image ${formatReference(req.ref)} is for ${config.os}/${config.architecture}, not ${req.platform.os}/${req.platform.architecture}`);

    const layers = manifest.layers.filter((l) => !FOREIGN_TYPES.has(l.mediaType));
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== layers.length) throw new BerthError('REGISTRY_ERROR', `image config lists ${diffIds.length} layers but the manifest has ${layers.length}`);
    for (const l of layers) {
      if (l.mediaType?.endsWith('+zstd')) throw notImplemented(`layer ${l.digest} is zstd-compressed, which berth does not unpack yet`);
      if (l.mediaType && !LAYER_TYPES.has(l.mediaType)) throw notImplemented(`unsupported layer media type ${l.mediaType}`);
      if (!/^sha256:[a-f0-9]{64}$/.test(l.digest) || !(l.size >= 0)) throw new BerthError('REGISTRY_ERROR', `invalid layer descriptor ${JSON.stringify(l.digest)}`);
    }
    const chains = chainIds(diffIds);
    const source = repositoryName(req.ref);

    // which layers are missing
    const needed: boolean[] = layers.map((_, i) => !this.deps.images.layerStore.get(chains[i]));
    for (let i = 0; i < layers.length; i++) {
      progress({ id: shortId(layers[i].digest), status: needed[i] ? 'Pulling fs layer' : 'Already exists' });
    }
    const concurrency = this.deps.concurrency ?? 3;
    let active = 0;
    const queue: (() => void)[] = [];
    const slot = async <T>(fn: () => Promise<T>): Promise<T> => {
      if (active >= concurrency) await new Promise<void>((r) => queue.push(r));
      active++;
      try { return await fn(); } finally { active--; queue.shift()?.(); }
    };
    const downloadOne = (l: Descriptor): Promise<void> => {
      const id = shortId(l.digest);
      const existing = this.downloads.get(l.digest);
      // another pull is fetching this blob: wait for it; if it failed (that client went away,
      // say) and we still want the blob, fetch it ourselves
      if (existing) return existing.catch(() => { if (req.signal?.aborted) throw new BerthError('CANCELLED', 'pull cancelled'); return downloadOne(l); });
      const p = (async () => {
        if (await this.deps.content.info(l.digest)) { progress({ id, status: 'Download complete' }); return; }
        await slot(async () => {
          const tick = throttled(progress);
          tick({ id, status: 'Downloading', current: 0, total: l.size });
          await client.fetchBlob(l, this.deps.content, (n) => tick({ id, status: 'Downloading', current: n, total: l.size }));
          progress({ id, status: 'Verifying Checksum' });
          progress({ id, status: 'Download complete' });
        });
      })().finally(() => this.downloads.delete(l.digest));
      this.downloads.set(l.digest, p);
      return p;
    };
    if (needed.filter(Boolean).length > concurrency) {
      needed.forEach((n, i) => { if (n && i >= concurrency) progress({ id: shortId(layers[i].digest), status: 'Waiting' }); });
    }
    const fetches = layers.map((l, i) => (needed[i] ? downloadOne(l) : Promise.resolve()));
    // keep unhandled rejections away while we await in order
    fetches.forEach((f) => f.catch(() => undefined));

    let parent: string | null = null;
    for (let i = 0; i < layers.length; i++) {
      if (needed[i]) {
        await fetches[i];
        const id = shortId(layers[i].digest);
        progress({ id, status: 'Extracting', current: 0, total: layers[i].size });
        await this.unpackLocks.run(chains[i], () => this.deps.images.layerStore.register(layers[i].digest, parent, diffIds[i]));
        progress({ id, status: 'Extracting', current: layers[i].size, total: layers[i].size });
        progress({ id, status: 'Pull complete' });
      }
      this.deps.images.recordLayerBlob({ diffId: diffIds[i], digest: layers[i].digest, mediaType: layers[i].mediaType ?? MEDIA_TYPES.dockerLayer, size: layers[i].size, source });
      parent = chains[i];
    }

    const refs: string[] = [`${source}@${top.digest}`];
    if (!req.ref.digest) refs.unshift(formatReference({ ...req.ref, tag: req.ref.tag ?? 'latest' }));
    const before = req.ref.digest ? undefined : this.deps.images.tryResolveQuiet(refs[0]);
    const image = await this.deps.images.registerConfigBytes(configBytes, refs);
    progress({ status: `Digest: ${top.digest}` });
    return { image, digest: top.digest, upToDate: before?.id === image.id };
  }
}
