/**
 * server/hijack — the one owner of a hijacked connection (attach and exec
 * start with `Upgrade: tcp`): it answers `101 UPGRADED`, gives the handler
 * the client's input as a stream and a back-pressured writer for output,
 * and closes the connection the way clients expect.
 *
 * Input: the bytes that arrived with the request head come first, then the
 * socket. Detach keys apply only to TTY sessions, as in Docker (moby's
 * attach copies non-TTY stdin verbatim): the scanner cuts the sequence out
 * and ends the input. A client half-closing its side ends the input after
 * every byte it sent, which the container sees as EOF.
 *
 * Closing: `finish()` ends our side and keeps reading (and dropping) what
 * the client still sends until it closes, so a reset never discards output
 * it has not read yet; a client that never closes is cut off after a grace
 * period. Every error on the socket is handled here.
 */
import { PassThrough, type Duplex, type Readable, type Transform } from 'node:stream';
import type { Logger } from '../lib/log.js';
import { guard, isConnectionError } from '../lib/stream-guard.js';
import { DetachScanner } from './detach-keys.js';
import { WireWriter } from './wire-writer.js';

/** How long a finished connection may stay half-open waiting for the client to close. */
const CLOSE_GRACE_MS = 30_000;

export interface HijackedSession {
  /** Output to the client, with back-pressure. */
  readonly out: WireWriter;
  /**
   * The client's input (call once). With `detachKeys` (TTY sessions), the
   * sequence is swallowed, `onDetach` is called and the input ends.
   */
  input(o?: { detachKeys?: number[]; onDetach?: () => void }): Readable;
  /** End the session: flush, half-close, drain the client's remaining input, close. */
  finish(): void;
}

/** `protocol`: what the 101 names in Upgrade (`tcp` for attach and exec; `h2c` for a BuildKit session). */
export function hijack(up: { socket: Duplex; head: Buffer }, contentType: string, o: { log?: Logger; signal?: AbortSignal; protocol?: 'tcp' | 'h2c' } = {}): HijackedSession {
  const sock = up.socket;
  guard(sock, (err) => { if (!isConnectionError(err)) o.log?.warn('hijacked connection failed', { err: err.message }); });
  sock.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: ${o.protocol ?? 'tcp'}\r\n\r\n`);
  const out = new WireWriter(sock, o.signal);
  let input: Transform | undefined;
  let finished = false;
  return {
    out,
    input(io = {}) {
      if (input) throw new Error('hijack: input already taken');
      const keys = io.detachKeys ?? [];
      const stream: Transform = keys.length ? new DetachScanner(keys) : new PassThrough();
      guard(stream);
      input = stream;
      if (stream instanceof DetachScanner) {
        stream.once('detach', () => { sock.unpipe(stream); io.onDetach?.(); });
      }
      if (up.head.length) stream.write(up.head);
      up.head = Buffer.alloc(0);
      sock.pipe(stream);
      return stream;
    },
    finish() {
      if (finished) return;
      finished = true;
      if (input) sock.unpipe(input);
      out.end();
      if (sock.destroyed) return;
      // drop what the client still sends; closing with unread input would reset the connection
      sock.on('data', () => {});
      sock.resume();
      const t = setTimeout(() => sock.destroy(), CLOSE_GRACE_MS);
      t.unref();
      sock.once('close', () => clearTimeout(t));
    },
  };
}
