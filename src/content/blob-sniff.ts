/**
 * content/blob-sniff — tell a stored blob's encoding from its first bytes
 * (layers arrive gzip'ed from registries and plain from imports and builds).
 * May import: lib, errdefs.
 */
import type { ContentStore } from './content-store.js';

/** Whether blob `digest` starts with the gzip magic (1f 8b). Reads one chunk. */
export async function isGzipBlob(content: ContentStore, digest: string): Promise<boolean> {
  const s = content.read(digest);
  for await (const chunk of s) {
    s.destroy();
    const b = chunk as Buffer;
    return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
  }
  return false;
}
