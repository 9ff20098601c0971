/**
 * lib/stream-guard — the daemon's rule for every stream whose other end it
 * does not control (client sockets, responses, tar packs and their entry
 * sinks, child-process pipes, transforms fed by clients): an 'error' is
 * handled where the stream is made, so one failing connection can only end
 * that connection, never reach `process` as an unhandled 'error'.
 *
 * `guard` attaches a listener (optionally reporting the error once) and
 * returns the stream; `isConnectionError` tells the errors a peer going
 * away produces from real faults, so callers log the former at debug.
 * Imports node:events types only.
 */
import type { EventEmitter } from 'node:events';

type Emitter = Pick<EventEmitter, 'on'>;

/** Attach an 'error' listener to `s` (reporting each error to `onError`, if given) and return `s`. */
export function guard<T extends Emitter>(s: T, onError?: (err: Error) => void): T {
  s.on('error', (err: Error) => { onError?.(err); });
  return s;
}

const PEER_GONE = new Set([
  'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTCONN', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END', 'ERR_STREAM_PUSH_AFTER_EOF', 'ERR_STREAM_UNABLE_TO_PIPE', 'ERR_HTTP_REQUEST_TIMEOUT', 'ECANCELED',
]);

/** Is this what a peer closing, resetting or timing out its connection looks like (rather than a fault of ours)? */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && PEER_GONE.has(e.code)) return true;
  // streamx (tar-stream) and node's "aborted" request errors carry no code
  return e.message === 'Premature close' || e.message === 'aborted' || e.message === 'Stream was destroyed' || e.message === 'Writable stream closed prematurely';
}
