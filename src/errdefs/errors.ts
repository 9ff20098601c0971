/**
 * errdefs — the error vocabulary shared by every layer of berth.
 *
 * Every failure that crosses a module boundary is a BerthError with a `kind`
 * (what class of failure, used to pick an HTTP status or an exit code) and a
 * stable `code` (which failure exactly, listed in docs/errors.md and checked
 * by errors.test.ts). Wrap with `{ cause }`; never match on message text.
 *
 * Imports nothing.
 */

export type ErrorKind =
  | 'not-found'
  | 'invalid-argument'
  | 'conflict'
  | 'not-modified'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'not-implemented'
  | 'system'
  | 'cancelled';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'not-found', 'invalid-argument', 'conflict', 'not-modified', 'unauthorized',
  'forbidden', 'unavailable', 'not-implemented', 'system', 'cancelled',
];

/** Stable codes: name → the kind it always carries. docs/errors.md lists every one. */
export const ERROR_CODES = {
  NO_SUCH_CONTAINER: 'not-found',
  NO_SUCH_IMAGE: 'not-found',
  NO_SUCH_EXEC: 'not-found',
  NO_SUCH_ROUTE: 'not-found',
  NO_SUCH_VOLUME: 'not-found',
  NO_SUCH_VOLUME_DRIVER: 'not-found',
  NOT_FOUND: 'not-found',
  INVALID_PARAMETER: 'invalid-argument',
  INVALID_JSON: 'invalid-argument',
  INVALID_REFERENCE: 'invalid-argument',
  INVALID_NAME: 'invalid-argument',
  INVALID_ARCHIVE: 'invalid-argument',
  NAME_IN_USE: 'conflict',
  IMAGE_IN_USE: 'conflict',
  CONTAINER_RUNNING: 'conflict',
  CONTAINER_NOT_RUNNING: 'conflict',
  CONTAINER_PAUSED: 'conflict',
  CONTAINER_NOT_PAUSED: 'conflict',
  EXEC_ALREADY_RUN: 'conflict',
  EXEC_NOT_RUNNING: 'conflict',
  AMBIGUOUS_ID: 'conflict',
  VOLUME_IN_USE: 'conflict',
  VOLUME_NAME_IN_USE: 'conflict',
  CONFLICT: 'conflict',
  NO_SUCH_NETWORK: 'not-found',
  NETWORK_EXISTS: 'conflict',
  NETWORK_IN_USE: 'conflict',
  PORT_IN_USE: 'conflict',
  POOL_OVERLAP: 'forbidden',
  CNI_FAILED: 'system',
  IPTABLES_FAILED: 'system',
  ALREADY_STARTED: 'not-modified',
  ALREADY_STOPPED: 'not-modified',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  PATH_MOVED: 'forbidden',
  UNAVAILABLE: 'unavailable',
  NOT_IMPLEMENTED: 'not-implemented',
  RUNTIME_FAILED: 'system',
  SYSTEM: 'system',
  CANCELLED: 'cancelled',
  MANIFEST_UNKNOWN: 'not-found',
  PULL_ACCESS_DENIED: 'not-found',
  REGISTRY_ERROR: 'system',
  REGISTRY_UNREACHABLE: 'system',
  BLOB_DIGEST_MISMATCH: 'system',
  INVALID_CONTEXT: 'invalid-argument',
  PATH_OUTSIDE_CONTEXT: 'invalid-argument',
  NO_DOCKERFILE: 'not-found',
  COPY_SOURCE_NOT_FOUND: 'not-found',
  NO_SUCH_BUILD_STAGE: 'not-found',
  BUILD_STEP_FAILED: 'system',
  ADD_DOWNLOAD_FAILED: 'system',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BerthError extends Error {
  readonly kind: ErrorKind;
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BerthError';
    this.code = code;
    this.kind = ERROR_CODES[code];
  }
}

/** Construct helpers, one per kind, so call sites stay short. */
export const notFound = (message: string, code: ErrorCode = 'NOT_FOUND', cause?: unknown) =>
  new BerthError(code, message, { cause });
export const invalidArgument = (message: string, code: ErrorCode = 'INVALID_PARAMETER', cause?: unknown) =>
  new BerthError(code, message, { cause });
export const conflict = (message: string, code: ErrorCode = 'CONFLICT', cause?: unknown) =>
  new BerthError(code, message, { cause });
export const notModified = (message: string, code: ErrorCode = 'ALREADY_STOPPED') =>
  new BerthError(code, message);
export const systemError = (message: string, cause?: unknown, code: ErrorCode = 'SYSTEM') =>
  new BerthError(code, message, { cause });
export const notImplemented = (message: string) => new BerthError('NOT_IMPLEMENTED', message);
export const unavailable = (message: string, cause?: unknown) => new BerthError('UNAVAILABLE', message, { cause });

/** Walk the `cause` chain and return the first BerthError, if any. */
export function findBerthError(err: unknown): BerthError | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 16; depth++) {
    if (cur instanceof BerthError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The kind of any thrown value: a BerthError's own kind, else 'system'. */
export function kindOf(err: unknown): ErrorKind {
  return findBerthError(err)?.kind ?? 'system';
}

export function isKind(err: unknown, kind: ErrorKind): boolean {
  return kindOf(err) === kind;
}
