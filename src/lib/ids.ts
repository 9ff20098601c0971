/** lib/ids — random 64-hex object IDs and the digest helpers used across berth. */
import { randomBytes, createHash } from 'node:crypto';

/** A new random 64-hex ID, never all-numeric in its 12-char short form (Docker avoids those too). */
export function newId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (!/^\d{12}/.test(id)) return id;
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Digest(data: string | Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
