/**
 * snapshots/layer-diff — a container's overlay upper tree → an OCI layer tar
 * (the "commit" half of a snapshot). overlayfs records deletions as 0:0
 * character devices and re-created directories with the
 * `trusted.overlay.opaque` xattr; the layer format wants `.wh.<name>` and
 * `.wh..wh..opq` entries instead, which is what this module writes.
 *
 * The tar is reproducible: entries sorted byte-wise, every timestamp set to
 * the given `mtime`, numeric owners only (no user/group names), hard links
 * written as link entries to the first path seen. The same tree always gives
 * the same bytes, so the same diff ID.
 *
 * Also derives Docker's `/changes` list (A/C/D) from the same scan.
 * May import: lib, errdefs, snapshots/mounter.
 */
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { tarWriter, type TarHeader } from '../lib/tar-writer.js';
import { listOpaqueDirs } from './mounter.js';

export type UpperEntryKind = 'whiteout' | 'dir' | 'file' | 'symlink' | 'device' | 'fifo';

export interface UpperEntry {
  /** Path relative to the tree root, no leading slash (`usr/src/app`). */
  rel: string;
  kind: UpperEntryKind;
  stat: Stats;
  /** A directory re-created over a deleted one (its lower content is hidden). */
  opaque?: boolean;
}

export interface ScanOptions {
  /** Leave an entry (and, for a directory, everything below it) out of the diff. */
  exclude?: (rel: string, stat: Stats) => boolean;
  /** Look for opaque directories (upper trees); false for a merged view (export). */
  opaque?: boolean;
  /** Paths to list but not descend into (mount points inside a merged view). */
  noDescend?: ReadonlySet<string>;
}

const isWhiteoutDevice = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

/** Walk an upper tree depth-first in byte order of names. */
export async function scanUpper(root: string, opts: ScanOptions = {}): Promise<UpperEntry[]> {
  const opaque = new Set(opts.opaque === false ? [] : await listOpaqueDirs(root));
  // A directory's entries are stat'ed together and its subdirectories walked together (the
  // order of the result stays depth-first by name): one round trip per level, not per file —
  // on a busy daemon each await waits its turn on the event loop.
  const walk = async (relDir: string): Promise<UpperEntry[]> => {
    const names = (await readdir(join(root, relDir))).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const stats = await Promise.all(names.map((name) => lstat(join(root, relDir ? `${relDir}/${name}` : name))));
    const levels = await Promise.all(names.map(async (name, i): Promise<UpperEntry[]> => {
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = stats[i];
      if (opts.exclude?.(rel, st)) return [];
      let kind: UpperEntryKind;
      if (isWhiteoutDevice(st)) kind = 'whiteout';
      else if (st.isDirectory()) kind = 'dir';
      else if (st.isFile()) kind = 'file';
      else if (st.isSymbolicLink()) kind = 'symlink';
      else if (st.isCharacterDevice() || st.isBlockDevice()) kind = 'device';
      else if (st.isFIFO()) kind = 'fifo';
      else return []; // sockets are not part of images
      const e: UpperEntry = { rel, kind, stat: st };
      if (kind === 'dir' && opaque.has(rel)) e.opaque = true;
      return kind === 'dir' && !opts.noDescend?.has(rel) ? [e, ...(await walk(rel))] : [e];
    }));
    return levels.flat();
  };
  return walk('');
}

const major = (rdev: number) => (rdev >> 8) & 0xfff;
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >> 12) & 0xfff00);

/**
 * Pack scanned entries of `root` as a layer tar; every timestamp is `mtime`
 * when given (reproducible layers), else each file's own. Errors (a file
 * vanishing mid-pack) destroy the returned stream.
 */
