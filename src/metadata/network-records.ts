/**
 * metadata/network-records — network rows: id, unique name, and a JSON
 * document the engine owns (driver, IPAM config, options, labels, the Linux
 * bridge). Name uniqueness is enforced by SQLite.
 */
import type { Db } from './database.js';

export class NetworkRecords<Doc extends { id: string; name: string }> {
  constructor(private readonly db: Db) {}

  get(id: string): Doc | undefined {
    const r = this.db.prepare('SELECT doc FROM networks WHERE id = ?').get(id) as { doc: string } | undefined;
    return r && (JSON.parse(r.doc) as Doc);
  }

  getByName(name: string): Doc | undefined {
    const r = this.db.prepare('SELECT doc FROM networks WHERE name = ?').get(name) as { doc: string } | undefined;
    return r && (JSON.parse(r.doc) as Doc);
  }

  findByPrefix(prefix: string): string[] {
    return (this.db.prepare('SELECT id FROM networks WHERE id LIKE ? LIMIT 3').all(`${prefix}%`) as { id: string }[]).map((r) => r.id);
  }

  list(): Doc[] {
    return (this.db.prepare('SELECT doc FROM networks ORDER BY rowid').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as Doc);
  }

  /** Insert; throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(doc: Doc): void {
    this.db.prepare('INSERT INTO networks (id, name, doc) VALUES (?, ?, ?)').run(doc.id, doc.name, JSON.stringify(doc));
  }

  update(doc: Doc): void {
    this.db.prepare('UPDATE networks SET name = ?, doc = ? WHERE id = ?').run(doc.name, JSON.stringify(doc), doc.id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
  }
}
