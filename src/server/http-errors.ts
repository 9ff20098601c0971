/**
 * server/http-errors — the one place that maps an error to an HTTP status.
 * Walks the `cause` chain for a BerthError and picks the status from its
 * kind; anything else is a 500. Docker's body: {"message": "..."}.
 */
import { findBerthError, type ErrorKind } from '../errdefs/errors.js';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  'not-found': 404,
  'invalid-argument': 400,
  conflict: 409,
  'not-modified': 304,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  'not-implemented': 501,
  system: 500,
  cancelled: 499,
};

export function statusOf(err: unknown): number {
  const be = findBerthError(err);
  return be ? STATUS_BY_KIND[be.kind] : 500;
}

export function messageOf(err: unknown): string {
  const be = findBerthError(err);
  return be?.message ?? (err instanceof Error ? err.message : String(err));
}
