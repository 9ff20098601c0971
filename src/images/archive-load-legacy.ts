/**
 * images/archive-load-legacy — `docker load` of a pre-1.10 `docker save`
 * archive: no manifest.json, a `repositories` file ({repo: {tag: v1 id}})
 * and one directory per v1 image (`<id>/json`, `<id>/layer.tar`,
 * `<id>/VERSION`) chained by `parent`. As dockerd's legacy loader
 * (moby image/tarexport legacyLoad): each image's chain is registered root
 * first, its layer's diff ID being the digest of the (uncompressed)
 * layer.tar, and the leaf's v1 JSON becomes the image config, without the
 * v1 fields (id, parent, Size, …), with `rootfs` and a `history` entry per
 * layer (created, author, created_by from container_config.Cmd, comment).
 *
 * May import: content, images, oci, errdefs.
 */
import { invalidArgument } from '../errdefs/errors.js';
import type { ContentStore } from '../content/content-store.js';
import { parseReference, withDefaultTag, formatReference, familiarString } from '../oci/reference.js';
import type { ImageStore } from './image-store.js';

/** What loadArchive gathered: small files in memory, the rest in the content store. */
export type ArchiveFiles = Map<string, { digest?: string; bytes?: Buffer }>;

type V1Json = Record<string, unknown> & { id?: string; parent?: string; created?: string; author?: string; comment?: string; container_config?: { Cmd?: string[] | null } };

const V1_ONLY = ['id', 'parent', 'Size', 'parent_id', 'layer_id', 'throwaway'];

export async function loadLegacyArchive(files: ArchiveFiles, deps: { content: ContentStore; images: ImageStore }, ev: { onProgress?: (line: string) => void } = {}): Promise<{ loaded: string[] }> {
  const read = async (name: string): Promise<Buffer | undefined> => {
    const f = files.get(name);
    if (!f) return undefined;
    return f.bytes ?? deps.content.readBytes(f.digest!);
  };
  let repos: Record<string, Record<string, string>>;
  try { repos = JSON.parse((await read('repositories'))!.toString()) as typeof repos; } catch (e) { throw invalidArgument('invalid archive: repositories is not valid JSON', 'INVALID_ARCHIVE', e); }
  if (!repos || typeof repos !== 'object') throw invalidArgument('invalid archive: repositories is not an object', 'INVALID_ARCHIVE');

  const v1 = async (id: string): Promise<V1Json> => {
    if (!/^[a-f0-9]{64}$/.test(id)) throw invalidArgument(`invalid archive: invalid image ID ${JSON.stringify(id)}`, 'INVALID_ARCHIVE');
    const b = await read(`${id}/json`);
    if (!b) throw invalidArgument(`invalid archive: missing ${id}/json`, 'INVALID_ARCHIVE');
    try { return JSON.parse(b.toString()) as V1Json; } catch (e) { throw invalidArgument(`invalid archive: ${id}/json is not JSON`, 'INVALID_ARCHIVE', e); }
  };

  const loaded: string[] = [];
  const byId = new Map<string, string>(); // leaf v1 id → image ID, when two tags name one image
  for (const [repo, tags] of Object.entries(repos)) {
    for (const [tag, leaf] of Object.entries(tags ?? {})) {
      let imageId = byId.get(leaf);
      const ref = formatReference(withDefaultTag(parseReference(`${repo}:${tag}`)));
      if (!imageId) {
        // the chain, root first
        const chain: V1Json[] = [];
        for (let id: string | undefined = leaf; id; id = chain[0].parent || undefined) {
          if (chain.length > 256 || chain.some((c) => c.id === id)) throw invalidArgument('invalid archive: a cycle or too long a chain of parents', 'INVALID_ARCHIVE');
          chain.unshift({ ...(await v1(id)), id });
        }
        const diffIds: string[] = [];
        let parent: string | null = null;
        for (const img of chain) {
          const f = files.get(`${img.id}/layer.tar`);
          const digest = f?.digest ?? (f?.bytes ? (await deps.content.ingest(f.bytes)).digest : undefined);
          if (!digest) throw invalidArgument(`invalid archive: missing ${img.id}/layer.tar`, 'INVALID_ARCHIVE');
          ev.onProgress?.(`Loading layer ${digest.slice(7, 19)}`);
          const layer = await deps.images.layerStore.register(digest, parent, digest);
          parent = layer.chainId;
          diffIds.push(layer.diffId);
        }
        const config: Record<string, unknown> = { ...chain[chain.length - 1] };
        for (const k of V1_ONLY) delete config[k];
        config.rootfs = { type: 'layers', diff_ids: diffIds };
        config.history = chain.map((c) => ({
          created: c.created,
          ...(c.author ? { author: c.author } : {}),
          created_by: (c.container_config?.Cmd ?? []).join(' '),
          ...(c.comment ? { comment: c.comment } : {}),
        }));
        imageId = (await deps.images.registerConfigBytes(Buffer.from(JSON.stringify(config)), [ref])).id;
        byId.set(leaf, imageId);
      } else {
        deps.images.tag(imageId, ref);
      }
      const shown = familiarString(parseReference(ref));
      loaded.push(shown);
      ev.onProgress?.(`Loaded image: ${shown}`);
    }
  }
  if (!loaded.length) throw invalidArgument('invalid archive: repositories names no image', 'INVALID_ARCHIVE');
  return { loaded };
}
