/**
 * client/response-errors — turning the daemon's non-2xx answers and dial
 * failures back into BerthErrors, so callers (the CLI) branch on `kind`, the
 * same vocabulary the daemon used to pick the status.
 *
 * Vocabulary: a DaemonError is an error the daemon reported (the CLI prints
 * it as "Error response from daemon: <message>"); a dial error means we never
 * reached it. Imports errdefs.
 */
import { BerthError, type ErrorCode } from '../errdefs/errors.js';

/** Error reported by the daemon in an HTTP response; `message` is the daemon's own text. */
export class DaemonError extends BerthError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(codeForStatus(status), message);
    this.name = 'DaemonError';
    this.status = status;
  }
}

/** HTTP status → the generic error code of that kind (the inverse of the server's mapper). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 304: return 'ALREADY_STOPPED'; // not-modified; which "already" does not matter to callers
    case 400: return 'INVALID_PARAMETER';
    case 401: return 'UNAUTHORIZED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 409: return 'CONFLICT';
    case 501: return 'NOT_IMPLEMENTED';
    case 503: return 'UNAVAILABLE';
    default: return 'SYSTEM';
  }
}

/**
 * Build the DaemonError for a response body. Docker bodies are `{"message": "..."}`;
 * anything else (a proxy's HTML, plain text) is kept verbatim, trimmed.
 */
export function daemonErrorFromBody(status: number, body: string): DaemonError {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the text
  }
  if (!message) message = status === 304 ? 'not modified' : `HTTP ${status}`;
  return new DaemonError(status, message);
}

/** A failure to reach the daemon at all, worded as Docker words it. */
export function dialError(url: string, cause: unknown): BerthError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new BerthError('FORBIDDEN', `permission denied while trying to connect to the berth daemon socket at ${url}: ${detail}`, { cause });
  }
  return new BerthError('UNAVAILABLE', `Cannot connect to the berth daemon at ${url}. Is the berth daemon running?`, { cause });
}

