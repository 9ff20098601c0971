/**
 * metadata/layer-records — one row per unpacked layer, keyed by chain ID. A
 * row is written only after the layer's snapshot directory was renamed into
 * place, so a row always means "usable".
 */
import type { Db } from './database.js';

export interface LayerRow {
  chainId: string;
  diffId: string;
  parent: string | null;
  size: number;
  blob: string | null;
}

export class LayerRecords {
  constructor(private readonly db: Db) {}

  get(chainId: string): LayerRow | undefined {
    const r = this.db.prepare('SELECT chain_id, diff_id, parent, size, blob FROM layers WHERE chain_id = ?').get(chainId) as
      | { chain_id: string; diff_id: string; parent: string | null; size: number; blob: string | null } | undefined;
    return r && { chainId: r.chain_id, diffId: r.diff_id, parent: r.parent, size: r.size, blob: r.blob };
  }

  put(row: LayerRow): void {
    this.db.prepare('INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, size, blob) VALUES (?, ?, ?, ?, ?)')
      .run(row.chainId, row.diffId, row.parent, row.size, row.blob);
  }

  delete(chainId: string): void {
    this.db.prepare('DELETE FROM layers WHERE chain_id = ?').run(chainId);
  }

  all(): LayerRow[] {
    return (this.db.prepare('SELECT chain_id, diff_id, parent, size, blob FROM layers').all() as { chain_id: string; diff_id: string; parent: string | null; size: number; blob: string | null }[])
      .map((r) => ({ chainId: r.chain_id, diffId: r.diff_id, parent: r.parent, size: r.size, blob: r.blob }));
  }
}
