/**
 * server/wire-writer — writes a streamed response (logs, attach, exec
 * output, progress) to a client connection with back-pressure: a write
 * that fills the connection's buffer waits until the client has read it
 * (or the connection is gone), so a slow reader slows the producer instead
 * of making berthd buffer without bound. Writes in one turn of the event
 * loop are corked into one syscall. Never throws: a gone client makes
 * `write` answer false, and the caller stops producing.
 */
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../lib/log.js';
import { guard, isConnectionError } from '../lib/stream-guard.js';

export class WireWriter {
  #corked = false;

  constructor(private readonly out: Writable, private readonly signal?: AbortSignal) {
    guard(out);
  }

  /** The client is gone (closed, reset) or the request was cancelled. */
  get gone(): boolean {
    return this.out.destroyed || this.out.writableEnded || !!this.signal?.aborted;
  }

  /** Write a chunk; resolves true when more may be written, false once the client is gone. */
  async write(chunk: Buffer | string): Promise<boolean> {
    if (this.gone) return false;
    if (!this.#corked) {
      this.#corked = true;
      this.out.cork();
      setImmediate(() => this.#uncork());
    }
    if (this.out.write(chunk)) return true;
    this.#uncork();
    await new Promise<void>((resolve) => {
      const done = () => { this.out.off('drain', done); this.out.off('close', done); this.signal?.removeEventListener('abort', done); resolve(); };
      this.out.on('drain', done);
      this.out.on('close', done);
      this.signal?.addEventListener('abort', done);
      if (this.gone) done();
    });
    return !this.gone;
  }

  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.out.uncork();
  }

  /** End the response (flushing what is corked). */
  end(): void {
    this.#uncork();
    if (!this.out.destroyed && !this.out.writableEnded) this.out.end();
  }
}

/**
 * Send `body` as the response to `res` (headers already written): with
 * back-pressure, and `body` destroyed when the client goes away, so its
 * producer stops. Resolves when the body is sent or the client is gone; a
 * failure of the body after the headers can only cut the response short.
 */
export async function sendBody(res: Writable, body: Readable, log?: Logger): Promise<void> {
  guard(res);
  guard(body);
  try {
    await pipeline(body, res);
  } catch (err) {
    if (!isConnectionError(err)) log?.warn('response stream failed', { err: (err as Error).message });
    body.destroy();
    res.destroy();
  }
}

/** Resolves once `body` has bytes to read or has ended; rejects with its error if it fails first. Reads nothing. */
export function firstBytes(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => { body.off('readable', ok); body.off('end', ok); body.off('error', fail); body.off('close', ok); if (err) reject(err); else resolve(); };
    const ok = () => done();
    const fail = (err: Error) => done(err);
    if (body.readableLength > 0 || body.readableEnded) { resolve(); return; }
    body.once('readable', ok);
    body.once('end', ok);
    body.once('close', ok);
    body.once('error', fail);
  });
}
