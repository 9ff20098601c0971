/**
 * api/version — the Docker Engine API versions berth speaks.
 *
 * The daemon serves MIN..MAX (MIN as dockerd 28: 1.24); the client always
 * talks DEFAULT (versioned paths `/v1.50/...`). Pure constants and a comparison helper; imports nothing.
 */

export const MIN_API_VERSION = '1.24';
export const DEFAULT_API_VERSION = '1.50';
export const MAX_API_VERSION = '1.50';

/** Compare two "major.minor" API versions: negative, zero or positive like a sort comparator. */
export function compareApiVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map((n) => parseInt(n, 10) || 0);
  const [bm, bn] = b.split('.').map((n) => parseInt(n, 10) || 0);
  return am !== bm ? am - bm : (an ?? 0) - (bn ?? 0);
}
