/**
 * images/archive-load — `docker load`: read a `docker save` archive (the
 * legacy layout with manifest.json, and the OCI layout Docker 25+ writes,
 * which carries the same manifest.json; a pre-1.10 one without it goes to
 * images/archive-load-legacy), ingest its blobs, register layers
 * and images. Blobs are verified against their names; layers against the
 * config's diff IDs. Images are registered only when complete.
 */
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { BerthError, invalidArgument } from '../errdefs/errors.js';
import { entryFailure } from '../lib/archive-entry-error.js';
import type { ContentStore } from '../content/content-store.js';
import { cleanEntryPath } from '../snapshots/apply-layer.js';
import type { ImageConfig } from '../oci/image.js';
import { parseReference, withDefaultTag, formatReference, familiarString } from '../oci/reference.js';
import type { ImageStore } from './image-store.js';
import { guard } from '../lib/stream-guard.js';
import { loadLegacyArchive, type ArchiveFiles } from './archive-load-legacy.js';

interface ManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export interface LoadEvents {
  onProgress?: (line: string) => void;
}

const SMALL = 16 * 1024 * 1024;

export async function loadArchive(source: Readable, deps: { content: ContentStore; images: ImageStore }, ev: LoadEvents = {}): Promise<{ loaded: string[] }> {
  const files: ArchiveFiles = new Map();
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      guard(body);
      (async () => {
        if (header.type !== 'file' && header.type !== 'contiguous-file') { body.resume(); return; }
        const name = cleanEntryPath(header.name);
        const blobMatch = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
        if (!blobMatch && (header.size ?? 0) <= SMALL && (name.endsWith('.json') || name === 'repositories' || name === 'oci-layout')) {
          const chunks: Buffer[] = [];
          for await (const c of body) chunks.push(c as Buffer);
          files.set(name, { bytes: Buffer.concat(chunks) });
          return;
        }
        const info = await deps.content.ingest(body as unknown as Readable, blobMatch ? { digest: `sha256:${blobMatch[1]}`, size: header.size } : { size: header.size });
        files.set(name, { digest: info.digest });
      })().then(() => next(), (err) => { body.resume(); extract.destroy(entryFailure(err, { op: 'write', paths: [header.name], prefix: 'invalid archive: ', code: 'INVALID_ARCHIVE' })); });
    });
    extract.on('finish', resolve);
    extract.on('error', (e) => { source.unpipe(extract as unknown as NodeJS.WritableStream); reject(e instanceof BerthError ? e : invalidArgument(`invalid archive: ${e.message}`, 'INVALID_ARCHIVE', e)); });
    source.on('error', (e) => { extract.destroy(e); reject(e); });
    source.pipe(extract as unknown as NodeJS.WritableStream);
  });

  const readSmall = async (name: string): Promise<Buffer> => {
    const f = files.get(cleanEntryPath(name));
    if (!f) throw invalidArgument(`invalid archive: missing ${name}`, 'INVALID_ARCHIVE');
    return f.bytes ?? deps.content.readBytes(f.digest!);
  };
  const manifestBytes = files.get('manifest.json')?.bytes;
  // a pre-1.10 save (v1 image directories and a repositories file), as dockerd still loads
  if (!manifestBytes && files.has('repositories')) return loadLegacyArchive(files, deps, ev);
  if (!manifestBytes) throw invalidArgument('invalid archive: no manifest.json (is this a docker save archive?)', 'INVALID_ARCHIVE');
  let manifest: ManifestEntry[];
  try { manifest = JSON.parse(manifestBytes.toString()) as ManifestEntry[]; } catch (e) { throw invalidArgument('invalid archive: manifest.json is not valid JSON', 'INVALID_ARCHIVE', e); }
  if (!Array.isArray(manifest)) throw invalidArgument('invalid archive: manifest.json is not a list', 'INVALID_ARCHIVE');

  const loaded: string[] = [];
  for (const entry of manifest) {
    const configBytes = await readSmall(entry.Config);
    let config: ImageConfig;
    try { config = JSON.parse(configBytes.toString()) as ImageConfig; } catch (e) { throw invalidArgument(`invalid archive: ${entry.Config} is not JSON`, 'INVALID_ARCHIVE', e); }
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== entry.Layers.length) throw invalidArgument(`invalid archive: ${entry.Layers.length} layers but ${diffIds.length} diff IDs in the config`, 'INVALID_ARCHIVE');
    let parent: string | null = null;
    for (let i = 0; i < entry.Layers.length; i++) {
      const f = files.get(cleanEntryPath(entry.Layers[i]));
      let digest = f?.digest;
      if (!digest && f?.bytes) digest = (await deps.content.ingest(f.bytes)).digest;
      if (!digest) throw invalidArgument(`invalid archive: missing layer ${entry.Layers[i]}`, 'INVALID_ARCHIVE');
      ev.onProgress?.(`Loading layer ${diffIds[i].slice(7, 19)}`);
      const layer = await deps.images.layerStore.register(digest, parent, diffIds[i]);
      parent = layer.chainId;
    }
    const refs = (entry.RepoTags ?? []).map((t) => formatReference(withDefaultTag(parseReference(t))));
    const img = await deps.images.registerConfigBytes(configBytes, refs);
    if (refs.length) for (const r of refs) { const f = familiarString(parseReference(r)); loaded.push(f); ev.onProgress?.(`Loaded image: ${f}`); }
    else { loaded.push(img.id); ev.onProgress?.(`Loaded image ID: ${img.id}`); }
  }
  return { loaded };
}
