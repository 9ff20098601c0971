/**
 * snapshots/apply-layer — unpack one layer tar (uncompressed) into an empty
 * directory in overlayfs form: `.wh.<name>` whiteouts become 0:0 character
 * devices, `.wh..wh..opq` becomes the `trusted.overlay.opaque` xattr.
 *
 * Safety: every entry path is normalised and must stay inside the target;
 * parent components must be real directories (never symlinks), so a layer
 * cannot write through a link it planted earlier; hard links must point
 * inside the target. Owners, modes and mtimes are preserved.
 *
 * Errors name entries as the layer sees them ("link /nosuch /h: no such
 * file or directory", lib/archive-entry-error), never the snapshot
 * directory they were being written to.
 */
import { mkdir, symlink, link, lchown, chmod, lutimes, utimes, lstat, rm, open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { BerthError, invalidArgument } from '../errdefs/errors.js';
import { mknod, setOpaque } from './mounter.js';
import { guard } from '../lib/stream-guard.js';
import { entryFailure } from '../lib/archive-entry-error.js';

const WH_PREFIX = '.wh.';
const WH_OPAQUE = '.wh..wh..opq';

/** Normalise a tar entry name to a clean relative path, or throw. */
export function cleanEntryPath(name: string): string {
  const p = posix.normalize(name.replace(/^\/+/, '') || '.').replace(/\/+$/, '').replace(/^\.$/, '');
  if (p.split('/').includes('..')) throw invalidArgument(`layer entry escapes the root: ${name}`, 'INVALID_ARCHIVE');
  return p;
}

const LAYER_PREFIX = 'invalid layer archive: ';

/** An entry's failure in the layer's own terms: a hard link names its target too, as Go's LinkError. */
function failure(err: unknown, h: tar.Header): Error {
  const hard = h.type === 'link';
  return entryFailure(err, {
    op: hard || h.type === 'symlink' ? h.type : h.type === 'character-device' || h.type === 'block-device' || h.type === 'fifo' ? 'mknod' : undefined,
    paths: hard ? [h.linkname ?? '', h.name] : [h.name],
    prefix: LAYER_PREFIX,
    code: 'INVALID_ARCHIVE',
  });
}

export interface ApplyResult {
  /** Bytes of regular file content written. */
  size: number;
}

export async function applyLayer(root: string, tarStream: Readable): Promise<ApplyResult> {
  const extract = tar.extract();
  const safeDirs = new Set<string>(['']);
  const dirTimes: { rel: string; mtime: Date }[] = [];
  let size = 0;

  /**
   * Every directory above `rel` must be a real directory of this layer (never
   * a symlink): for an entry's own path (`make`: missing ones are created,
   * verified ones remembered) and for a hard link's target (`hs -> /host`
   * then a link to `hs/file` would hard-link a host file into the image).
   */
  async function realParents(rel: string, o: { make: boolean }): Promise<void> {
    const parts = rel.split('/');
    parts.pop();
    let cur = '';
    for (const part of parts) {
      cur = cur ? `${cur}/${part}` : part;
      if (o.make && safeDirs.has(cur)) continue;
      const abs = join(root, cur);
      const st = await lstat(abs).catch(() => undefined);
      if (!st && o.make) await mkdir(abs, { mode: 0o755 });
      else if (!st?.isDirectory()) throw invalidArgument(`layer entry ${rel}: ${o.make ? 'parent ' : ''}${cur} is not a directory${o.make ? '' : ' in this layer'}`, 'INVALID_ARCHIVE');
      if (o.make) safeDirs.add(cur);
    }
  }
  const ensureParent = (rel: string) => realParents(rel, { make: true });

  async function handle(header: tar.Header, body: Readable): Promise<void> {
    const rel = cleanEntryPath(header.name);
    if (rel === '') { body.resume(); return; }
    await ensureParent(rel);
    const abs = join(root, rel);
    const base = posix.basename(rel);
    const dir = posix.dirname(rel);
    const uid = header.uid ?? 0;
    const gid = header.gid ?? 0;
    const mode = (header.mode ?? 0o644) & 0o7777;
    const mtime = header.mtime ?? new Date(0);

    if (base === WH_OPAQUE) {
      body.resume();
      await setOpaque(join(root, dir === '.' ? '' : dir));
      return;
    }
    if (base.startsWith(WH_PREFIX)) {
      body.resume();
      const victim = base.slice(WH_PREFIX.length);
      if (!victim || victim === '.' || victim === '..' || victim.includes('/')) throw invalidArgument(`invalid whiteout name: ${header.name}`, 'INVALID_ARCHIVE');
      const target = join(root, dir === '.' ? '' : dir, victim);
      await rm(target, { recursive: true, force: true });
      await mknod(target, 'c', 0, 0, 0);
      return;
    }
    // A later entry replaces an earlier one of the same name (except dir over dir).
    let existing;
    try { existing = await lstat(abs); } catch { existing = undefined; }
    if (existing && !(existing.isDirectory() && header.type === 'directory')) {
      await rm(abs, { recursive: true, force: true });
      safeDirs.delete(rel);
    }

    switch (header.type) {
      case 'directory':
        body.resume();
        if (!existing || !existing.isDirectory()) await mkdir(abs, { mode });
        await lchown(abs, uid, gid);
        await chmod(abs, mode);
        safeDirs.add(rel);
        dirTimes.push({ rel, mtime });
        return;
      case 'file':
      case 'contiguous-file': {
        const fh = await open(abs, 'w', mode);
        try {
          for await (const chunk of body) {
            await fh.write(chunk as Buffer);
            size += (chunk as Buffer).length;
          }
        } finally {
          await fh.close();
        }
        await lchown(abs, uid, gid);
        await chmod(abs, mode);
        await utimes(abs, mtime, mtime);
        return;
      }
      case 'symlink':
        body.resume();
        await symlink(header.linkname ?? '', abs);
        await lchown(abs, uid, gid);
        await lutimes(abs, mtime, mtime);
        return;
      case 'link': {
        body.resume();
        const target = cleanEntryPath(header.linkname ?? '');
        // the target is a path in this layer: no component of it may be a symlink (`hs -> /host`
        // then `hs/file` would hard-link a host file into the image)
        await realParents(target, { make: false });
        await link(join(root, target), abs);
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        body.resume();
        await mknod(abs, header.type === 'fifo' ? 'p' : header.type === 'block-device' ? 'b' : 'c', header.devmajor ?? 0, header.devminor ?? 0, mode);
        await lchown(abs, uid, gid);
        return;
      default:
        // pax headers and other metadata-only entries carry no file
        body.resume();
    }
  }

  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      guard(body);
      handle(header, body as unknown as Readable).then(() => next(), (err) => { body.resume(); extract.destroy(failure(err, header)); });
    });
    extract.on('finish', resolve);
    extract.on('error', (e) => reject(e instanceof BerthError ? e : invalidArgument(`invalid layer archive: ${e.message}`, 'INVALID_ARCHIVE', e)));
    tarStream.on('error', (e) => { extract.destroy(e); reject(e instanceof BerthError ? e : invalidArgument(`invalid layer archive: ${e.message}`, 'INVALID_ARCHIVE', e)); });
    tarStream.pipe(extract as unknown as NodeJS.WritableStream);
  });
  // Directory mtimes last: writing children changes them.
  for (const d of dirTimes.reverse()) {
    try { await utimes(join(root, d.rel), d.mtime, d.mtime); } catch (err) { throw entryFailure(err, { op: 'utimes', paths: [d.rel], prefix: LAYER_PREFIX, code: 'INVALID_ARCHIVE' }); }
  }
  return { size };
}
