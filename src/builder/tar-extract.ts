/**
 * builder/tar-extract — unpack a tar (plain or gzip) into a directory for the
 * builder: the build context sent to `POST /build`, and local archives that
 * ADD auto-extracts. Names are cleaned as dockerd's chrooted untar sees
 * them (`../foo` → `foo`, `x/../b` → `b`, `./a` → `a`), and every entry is
 * placed with secureJoin, so no `..` chain or symlink in the archive can
 * write outside the root. Owners are set only
 * when `owner` is given (ADD --chown); otherwise the archive's are kept for
 * ADD and ignored for contexts (COPY sets its own). An entry that cannot be
 * placed is reported by its names in the archive ("link /nosuch /h: no
 * such file or directory"), never by the host directory it went to.
 * May import: lib, errdefs.
 */
import { mkdir, writeFile, symlink, link, rm, lchown, chmod, lstat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { BerthError, invalidArgument } from '../errdefs/errors.js';
import { secureJoin, secureMkdirAll } from '../lib/secure-join.js';
import { guard, isConnectionError } from '../lib/stream-guard.js';
import { entryFailure } from '../lib/archive-entry-error.js';

export interface ExtractOptions {
  /** chown every entry (ADD --chown) */
  owner?: { uid: number; gid: number };
  /** keep the archive's uid/gid (ADD without --chown) */
  keepOwners?: boolean;
  /** What to call the archive in errors. */
  what?: string;
}

/** Peek the first bytes: gzip magic → gunzip; otherwise plain. */
export async function maybeGunzip(src: Readable): Promise<Readable> {
  const out = new PassThrough();
  let decided = false;
  return new Promise((resolve, reject) => {
    src.once('error', reject);
    src.once('readable', () => {
      if (decided) return;
      decided = true;
      const head = src.read(2) as Buffer | null;
      if (head) src.unshift(head);
      const gz = !!head && head[0] === 0x1f && head[1] === 0x8b;
      if (gz) {
        const g = createGunzip();
        src.on('error', (e) => g.destroy(e));
        resolve(src.pipe(g));
      } else {
        src.on('error', (e) => out.destroy(e));
        resolve(src.pipe(out));
      }
    });
  });
}

/** Extract `source` under `root`. Returns the number of entries written. */
export async function extractTar(source: Readable, root: string, opts: ExtractOptions = {}): Promise<number> {
  const ex = tar.extract();
  let count = 0;
  const what = opts.what ?? 'archive';
  ex.on('entry', (header, stream, next) => {
    guard(stream);
    void (async () => {
      // cleaned as under a chroot at the root, as dockerd's chrooted untar does: "../foo" is "foo", "x/../b" is "b"
      const clean = posix.normalize('/' + header.name).slice(1).replace(/\/$/, '');
      if (!clean) { stream.resume(); return; }
      const target = await secureJoin(root, clean);
      await secureMkdirAll(root, posix.dirname('/' + clean), 0o755);
      const mode = (header.mode ?? 0o644) & 0o7777;
      const existing = await lstat(target).catch(() => undefined);
      switch (header.type) {
        case 'directory':
          if (existing && !existing.isDirectory()) await rm(target, { recursive: true, force: true });
          if (!existing || !existing.isDirectory()) await mkdir(target, { mode });
          await chmod(target, mode);
          break;
        case 'file':
        case 'contiguous-file':
          if (existing) await rm(target, { recursive: true, force: true });
          await pipeline(stream, createWriteStream(target, { mode }));
          await chmod(target, mode);
          break;
        case 'symlink':
          if (existing) await rm(target, { recursive: true, force: true });
          await symlink(header.linkname ?? '', target);
          break;
        case 'link': {
          const from = await secureJoin(root, posix.normalize('/' + (header.linkname ?? '')).slice(1));
          if (existing) await rm(target, { recursive: true, force: true });
          await link(from, target);
          break;
        }
        default:
          // devices, fifos: not meaningful in a build context or an ADDed archive
          break;
      }
      if (header.type !== 'link' && (header.type === 'directory' || header.type === 'file' || header.type === 'contiguous-file' || header.type === 'symlink')) {
        const o = opts.owner ?? (opts.keepOwners ? { uid: header.uid ?? 0, gid: header.gid ?? 0 } : undefined);
        if (o) await lchown(target, o.uid, o.gid);
      }
      count++;
      stream.resume();
    })().then(() => next(), (err: Error) => {
      stream.resume();
      const hard = header.type === 'link';
      ex.destroy(entryFailure(err, { op: hard ? 'link' : undefined, paths: hard ? [header.linkname ?? '', header.name] : [header.name], prefix: `invalid ${what}: `, code: 'INVALID_CONTEXT' }));
    });
  });
  try {
    await pipeline(await maybeGunzip(source), ex);
  } catch (err) {
    // a truncated or corrupt archive is the client's input, not a daemon fault (and never a host path)
    if (err instanceof BerthError || isConnectionError(err)) throw err;
    throw invalidArgument(`invalid ${what}: ${(err as Error).message}`, 'INVALID_CONTEXT', err);
  }
  return count;
}

/** Write a small file (COPY <<EOF) with parents, inside root. */
export async function writeInRoot(root: string, path: string, content: string, mode = 0o644): Promise<string> {
  await secureMkdirAll(root, posix.dirname(path), 0o755);
  const target = await secureJoin(root, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content, { mode });
  await chmod(target, mode);
  return target;
}
