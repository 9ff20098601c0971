/**
 * metadata/layer-blob-records — the mapping between a layer's diff ID (its
 * uncompressed tar) and the blobs that carry it in registries (compressed,
 * with a media type), plus the repository where each was last seen. Pull
 * writes it; push reads it to skip, mount or reuse a blob.
 */
import type { Db } from './database.js';

export interface LayerBlobRow {
  diffId: string;
  digest: string;
  mediaType: string;
  size: number;
  source: string | null;
}

export class LayerBlobRecords {
  constructor(private readonly db: Db) {}

  put(row: LayerBlobRow): void {
    this.db.prepare(`INSERT INTO layer_blobs (diff_id, digest, media_type, size, source) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(diff_id, digest) DO UPDATE SET source = COALESCE(excluded.source, layer_blobs.source), media_type = excluded.media_type`)
      .run(row.diffId, row.digest, row.mediaType, row.size, row.source);
  }

  byDiffId(diffId: string): LayerBlobRow[] {
    return (this.db.prepare('SELECT diff_id, digest, media_type, size, source FROM layer_blobs WHERE diff_id = ?').all(diffId) as { diff_id: string; digest: string; media_type: string; size: number; source: string | null }[])
      .map((r) => ({ diffId: r.diff_id, digest: r.digest, mediaType: r.media_type, size: r.size, source: r.source }));
  }

  deleteByDigest(digest: string): void {
    this.db.prepare('DELETE FROM layer_blobs WHERE digest = ?').run(digest);
  }
}
