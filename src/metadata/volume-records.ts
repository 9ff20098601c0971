/**
 * metadata/volume-records — volume rows: a unique name, the driver, and a
 * JSON document the engine owns (labels, driver options, creation time,
 * whether it is anonymous). Name uniqueness is SQLite's, so two concurrent
 * creates of one name cannot both insert.
 */
import type { Db } from './database.js';

export class VolumeRecords<Doc extends { name: string; driver: string }> {
  constructor(private readonly db: Db) {}

  get(name: string): Doc | undefined {
    const r = this.db.prepare('SELECT doc FROM volumes WHERE name = ?').get(name) as { doc: string } | undefined;
    return r && (JSON.parse(r.doc) as Doc);
  }

  list(): Doc[] {
    return (this.db.prepare('SELECT doc FROM volumes ORDER BY name').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as Doc);
  }

  /** Insert; throws SQLITE_CONSTRAINT_PRIMARYKEY when the name is taken. */
  insert(doc: Doc): void {
    this.db.prepare('INSERT INTO volumes (name, driver, doc) VALUES (?, ?, ?)').run(doc.name, doc.driver, JSON.stringify(doc));
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name).changes > 0;
  }
}
