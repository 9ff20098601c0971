/**
 * engine/container-archive — Docker's archive API on a container's
 * filesystem (engine/container-fs): stat a path (the
 * `X-Docker-Container-Path-Stat` header), tar a path out (entries named
 * after the requested base name, so `/dir/.` yields `./…` — docker cp's
 * "copy the contents" form), and extract a tar into a directory
 * (`noOverwriteDirNonDir`, `copyUIDGID`). Every path is resolved inside the
 * container (symlinks as container paths), files are opened with
 * O_NOFOLLOW, entries may not climb out of the extraction directory, and
 * read-only mounts or a read-only root refuse writes. An entry that cannot
 * be extracted is reported with container paths ("link /tmp/nosuch
 * /tmp/h: no such file or directory", as dockerd from its chroot), never
 * the host path of the container's root.
 */
import { lstat, mkdir, readdir, readlink, rm, symlink, link, lchown, lutimes, open, type FileHandle } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { BerthError, conflict, invalidArgument, notFound } from '../errdefs/errors.js';
import type { ContainerFs } from './container-fs.js';
import { tarWriter, type TarWriter, type TarHeader } from '../lib/tar-writer.js';
import { guard } from '../lib/stream-guard.js';
import { entryFailure } from '../lib/archive-entry-error.js';

/** The stat Docker sends base64-encoded in X-Docker-Container-Path-Stat. */
export interface PathStat { name: string; size: number; mode: number; mtime: string; linkTarget: string }

// Go's os.FileMode type bits (the docker CLI decodes `mode` with them)
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_DEVICE = 2 ** 26;
const GO_PIPE = 2 ** 25;
const GO_SOCKET = 2 ** 24;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_CHARDEV = 2 ** 21;
const GO_STICKY = 2 ** 20;

export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m += GO_SETUID;
  if (st.mode & 0o2000) m += GO_SETGID;
  if (st.mode & 0o1000) m += GO_STICKY;
  if (st.isDirectory()) m += GO_DIR;
  else if (st.isSymbolicLink()) m += GO_SYMLINK;
  else if (st.isFIFO()) m += GO_PIPE;
  else if (st.isSocket()) m += GO_SOCKET;
  else if (st.isCharacterDevice()) m += GO_DEVICE + GO_CHARDEV;
  else if (st.isBlockDevice()) m += GO_DEVICE;
  return m;
}

/** Docker's PreserveTrailingDotOrSeparator on an absolute, cleaned path. */
export function absPathOf(path: string): string {
  let abs = posix.normalize('/' + path);
  if (abs.length > 1) abs = abs.replace(/\/+$/, '');
  if ((path.endsWith('/.') || path === '.') && !abs.endsWith('/.')) abs = abs === '/' ? '/.' : abs + '/.';
  else if (path.endsWith('/') && abs !== '/') abs += '/';
  return abs;
}

function baseName(abs: string): string {
  if (abs.endsWith('/.')) return '.';
  const b = posix.basename(abs.replace(/\/+$/, ''));
  return b || '/';
}

function fileNotFound(path: string, container: string): BerthError {
  return notFound(`Could not find the file ${path} in container ${container}`);
}

interface Resolved { abs: string; resolved: string; host: string; st: Stats }

async function resolvePath(fs: ContainerFs, path: string, container: string): Promise<Resolved> {
  if (!path) throw invalidArgument('path cannot be empty');
  const abs = absPathOf(path);
  // a trailing "/" or "/." asks for the directory itself: follow a last link then
  const followLast = abs.endsWith('/') || abs.endsWith('/.');
  const resolved = await fs.resolve(abs, { followLast });
  const host = fs.hostPath(resolved);
  const st = await lstat(host).catch(() => undefined);
  if (!st) throw fileNotFound(path, container);
  if (followLast && !st.isDirectory()) throw invalidArgument(`not a directory: ${path}`);
  return { abs, resolved, host, st };
}

/** An error that means the entry changed while being copied (gone, now a link, no longer a directory or a link). */
function changedUnderUs(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ELOOP' || code === 'EINVAL' || code === 'ENOTDIR' || (err instanceof BerthError && err.code === 'PATH_MOVED');
}