export function packUpper(root: string, entries: UpperEntry[], mtime?: Date): Readable {
  const p = tarWriter();
  const seen = new Map<string, string>();
  const base = (e: UpperEntry): TarHeader => ({
    name: e.rel,
    mode: e.stat.mode & 0o7777,
    uid: e.stat.uid,
    gid: e.stat.gid,
    mtime: mtime ?? e.stat.mtime,
  });
  const put = (h: TarHeader, body?: Buffer) => p.entry(h, body);
  let realRoot: Promise<string> | undefined;
  const insideRoot = async (fd: number) => {
    const r = await (realRoot ??= realpath(root));
    const at = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    return at.startsWith(r.endsWith('/') ? r : `${r}/`);
  };
  void (async () => {
    for (const e of entries) {
      const slash = e.rel.lastIndexOf('/');
      const dir = slash >= 0 ? e.rel.slice(0, slash + 1) : '';
      const name = e.rel.slice(slash + 1);
      switch (e.kind) {
        case 'whiteout':
          await put({ name: `${dir}.wh.${name}`, mode: 0o644, uid: 0, gid: 0, mtime: mtime ?? e.stat.mtime, type: 'file', size: 0 });
          break;
        case 'dir':
          await put({ ...base(e), name: `${e.rel}/`, type: 'directory' });
          if (e.opaque) await put({ name: `${e.rel}/.wh..wh..opq`, mode: 0o644, uid: 0, gid: 0, mtime: mtime ?? e.stat.mtime, type: 'file', size: 0 });
          break;
        case 'symlink': {
          // an entry gone or changed since the scan (a running container's export) is left out, as tar does
          const linkname = await readlink(join(root, e.rel)).catch((err: NodeJS.ErrnoException) => { if (vanished(err)) return undefined; throw err; });
          if (linkname !== undefined) await put({ ...base(e), type: 'symlink', linkname });
          break;
        }
        case 'device':
          await put({ ...base(e), type: e.stat.isBlockDevice() ? 'block-device' : 'character-device', devmajor: major(e.stat.rdev), devminor: minor(e.stat.rdev) });
          break;
        case 'fifo':
          await put({ ...base(e), type: 'fifo' });
          break;
        case 'file': {
          const key = `${e.stat.dev}:${e.stat.ino}`;
          const first = e.stat.nlink > 1 ? seen.get(key) : undefined;
          if (first) { await put({ ...base(e), type: 'link', linkname: first }); break; }
          if (e.stat.nlink > 1) seen.set(key, e.rel);
          // O_NOFOLLOW, and the descriptor must really lie under the root: a running container
          // swapping the file (or a directory above it) for a link must not make us read a host file
          const fh = await open(join(root, e.rel), constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: NodeJS.ErrnoException) => { if (vanished(err)) return undefined; throw err; });
          if (!fh) break;
          if (!(await insideRoot(fh.fd))) { await fh.close(); break; }
          // the size as it is now: the header must match the bytes that follow
          const size = (await fh.stat()).size;
          await p.entry({ ...base(e), type: 'file', size }, size ? fh.createReadStream({ start: 0, end: size - 1 }) : undefined).finally(() => fh.close().catch(() => {}));
          break;
        }
      }
    }
    p.finalize();
  })().catch((err: Error) => p.destroy(err));
  return p.stream;
}

/** The file was removed or replaced (by a running container) between the scan and the read. */
function vanished(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ENOENT' || err.code === 'EINVAL' || err.code === 'ENOTDIR' || err.code === 'ELOOP';
}

export interface Change {
  /** Container path with a leading slash. */
  Path: string;
  /** 0 modified, 1 added, 2 deleted (Docker's ChangeType). */
  Kind: 0 | 1 | 2;
}

/**
 * Docker's `GET /containers/{id}/changes` from an upper-tree scan.
 * `inLower(rel)` tells whether a path exists in the image below.
 */
export async function changesFromEntries(entries: UpperEntry[], inLower: (rel: string) => Promise<boolean>): Promise<Change[]> {
  const out: Change[] = [];
  for (const e of entries) {
    if (e.kind === 'whiteout') { out.push({ Path: `/${e.rel}`, Kind: 2 }); continue; }
    out.push({ Path: `/${e.rel}`, Kind: (await inLower(e.rel)) ? 0 : 1 });
  }
  return out;
}

/** Paths runc creates as mount points in a container's rootfs (Docker keeps them in its init layer). */
const RUNTIME_DIRS = new Set(['proc', 'sys', 'dev']);
const RUNTIME_FILES = new Set(['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv']);

/** An upper-tree entry that only exists because the runtime mounted something there. */
export function isRuntimePlaceholder(rel: string, st: Stats): boolean {
  return (RUNTIME_DIRS.has(rel) && st.isDirectory()) || (RUNTIME_FILES.has(rel) && st.isFile() && st.size === 0);
}

/** stat of a path in the image below (layer trees, topmost first); a whiteout means absent. */
export function lowerStatIn(layerDirsTopFirst: string[]): (rel: string) => Promise<Stats | undefined> {
  return async (rel) => {
    for (const l of layerDirsTopFirst) {
      const st = await lstat(join(l, rel)).catch(() => undefined);
      if (st) return st.isCharacterDevice() && st.rdev === 0 ? undefined : st;
    }
    return undefined;
  };
}

/**
 * Drop directories that are in the upper tree only because something below
 * them was touched and then left out (same mode and owner as below, not
 * opaque, nothing kept inside).
 */
export async function dropCopiedUpDirs(entries: UpperEntry[], lowerStat: (rel: string) => Promise<Stats | undefined>): Promise<UpperEntry[]> {
  const keep = new Array<boolean>(entries.length).fill(true);
  const hasKeptChild = new Set<string>();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.kind === 'dir' && !e.opaque && !hasKeptChild.has(e.rel)) {
      const low = await lowerStat(e.rel);
      if (low && low.isDirectory() && (low.mode & 0o7777) === (e.stat.mode & 0o7777) && low.uid === e.stat.uid && low.gid === e.stat.gid) {
        keep[i] = false;
        continue;
      }
    }
    let p = e.rel;
    for (let s = p.lastIndexOf('/'); s > 0; s = p.lastIndexOf('/')) {
      p = p.slice(0, s);
      if (hasKeptChild.has(p)) break;
      hasKeptChild.add(p);
    }
  }
  return entries.filter((_, i) => keep[i]);
}
