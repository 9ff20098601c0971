/**
 * metadata/image-records — image and name rows. An image row exists once its
 * config blob and every layer are committed; names point at image rows.
 */
import type { Db } from './database.js';

export interface ImageRow {
  id: string;
  config: string;
  createdAt: string;
  size: number;
}

export class ImageRecords {
  constructor(private readonly db: Db) {}

  get(id: string): ImageRow | undefined {
    const r = this.db.prepare('SELECT id, config, created_at, size FROM images WHERE id = ?').get(id) as
      | { id: string; config: string; created_at: string; size: number } | undefined;
    return r && { id: r.id, config: r.config, createdAt: r.created_at, size: r.size };
  }

  list(): ImageRow[] {
    return (this.db.prepare('SELECT id, config, created_at, size FROM images').all() as { id: string; config: string; created_at: string; size: number }[])
      .map((r) => ({ id: r.id, config: r.config, createdAt: r.created_at, size: r.size }));
  }

  /** IDs starting with a hex prefix (short-ID lookup). */
  findByPrefix(hexPrefix: string): string[] {
    return (this.db.prepare("SELECT id FROM images WHERE id LIKE ? LIMIT 3").all(`sha256:${hexPrefix}%`) as { id: string }[]).map((r) => r.id);
  }

  /** Insert an image (idempotent) and point `refs` at it, in one transaction. */
  put(row: ImageRow, refs: string[]): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO images (id, config, created_at, size) VALUES (?, ?, ?, ?)').run(row.id, row.config, row.createdAt, row.size);
      for (const ref of refs) this.db.prepare('INSERT OR REPLACE INTO image_refs (ref, image_id) VALUES (?, ?)').run(ref, row.id);
    })();
  }

  refsOf(id: string): string[] {
    return (this.db.prepare('SELECT ref FROM image_refs WHERE image_id = ? ORDER BY ref').all(id) as { ref: string }[]).map((r) => r.ref);
  }

  allRefs(): { ref: string; imageId: string }[] {
    return (this.db.prepare('SELECT ref, image_id FROM image_refs').all() as { ref: string; image_id: string }[]).map((r) => ({ ref: r.ref, imageId: r.image_id }));
  }

  resolveRef(ref: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM image_refs WHERE ref = ?').get(ref) as { image_id: string } | undefined)?.image_id;
  }

  tag(ref: string, id: string): void {
    this.db.prepare('INSERT OR REPLACE INTO image_refs (ref, image_id) VALUES (?, ?)').run(ref, id);
  }

  untag(ref: string): boolean {
    return this.db.prepare('DELETE FROM image_refs WHERE ref = ?').run(ref).changes > 0;
  }

  /** Delete an image row and all its names. */
  delete(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM image_refs WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM image_parents WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM build_cache WHERE image_id = ?').run(id);
    })();
  }

  /** Record that `id` was built or committed on `parent` (idempotent; the first parent wins). */
  setParent(id: string, parent: string): void {
    this.db.prepare('INSERT OR IGNORE INTO image_parents (id, parent) VALUES (?, ?)').run(id, parent);
  }

  parentOf(id: string): string | undefined {
    return (this.db.prepare('SELECT parent FROM image_parents WHERE id = ?').get(id) as { parent: string } | undefined)?.parent;
  }

  /** IDs of images whose parent is `id` (and that still exist). */
  childrenOf(id: string): string[] {
    return (this.db.prepare('SELECT p.id FROM image_parents p JOIN images i ON i.id = p.id WHERE p.parent = ?').all(id) as { id: string }[]).map((r) => r.id);
  }

  /** Every image that is some existing image's parent. */
  parentIds(): Set<string> {
    return new Set((this.db.prepare('SELECT DISTINCT p.parent FROM image_parents p JOIN images i ON i.id = p.id').all() as { parent: string }[]).map((r) => r.parent));
  }
}
