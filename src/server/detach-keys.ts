/**
 * server/detach-keys — Docker's detach key sequences ("ctrl-p,ctrl-q" by
 * default): parsing the `detachKeys` option and an escape scanner that
 * passes input bytes through until the whole sequence is typed. Bytes that
 * start the sequence are held back until it is complete (detach: they are
 * swallowed) or broken (they are released in order), as moby's
 * term.EscapeProxy does. Used for TTY sessions only (server/hijack).
 * Pure; imports node:stream and errdefs.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { invalidArgument } from '../errdefs/errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** "ctrl-p,ctrl-q" → [16, 17]; "a,ctrl-[" → [97, 27]. Empty → the default. */
export function parseDetachKeys(spec: string | undefined | null): number[] {
  const s = spec ?? '';
  if (s === '') return parseDetachKeys(DEFAULT_DETACH_KEYS);
  const out: number[] = [];
  for (const key of s.split(',')) {
    const k = key.trim();
    if (k.length === 1) { out.push(k.charCodeAt(0)); continue; }
    const m = /^ctrl-(.)$/.exec(k);
    if (!m) throw invalidArgument(`Invalid detach keys (${s}) provided: Unknown character: '${k}'`);
    const c = m[1];
    if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
    else if ('@[\\]^_'.includes(c)) out.push('@[\\]^_'.indexOf(c) === 0 ? 0 : 26 + '@[\\]^_'.indexOf(c));
    else throw invalidArgument(`Invalid detach keys (${s}) provided: Unknown character: '${k}'`);
  }
  return out;
}

/**
 * Transform: input bytes through, except the detach sequence. Emits
 * 'detach' and ends its output when the sequence is complete; whatever is
 * written after that is dropped (never pushed after the end).
 */
export class DetachScanner extends Transform {
  #matched = 0;
  #detached = false;
  readonly #keys: number[];

  constructor(keys: number[]) {
    super();
    this.#keys = keys;
  }

  get detached(): boolean { return this.#detached; }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.#detached) { cb(); return; }
    if (!this.#keys.length) { cb(null, chunk); return; }
    let from = 0;
    const out: Buffer[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === this.#keys[this.#matched]) {
        if (this.#matched === 0 && i > from) out.push(chunk.subarray(from, i));
        this.#matched++;
        from = i + 1;
        if (this.#matched === this.#keys.length) {
          this.#matched = 0;
          this.#detached = true;
          if (out.length) this.push(Buffer.concat(out));
          this.push(null);
          this.emit('detach');
          cb();
          return;
        }
        continue;
      }
      if (this.#matched) {
        // broken sequence: release what was held, then look at this byte afresh
        out.push(Buffer.from(this.#keys.slice(0, this.#matched)));
        this.#matched = 0;
        from = i;
        i--;
      }
    }
    if (!this.#matched && from < chunk.length) out.push(chunk.subarray(from));
    cb(null, out.length ? Buffer.concat(out) : undefined);
  }

  override _flush(cb: TransformCallback): void {
    if (this.#matched && !this.#detached) this.push(Buffer.from(this.#keys.slice(0, this.#matched)));
    cb();
  }
}
