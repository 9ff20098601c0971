/**
 * content/local-content-store — ContentStore on a local directory:
 * `<root>/blobs/sha256/<hex>` for committed blobs, `<root>/ingest/` for temp
 * files. See content-store.ts for the lifecycle.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, readdir, readFile, open } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument, notFound } from '../errdefs/errors.js';
import { fsyncDir } from '../lib/atomic-write.js';
import type { BlobInfo, ContentStore } from './content-store.js';

const DIGEST_RE = /^sha256:([a-f0-9]{64})$/;

export function parseDigest(digest: string): string {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw invalidArgument(`invalid digest: ${JSON.stringify(digest)}`);
  return m[1];
}

export class LocalContentStore implements ContentStore {
  private readonly blobDir: string;
  private readonly ingestDir: string;

  constructor(private readonly opts: { root: string }) {
    this.blobDir = join(opts.root, 'blobs', 'sha256');
    this.ingestDir = join(opts.root, 'ingest');
  }

  async init(): Promise<void> {
    await mkdir(this.blobDir, { recursive: true });
    await mkdir(this.ingestDir, { recursive: true });
  }

  pathOf(digest: string): string {
    return join(this.blobDir, parseDigest(digest));
  }

  async info(digest: string): Promise<BlobInfo | undefined> {
    try {
      const st = await stat(this.pathOf(digest));
      return { digest, size: st.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  read(digest: string): Readable {
    return createReadStream(this.pathOf(digest));
  }

  async readBytes(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`blob ${digest} not found`, 'NOT_FOUND', err);
      throw err;
    }
  }

  async ingest(source: Readable | Buffer, expected?: Partial<BlobInfo>): Promise<BlobInfo> {
    const tmp = join(this.ingestDir, randomBytes(12).toString('hex'));
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      await pipeline(input, meter, createWriteStream(tmp, { mode: 0o644 }));
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected?.digest && expected.digest !== digest) {
        throw invalidArgument(`digest mismatch: expected ${expected.digest}, got ${digest}`);
      }
      if (expected?.size !== undefined && expected.size !== size) {
        throw invalidArgument(`size mismatch for ${digest}: expected ${expected.size}, got ${size}`);
      }
      const fh = await open(tmp, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
      await rename(tmp, this.pathOf(digest));
      await fsyncDir(this.blobDir);
      return { digest, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Publish a file the caller has already hashed (a registry upload whose
   * digest was computed while it streamed in): fsync, then rename it into
   * place. The file must be on the store's filesystem; it is consumed.
   */
  async commitFile(path: string, digest: string): Promise<BlobInfo> {
    const target = this.pathOf(digest);
    const fh = await open(path, 'r');
    let size: number;
    try { await fh.sync(); size = (await fh.stat()).size; } finally { await fh.close(); }
    await rename(path, target);
    await fsyncDir(this.blobDir);
    return { digest, size };
  }

  async delete(digest: string): Promise<void> {
    await rm(this.pathOf(digest), { force: true });
  }

  async list(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const name of await readdir(this.blobDir)) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      // a blob deleted meanwhile (rmi) is simply not listed
      const st = await stat(join(this.blobDir, name)).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return undefined; throw err; });
      if (st) out.push({ digest: `sha256:${name}`, size: st.size });
    }
    return out;
  }

  async cleanupIngests(): Promise<void> {
    for (const name of await readdir(this.ingestDir)) await rm(join(this.ingestDir, name), { force: true, recursive: true });
  }
}
