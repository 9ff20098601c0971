/**
 * lib/archive-entry-error — what a client is told when one entry of a tar it
 * sent cannot be extracted (layers of load/import/pull, `docker cp` into a
 * container, build contexts, ADDed archives).
 *
 * Node's fs errors carry the host paths they touched ("ENOENT: no such
 * file or directory, link '/var/lib/berth/snapshots/tmp/…/nosuch' ->
 * '…/h'"), and the programs berth runs name them in their command line.
 * Neither may reach the client. dockerd extracts inside a chroot, so its
 * errors name paths as the archive (or the container) sees them: "link
 * /nosuch /h: no such file or directory". This builds that message from
 * the entry names the extractor passes in and Go's errno text; the
 * original error stays as `cause` (for the daemon's log), never in the
 * message.
 *
 * May import: errdefs.
 */
import { posix } from 'node:path';
import { BerthError, findBerthError, type ErrorCode } from '../errdefs/errors.js';

/** Go's syscall.Errno strings for the errors extraction meets. */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EPERM: 'operation not permitted',
  EACCES: 'permission denied',
  EEXIST: 'file exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOTEMPTY: 'directory not empty',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EMLINK: 'too many links',
  EXDEV: 'invalid cross-device link',
  EINVAL: 'invalid argument',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in system',
  ENOMEM: 'cannot allocate memory',
};

/** Failures of the host rather than of the archive: a 500, not a 400. */
const HOST_FAULTS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'ENOMEM']);

/** Kinds of BerthError an extractor raises about the archive itself, worded with entry names already. */
const ARCHIVE_KINDS = new Set(['invalid-argument', 'forbidden', 'not-found']);

export interface EntryFailure {
  /** what was being done, as Go's PathError/LinkError `Op` ("link", "open", "mkdir"…); default: the failed syscall */
  op?: string;
  /** the paths involved, as the archive (or container) names them: [entry] or [link target, entry] */
  paths: string[];
  /** message prefix naming the archive ("invalid layer archive: ") */
  prefix: string;
  code: ErrorCode;
}

/**
 * The client-facing error for a failed entry. BerthErrors about the archive
 * (invalid-argument, forbidden, not-found) pass unchanged: they name entries
 * already. Anything else — fs errors, a helper program's failure, a system
 * BerthError quoting host paths — becomes "<op> <paths>: <errno text>".
 */
export function entryFailure(err: unknown, f: EntryFailure): BerthError {
  const be = findBerthError(err);
  if (be && ARCHIVE_KINDS.has(be.kind)) return be;
  const errno = (err as { code?: unknown }).code;
  const code = typeof errno === 'string' && /^E[A-Z]+$/.test(errno) ? errno : undefined;
  const syscall = (err as { syscall?: unknown }).syscall;
  const op = f.op ?? (typeof syscall === 'string' ? syscall : 'extract');
  const text = code ? ERRNO_TEXT[code] ?? code.toLowerCase() : 'failed';
  const what = `${op} ${f.paths.map(asAbsolute).join(' ')}: ${text}`;
  // the host's fault (a full disk): a 500, and not the archive's to blame
  if (code && HOST_FAULTS.has(code)) return new BerthError('SYSTEM', what, { cause: err });
  return new BerthError(f.code, `${f.prefix}${what}`, { cause: err });
}

/** Entry names as dockerd prints them from inside its chroot: absolute, cleaned (`..` cannot climb above `/`). */
function asAbsolute(p: string): string {
  const clean = posix.normalize(`/${p}`);
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}
