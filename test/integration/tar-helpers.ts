/** test/integration/tar-helpers — an in-memory tar of text files (build contexts, putArchive bodies) for the client tests. */
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';

/** A tar of `files` (name → text), each 0644. */
export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
