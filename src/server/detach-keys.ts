/**
 * server/detach-keys — Docker's detach key sequences ("ctrl-p,ctrl-q" by
 * default): parsing the `detachKeys` option and an escape scanner that
 * passes input bytes through until the whole sequence is typed. Bytes that
 * start the sequence are held back until it is complete (detach: they are
 * swallowed) or broken (they are released in order), as moby's
 * term.EscapeProxy does. Pure; imports node:stream and errdefs.
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
 * 'detach' (and ends) when the sequence is complete.
 */
export class DetachScanner extends Transform {
  #matched = 0;
  readonly #keys: number[];

  constructor(keys: number[]) {
    super();
    this.#keys = keys;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.#keys.length) { cb(null, chunk); return; }
    const out: number[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === this.#keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.#keys.length) {
          if (out.length) this.push(Buffer.from(out));
          this.#matched = 0;
          this.emit('detach');
          this.push(null);
          cb();
          return;
        }
        continue;
      }
      // Broken sequence: release what was held, then look at this byte afresh.
      if (this.#matched) { out.push(...this.#keys.slice(0, this.#matched)); this.#matched = 0; i--; continue; }
      out.push(b);
    }
    cb(null, out.length ? Buffer.from(out) : undefined);
  }

  override _flush(cb: TransformCallback): void {
    if (this.#matched) this.push(Buffer.from(this.#keys.slice(0, this.#matched)));
    cb();
  }
}