/** HEAD: Docker's ContainerStatPath. */
export async function statPath(fs: ContainerFs, path: string, container: string): Promise<PathStat> {
  const r = await resolvePath(fs, path, container);
  let linkTarget = '';
  if (r.st.isSymbolicLink()) linkTarget = await fs.resolve(r.resolved, { followLast: true });
  return { name: baseName(r.abs), size: r.st.size, mode: goFileMode(r.st), mtime: r.st.mtime.toISOString(), linkTarget };
}

/** GET: stat plus a tar of the path; the tar is produced while the caller reads it. */
export async function archivePath(fs: ContainerFs, path: string, container: string): Promise<{ stat: PathStat; tar: Readable; done: Promise<void> }> {
  const stat = await statPath(fs, path, container);
  const r = await resolvePath(fs, path, container);
  const pack = tarWriter();
  // the root's entries are named "/", "/bin/", "/bin/sh"… as dockerd names them (the path's base, "/", rebased)
  // failures surface to the reader through the destroyed stream (pipeline rejects); a reader
  // going away destroys the archive, which fails the entry being written and ends the walk
  const done = (async () => {
    try {
      await packTree(fs, pack, r.resolved, stat.name === '/' ? '' : stat.name, r.st, fs.hostPath(r.resolved), new Map());
      pack.finalize();
    } catch (err) {
      // the path itself swapped (for a link, a file for a directory) after it was resolved: the
      // container's doing, a conflict — never followed, never a daemon fault
      pack.destroy(changedUnderUs(err) ? conflict(`${path} changed while it was being copied`, 'CONFLICT', err) : err as Error);
    }
  })();
  return { stat, tar: pack.stream, done };
}

function entry(pack: TarWriter, header: TarHeader, body?: Readable): Promise<void> {
  return pack.entry(header, body);
}

/**
 * The host path an open descriptor really refers to must lie under the
 * container root (or mount) that `ctrPath` belongs to. Paths are resolved
 * before they are opened; a container racing to swap a resolved directory
 * for a symlink is caught here, before anything is read or changed.
 */
async function assertInside(fs: ContainerFs, fd: number, ctrPath: string): Promise<void> {
  const root = await fs.realRootOf(ctrPath);
  const real = await readlink(`/proc/self/fd/${fd}`);
  if (real !== root && !real.startsWith(root.endsWith('/') ? root : `${root}/`)) {
    throw new BerthError('PATH_MOVED', `${ctrPath} moved out of the container while being copied`);
  }
}

/** How to reach a child of an open, verified directory: through its descriptor, unless a mount is attached there. */
function childAt(fs: ContainerFs, dirFd: number, ctrChild: string, name: string): string {
  return fs.isMountPoint(ctrChild) ? fs.hostPath(ctrChild) : `/proc/self/fd/${dirFd}/${name}`;
}

/** `links` maps dev:ino of files already archived to their entry name: later names become hard-link entries, as Docker's tar. */
async function packTree(fs: ContainerFs, pack: TarWriter, ctrPath: string, name: string, st: Stats, at: string, links: Map<string, string>): Promise<void> {
  const common = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
  if (st.isDirectory()) {
    const dir = await open(at, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
      await assertInside(fs, dir.fd, ctrPath);
      // directory entries end in "/" (moby's canonicalTarName): some readers go by the name, not the type
      await entry(pack, { ...common, name: `${name}/`, type: 'directory' });
      const names = (await readdir(`/proc/self/fd/${dir.fd}`)).sort();
      // the children's stats in one round trip (the entries still go out one by one, in order)
      const wheres = names.map((n) => childAt(fs, dir.fd, posix.join(ctrPath, n), n));
      const csts = await Promise.all(wheres.map((w) => lstat(w).catch(() => undefined)));
      for (const [i, n] of names.entries()) {
        const child = posix.join(ctrPath, n);
        const where = wheres[i];
        const cst = csts[i];
        if (!cst) continue;
        try {
          await packTree(fs, pack, child, `${name}/${n}`, cst, where, links);
        } catch (err) {
          // an entry the container removed or swapped (a file for a link, a directory for a
          // file) while we walked is left out, as tar does with files that vanish; the walk goes on
          if (!changedUnderUs(err)) throw err;
        }
      }
    } finally { await dir.close(); }
  } else if (st.isSymbolicLink()) {
    await entry(pack, { ...common, type: 'symlink', linkname: await readlink(at) });
  } else if (st.isFile()) {
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) { await entry(pack, { ...common, type: 'link', linkname: first }); return; }
      links.set(key, name);
    }
    const fh = await open(at, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      await assertInside(fs, fh.fd, ctrPath);
      if (st.size === 0) { await entry(pack, { ...common, type: 'file', size: 0 }); return; }
      await entry(pack, { ...common, type: 'file', size: st.size }, fh.createReadStream({ autoClose: false, start: 0, end: st.size - 1 }));
    } finally { await fh.close(); }
  } else if (st.isFIFO()) {
    await entry(pack, { ...common, type: 'fifo' });
  }
  // device nodes and sockets are not copied
}

