/**
 * registry/registry-storage — the registry server's filesystem storage.
 *
 * Layout under the root:
 *   blobs/…                        every blob and manifest, content-addressed (content/
 *                                  LocalContentStore: temp file → verify digest → fsync → rename)
 *   repositories/<name>/_layers/<hex>               blob linked into a repository
 *   repositories/<name>/_manifests/revisions/<hex>  manifest in a repository (file = media type)
 *   repositories/<name>/_manifests/tags/<tag>       tag → digest
 *   repositories/<name>/_referrers/<subject hex>/<hex>  descriptor JSON of a referrer
 *   uploads/<uuid>/{data,name}                      upload sessions
 * Links are written atomically after their blob is committed, so a reader
 * never sees a link to a missing or partial blob; two pushes of the same
 * blob both verify and rename the same bytes into place.
 * Names are validated (names.ts) before they reach a path.
 * May import: content, lib, oci.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID, createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalContentStore } from '../content/local-content-store.js';
import { atomicWrite } from '../lib/atomic-write.js';
import { KeyedMutex } from '../lib/mutex.js';
import { OciError } from './oci-errors.js';
import { checkName } from './names.js';

export interface StoredManifest { bytes: Buffer; mediaType: string; digest: string }
export interface ReferrerDescriptor { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }

const hex = (digest: string) => digest.slice(7);
const UUID_RE = /^[a-f0-9-]{36}$/;

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch { return false; }
}

async function listDir(p: string): Promise<string[]> {
  try { return await readdir(p); } catch { return []; }
}

export class RegistryStorage {
  readonly content: LocalContentStore;
  private readonly uploadLocks = new KeyedMutex();
  /** Running sha256 of each upload in this process (uuid → hash of the first `size` bytes). */
  private readonly hashes = new Map<string, { hash: Hash; size: number }>();

  constructor(private readonly root: string) {
    this.content = new LocalContentStore({ root: join(root, 'blobs') });
  }

  async init(): Promise<void> {
    await this.content.init();
    await mkdir(join(this.root, 'repositories'), { recursive: true });
    await mkdir(join(this.root, 'uploads'), { recursive: true });
    await this.content.cleanupIngests();
  }

  private repo(name: string, ...rest: string[]): string {
    // the app checked it already; the one place a name becomes a path checks again
    return join(this.root, 'repositories', checkName(name), ...rest);
  }

  // ---- blobs -----------------------------------------------------------

  /** Size of a blob linked into `name`, or undefined. */
  async blobSize(name: string, digest: string): Promise<number | undefined> {
    if (!(await exists(this.repo(name, '_layers', hex(digest))))) return undefined;
    return (await this.content.info(digest))?.size;
  }

  async linkBlob(name: string, digest: string): Promise<void> {
    await mkdir(this.repo(name, '_layers'), { recursive: true });
    await atomicWrite(this.repo(name, '_layers', hex(digest)), digest);
  }

  async unlinkBlob(name: string, digest: string): Promise<boolean> {
    const p = this.repo(name, '_layers', hex(digest));
    if (!(await exists(p))) return false;
    await rm(p, { force: true });
    return true;
  }

  blobPath(digest: string): string { return this.content.pathOf(digest); }

  // ---- uploads ---------------------------------------------------------

  private upload(uuid: string, ...rest: string[]): string {
    if (!UUID_RE.test(uuid)) throw new OciError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown');
    return join(this.root, 'uploads', uuid, ...rest);
  }

  async startUpload(name: string): Promise<string> {
    const uuid = randomUUID();
    this.hashes.set(uuid, { hash: createHash('sha256'), size: 0 });
    await mkdir(this.upload(uuid), { recursive: true });
    await writeFile(this.upload(uuid, 'data'), '');
    await writeFile(this.upload(uuid, 'name'), name);
    return uuid;
  }

  /** Current size of an upload of `name`; throws BLOB_UPLOAD_UNKNOWN. */
  async uploadSize(name: string, uuid: string): Promise<number> {
    let owner: string;
    try { owner = await readFile(this.upload(uuid, 'name'), 'utf8'); } catch { throw new OciError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown'); }
    if (owner !== name) throw new OciError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown');
    return (await stat(this.upload(uuid, 'data'))).size;
  }

  /**
   * Append a chunk. With `start`, the chunk must begin where the upload ends
   * (else RANGE_INVALID, 416). Returns the new size.
   */
  async appendUpload(name: string, uuid: string, body: Readable, start?: number, expectedLength?: number): Promise<number> {
    return this.uploadLocks.run(uuid, async () => {
      const size = await this.uploadSize(name, uuid);
      if (start !== undefined && start !== size) {
        body.resume();
        throw new OciError('RANGE_INVALID', `chunk starts at ${start} but the upload has ${size} bytes`, { size }, 416);
      }
      let n = 0;
      // feed the running hash as bytes arrive; a failed chunk invalidates it (rebuilt at commit)
      const state = this.hashes.get(uuid);
      const live = state && state.size === size ? state : undefined;
      if (!live) this.hashes.delete(uuid);
      const counted = body.on('data', (c: Buffer) => { n += c.length; live?.hash.update(c); });
      try {
        await pipeline(counted, createWriteStream(this.upload(uuid, 'data'), { flags: 'a', highWaterMark: 1 << 20 }));
      } catch (err) {
        // a half-written chunk must not stay: cut back to the size before it
        this.hashes.delete(uuid);
        await truncate(this.upload(uuid, 'data'), size);
        throw err;
      }
      if (expectedLength !== undefined && n !== expectedLength) {
        this.hashes.delete(uuid);
        await truncate(this.upload(uuid, 'data'), size);
        throw new OciError('SIZE_INVALID', `content length ${expectedLength} does not match the ${n} bytes received`);
      }
      if (live) live.size = size + n;
      return size + n;
    });
  }

  /** Verify the whole upload against `digest`, commit it, link it into `name`. */
  async finishUpload(name: string, uuid: string, digest: string): Promise<number> {
    return this.uploadLocks.run(uuid, async () => {
      const size = await this.uploadSize(name, uuid);
      const state = this.hashes.get(uuid);
      this.hashes.delete(uuid);
      let info;
      try {
        if (state && state.size === size) {
          // digest computed while the bytes streamed in: verify, then rename the file into place
          const got = `sha256:${state.hash.digest('hex')}`;
          if (got !== digest) throw new Error(`expected ${digest}, got ${got}`);
          info = await this.content.commitFile(this.upload(uuid, 'data'), digest);
        } else {
          info = await this.content.ingest(createReadStream(this.upload(uuid, 'data')), { digest });
        }
      } catch (err) {
        throw new OciError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest, reason: (err as Error).message });
      } finally {
        await rm(this.upload(uuid), { recursive: true, force: true });
      }
      await this.linkBlob(name, digest);
      return info.size;
    });
  }

  async cancelUpload(name: string, uuid: string): Promise<void> {
    await this.uploadSize(name, uuid);
    this.hashes.delete(uuid);
    await rm(this.upload(uuid), { recursive: true, force: true });
  }

  // ---- manifests -------------------------------------------------------

  async putManifest(name: string, m: StoredManifest, tag: string | undefined, subject?: { digest: string; descriptor: ReferrerDescriptor }): Promise<void> {
    await this.content.ingest(m.bytes, { digest: m.digest });
    await mkdir(this.repo(name, '_manifests', 'revisions'), { recursive: true });
    await atomicWrite(this.repo(name, '_manifests', 'revisions', hex(m.digest)), m.mediaType);
    if (subject) {
      await mkdir(this.repo(name, '_referrers', hex(subject.digest)), { recursive: true });
      await atomicWrite(this.repo(name, '_referrers', hex(subject.digest), hex(m.digest)), JSON.stringify(subject.descriptor));
    }
    if (tag) {
      await mkdir(this.repo(name, '_manifests', 'tags'), { recursive: true });
      await atomicWrite(this.repo(name, '_manifests', 'tags', tag), m.digest);
    }
  }

  async resolveTag(name: string, tag: string): Promise<string | undefined> {
    try { return (await readFile(this.repo(name, '_manifests', 'tags', tag), 'utf8')).trim(); } catch { return undefined; }
  }

  async getManifest(name: string, ref: { tag?: string; digest?: string }): Promise<StoredManifest | undefined> {
    const digest = ref.digest ?? (ref.tag ? await this.resolveTag(name, ref.tag) : undefined);
    if (!digest) return undefined;
    let mediaType: string;
    try { mediaType = await readFile(this.repo(name, '_manifests', 'revisions', hex(digest)), 'utf8'); } catch { return undefined; }
    try { return { bytes: await this.content.readBytes(digest), mediaType, digest }; } catch { return undefined; }
  }

  async hasManifest(name: string, digest: string): Promise<boolean> {
    return exists(this.repo(name, '_manifests', 'revisions', hex(digest)));
  }

  /** Delete a manifest revision and every tag pointing at it. */
  async deleteManifest(name: string, digest: string): Promise<boolean> {
    const p = this.repo(name, '_manifests', 'revisions', hex(digest));
    if (!(await exists(p))) return false;
    for (const t of await this.tags(name)) if ((await this.resolveTag(name, t)) === digest) await rm(this.repo(name, '_manifests', 'tags', t), { force: true });
    await rm(p, { force: true });
    for (const s of await listDir(this.repo(name, '_referrers'))) await rm(this.repo(name, '_referrers', s, hex(digest)), { force: true });
    return true;
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    const p = this.repo(name, '_manifests', 'tags', tag);
    if (!(await exists(p))) return false;
    await rm(p, { force: true });
    return true;
  }

  async tags(name: string): Promise<string[]> {
    return (await listDir(this.repo(name, '_manifests', 'tags'))).filter((t) => !t.startsWith('.')).sort();
  }

  async repositoryExists(name: string): Promise<boolean> {
    return exists(this.repo(name));
  }

  /** Every repository name (directories holding `_manifests` or `_layers`), sorted. */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string) => {
      const entries = await listDir(join(this.root, 'repositories', rel));
      if (entries.includes('_manifests')) out.push(rel);
      for (const e of entries) if (!e.startsWith('_') && !e.startsWith('.')) await walk(rel ? `${rel}/${e}` : e);
    };
    await walk('');
    return out.sort();
  }

  async referrers(name: string, digest: string): Promise<ReferrerDescriptor[]> {
    const dir = this.repo(name, '_referrers', hex(digest));
    const out: ReferrerDescriptor[] = [];
    for (const f of (await listDir(dir)).sort()) {
      if (!(await this.hasManifest(name, `sha256:${f}`))) continue;
      try { out.push(JSON.parse(await readFile(join(dir, f), 'utf8')) as ReferrerDescriptor); } catch { /* torn? skip */ }
    }
    return out;
  }

  // ---- garbage collection ---------------------------------------------

  /**
   * Mark every blob reachable from a manifest revision of any repository
   * (the manifest itself, its config, layers, child manifests; not a referrer's subject),
   * then delete the rest and the repository links to them. Run it while
   * nothing pushes (as distribution's `garbage-collect`).
   */
  async gc(opts: { dryRun?: boolean } = {}): Promise<{ marked: number; removed: string[] }> {
    const marked = new Set<string>();
    for (const name of await this.repositories()) {
      for (const h of await listDir(this.repo(name, '_manifests', 'revisions'))) {
        const digest = `sha256:${h}`;
        marked.add(digest);
        let j: { config?: { digest?: string }; layers?: { digest?: string }[]; manifests?: { digest?: string }[]; blobs?: { digest?: string }[] };
        try { j = JSON.parse((await this.content.readBytes(digest)).toString()) as typeof j; } catch { continue; }
        for (const d of [j.config, ...(j.layers ?? []), ...(j.manifests ?? []), ...(j.blobs ?? [])]) if (d?.digest) marked.add(d.digest);
      }
    }
    const removed: string[] = [];
    for (const b of await this.content.list()) {
      if (marked.has(b.digest)) continue;
      removed.push(b.digest);
      if (!opts.dryRun) await this.content.delete(b.digest);
    }
    if (!opts.dryRun) {
      const gone = new Set(removed);
      for (const name of await this.repositories().then(async (r) => [...r, ...(await this.layerOnlyRepos(r))])) {
        for (const h of await listDir(this.repo(name, '_layers'))) if (gone.has(`sha256:${h}`)) await rm(this.repo(name, '_layers', h), { force: true });
      }
    }
    return { marked: marked.size, removed };
  }

  private async layerOnlyRepos(known: string[]): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string) => {
      const entries = await listDir(join(this.root, 'repositories', rel));
      if (entries.includes('_layers') && !known.includes(rel)) out.push(rel);
      for (const e of entries) if (!e.startsWith('_') && !e.startsWith('.')) await walk(rel ? `${rel}/${e}` : e);
    };
    await walk('');
    return out;
  }
}

