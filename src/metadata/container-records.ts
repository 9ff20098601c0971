/**
 * metadata/container-records — container rows: id, unique name, image, and a
 * JSON document the engine owns (config, host config, state). Name
 * uniqueness is enforced by SQLite, so two concurrent creates can never both
 * win a name.
 */
import type { Db } from './database.js';

export class ContainerRecords<Doc extends { id: string; name: string; imageId: string }> {
  constructor(private readonly db: Db) {}

  get(id: string): Doc | undefined {
    const r = this.db.prepare('SELECT doc FROM containers WHERE id = ?').get(id) as { doc: string } | undefined;
    return r && (JSON.parse(r.doc) as Doc);
  }

  getByName(name: string): Doc | undefined {
    const r = this.db.prepare('SELECT doc FROM containers WHERE name = ?').get(name) as { doc: string } | undefined;
    return r && (JSON.parse(r.doc) as Doc);
  }

  findByPrefix(prefix: string): string[] {
    return (this.db.prepare('SELECT id FROM containers WHERE id LIKE ? LIMIT 3').all(`${prefix}%`) as { id: string }[]).map((r) => r.id);
  }

  list(): Doc[] {
    return (this.db.prepare('SELECT doc FROM containers').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as Doc);
  }

  /** Insert; throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(doc: Doc): void {
    this.db.prepare('INSERT INTO containers (id, name, image_id, doc) VALUES (?, ?, ?, ?)').run(doc.id, doc.name, doc.imageId, JSON.stringify(doc));
  }

  update(doc: Doc): void {
    this.db.prepare('UPDATE containers SET name = ?, image_id = ?, doc = ? WHERE id = ?').run(doc.name, doc.imageId, JSON.stringify(doc), doc.id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }

  countByImage(imageId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM containers WHERE image_id = ?').get(imageId) as { n: number }).n;
  }
}
