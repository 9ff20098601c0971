/**
 * metadata/build-cache-records — the builder's step cache: step key → image
 * ID, in SQLite so it survives daemon restarts. Rows whose image is deleted
 * go with it (ImageRecords.delete); `get` only answers for images that exist.
 */
import type { Db } from './database.js';

export class BuildCacheRecords {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT c.image_id FROM build_cache c JOIN images i ON i.id = c.image_id WHERE c.key = ?').get(key) as { image_id: string } | undefined)?.image_id;
  }

  put(key: string, imageId: string): void {
    this.db.prepare('INSERT OR REPLACE INTO build_cache (key, image_id, created_at) VALUES (?, ?, ?)').run(key, imageId, new Date().toISOString());
  }

  /** Image IDs the cache refers to. */
  imageIds(): Set<string> {
    return new Set((this.db.prepare('SELECT DISTINCT image_id FROM build_cache').all() as { image_id: string }[]).map((r) => r.image_id));
  }

  /** Forget every entry (builder prune); returns how many there were. */
  clear(): number {
    return this.db.prepare('DELETE FROM build_cache').run().changes;
  }
}