export interface ExtractOptions {
  noOverwriteDirNonDir?: boolean;
  /** copyUIDGID: own everything by the container's user */
  owner?: { uid: number; gid: number };
}

/** Normalise an entry name relative to the extraction directory; refuse climbing out. */
function entryPath(name: string): string {
  const p = posix.normalize(name.replace(/^\/+/, ''));
  if (p === '..' || p.startsWith('../')) throw invalidArgument(`archive entry ${JSON.stringify(name)} is outside of the extraction point`);
  return p === '.' || p === './' ? '' : p.replace(/\/+$/, '');
}

/** PUT: extract a tar into the directory at `path`. */
export async function extractArchive(fs: ContainerFs, path: string, container: string, body: Readable, o: ExtractOptions = {}): Promise<void> {
  if (!path) throw invalidArgument('path cannot be empty');
  const dest = await fs.resolve(absPathOf(path), { followLast: true });
  const dst = await lstat(fs.hostPath(dest)).catch(() => undefined);
  if (!dst) throw fileNotFound(path, container);
  if (!dst.isDirectory()) throw invalidArgument('extraction point is not a directory');
  if (fs.readOnlyAt(dest)) throw new BerthError('FORBIDDEN', fs.mountOf(dest) ? 'mounted volume is marked read-only' : 'container rootfs is marked read-only');

  const extract = tar.extract();
  /**
   * Docker's Unpack creates the missing parent directories of an entry
   * (0755, owned by root or the copyUIDGID user): archives made by tools
   * that list only files (`sub/x.txt` without `sub/`) extract as with
   * dockerd. Each one is made through a descriptor of its verified parent.
   */
  const ensureParents = async (relDir: string, entryName: string): Promise<void> => {
    let cur = '';
    for (const part of relDir.split('/')) {
      cur = cur ? `${cur}/${part}` : part;
      // lstat, as Docker: anything there (a link too) is left alone; a non-directory fails below, as before
      const ctr = await fs.resolve(posix.join(dest, cur), { followLast: false });
      if (await lstat(fs.hostPath(ctr)).catch(() => undefined)) continue;
      if (fs.readOnlyAt(ctr)) throw new BerthError('FORBIDDEN', 'mounted volume is marked read-only');
      const parent = posix.dirname(ctr);
      const dir = await open(fs.hostPath(parent), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch(() => undefined);
      if (!dir) throw invalidArgument(`cannot extract ${entryName}: parent is not a directory`);
      try {
        await assertInside(fs, dir.fd, parent);
        const at = `/proc/self/fd/${dir.fd}/${posix.basename(ctr)}`;
        await mkdir(at);
        const fh = await open(at, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
        try {
          await assertInside(fs, fh.fd, ctr);
          await fh.chown(o.owner?.uid ?? 0, o.owner?.gid ?? 0);
          await fh.chmod(0o755);
        } finally { await fh.close(); }
      } finally { await dir.close(); }
    }
  };
  const handle = async (h: tar.Header, stream: Readable): Promise<void> => {
    const rel = entryPath(h.name);
    if (!rel) { stream.resume(); return; }
    if (posix.dirname(rel) !== '.') await ensureParents(posix.dirname(rel), h.name);
    const parent = await fs.resolve(posix.join(dest, posix.dirname(rel)), { followLast: true });
    const target = posix.join(parent, posix.basename(rel));
    if (fs.readOnlyAt(target)) throw new BerthError('FORBIDDEN', 'mounted volume is marked read-only');
    // Work through a descriptor of the verified parent directory, so a
    // component swapped for a link after resolving cannot redirect us.
    let dir: FileHandle | undefined;
    let at: string;
    if (fs.isMountPoint(target)) {
      at = fs.hostPath(target);
    } else {
      dir = await open(fs.hostPath(parent), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch(() => undefined);
      if (!dir) throw invalidArgument(`cannot extract ${h.name}: parent is not a directory`);
      at = `/proc/self/fd/${dir.fd}/${posix.basename(rel)}`;
    }
    try {
      if (dir) await assertInside(fs, dir.fd, parent);
      await place(h, stream, at, target);
    } finally {
      await dir?.close();
    }
  };
  const place = async (h: tar.Header, stream: Readable, at: string, target: string): Promise<void> => {
    const existing = await lstat(at).catch(() => undefined);
    const isDir = h.type === 'directory';
    if (existing) {
      if (o.noOverwriteDirNonDir && existing.isDirectory() && !isDir) throw invalidArgument(`cannot overwrite directory "${target}" with non-directory "${h.name}"`);
      if (o.noOverwriteDirNonDir && !existing.isDirectory() && isDir) throw invalidArgument(`cannot overwrite non-directory "${target}" with directory "${h.name}"`);
      if (!(existing.isDirectory() && isDir)) await rm(at, { recursive: true, force: true });
    }
    const uid = o.owner?.uid ?? h.uid ?? 0;
    const gid = o.owner?.gid ?? h.gid ?? 0;
    const mode = (h.mode ?? 0o644) & 0o7777;
    const mtime = h.mtime ?? new Date();
    const finish = async (fh: FileHandle) => {
      await assertInside(fs, fh.fd, target);
      await fh.chown(uid, gid);
      await fh.chmod(mode);
      await fh.utimes(mtime, mtime);
    };
    switch (h.type) {
      case 'directory': {
        if (!existing?.isDirectory()) await mkdir(at, { mode: 0o700 });
        const fh = await open(at, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
        try { await finish(fh); } finally { await fh.close(); }
        break;
      }
      case 'file':
      case 'contiguous-file': {
        const fh = await open(at, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          await assertInside(fs, fh.fd, target);
          for await (const chunk of stream) await fh.write(chunk as Buffer);
          await finish(fh);
        } finally { await fh.close(); }
        break;
      }
      case 'symlink':
        await symlink(h.linkname ?? '', at);
        await lchown(at, uid, gid);
        await lutimes(at, mtime, mtime).catch(() => {});
        break;
      case 'link': {
        const ltarget = await fs.resolve(posix.join(dest, entryPath(h.linkname ?? '')), { followLast: false });
        const src = await open(fs.hostPath(ltarget), constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          await assertInside(fs, src.fd, ltarget);
          await link(fs.hostPath(ltarget), at);
        } finally { await src.close(); }
        break;
      }
      default:
        break; // pax headers; devices and fifos are not created
    }
    stream.resume();
  };
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      guard(stream);
      handle(h, stream as unknown as Readable).then(() => next(), (err) => {
        (stream as unknown as Readable).resume();
        const inCtr = (name: string) => posix.join(dest, posix.normalize('/' + name));
        const hard = h.type === 'link';
        extract.destroy(entryFailure(err, { op: hard ? 'link' : undefined, paths: hard ? [inCtr(h.linkname ?? ''), inCtr(h.name)] : [inCtr(h.name)], prefix: 'invalid tar archive: ', code: 'INVALID_ARCHIVE' }));
      });
    });
    extract.on('finish', resolve);
    extract.on('error', (e) => { body.unpipe(extract as unknown as NodeJS.WritableStream); reject(e instanceof BerthError ? e : invalidArgument(`invalid tar archive: ${e.message}`, 'INVALID_ARCHIVE', e)); });
    body.on('error', (e) => { extract.destroy(e); reject(e); });
    body.pipe(extract as unknown as NodeJS.WritableStream);
  });
}

