/**
 * content/content-store — the content-addressed blob store (role interface).
 *
 * Vocabulary: a blob is immutable bytes named by its `digest`
 * ("sha256:<64 hex>"). Lifecycle of a write (an "ingest"): bytes stream into a
 * private temp file while being hashed; when the stream ends, size and digest
 * are checked against what the caller expected, the file is fsynced and
 * renamed into place. Until that rename nothing is visible to readers; a crash
 * at any point leaves at most a temp file that `cleanupIngests()` removes at
 * start-up. Writing a blob that already exists is a no-op that still verifies.
 *
 * May import: lib, errdefs.
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface ContentProvider {
  /** Metadata of a committed blob, or undefined. */
  info(digest: string): Promise<BlobInfo | undefined>;
  /** A stream of a committed blob's bytes; throws not-found. */
  read(digest: string): Readable;
  readBytes(digest: string): Promise<Buffer>;
  /** The local file of a committed blob (for readers that want random access). */
  pathOf(digest: string): string;
}

export interface ContentIngester {
  /**
   * Stream bytes into the store. `expected` digest/size, when given, are
   * verified before commit; on mismatch nothing is committed.
   */
  ingest(source: Readable | Buffer, expected?: Partial<BlobInfo>): Promise<BlobInfo>;
}

export interface ContentManager {
  delete(digest: string): Promise<void>;
  list(): Promise<BlobInfo[]>;
  /** Remove temp files left by ingests that never committed (crash recovery). */
  cleanupIngests(): Promise<void>;
}

export interface ContentStore extends ContentProvider, ContentIngester, ContentManager {}
