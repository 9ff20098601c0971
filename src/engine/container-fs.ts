/**
 * engine/container-fs — a container's filesystem as the container sees it,
 * from the host: the root filesystem plus its bind and volume mounts, with
 * every path resolved the way the container would resolve it. Symlinks are
 * followed component by component *as container paths* (an absolute link
 * restarts at the container's root, `..` stops at it), so no link — `/`,
 * `../../..` chains, absolute targets — can lead to a host path outside the
 * container's root and mounts. tmpfs mounts live only in the container's
 * mount namespace and are not visible here (as with Docker's archive API).
 *
 * Vocabulary: a *container path* is absolute inside the container; its
 * *host path* is where the daemon reads or writes it.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { conflict, invalidArgument } from '../errdefs/errors.js';

const MAX_LINKS = 255;

export interface FsMount {
  /** clean container path */
  destination: string;
  /** host directory (or file) mounted there */
  source: string;
  readOnly: boolean;
}

export class ContainerFs {
  private readonly mounts: FsMount[];

  constructor(readonly rootfs: string, mounts: FsMount[], readonly readOnlyRoot = false) {
    // longest destination first: the deepest mount covering a path wins
    this.mounts = [...mounts].sort((a, b) => b.destination.length - a.destination.length);
  }

  /** The mount covering a clean container path, if any. */
  mountOf(ctrPath: string): FsMount | undefined {
    return this.mounts.find((m) => ctrPath === m.destination || ctrPath.startsWith(m.destination === '/' ? '/' : m.destination + '/'));
  }

  /** Host path of a clean, symlink-free container path. */
  hostPath(ctrPath: string): string {
    const m = this.mountOf(ctrPath);
    if (!m) return join(this.rootfs, ctrPath);
    return join(m.source, ctrPath.slice(m.destination.length));
  }

  /** Is this container path exactly where a mount is attached? */
  isMountPoint(ctrPath: string): boolean {
    return this.mounts.some((m) => m.destination === ctrPath);
  }

  /** The host directory a container path lives under: its mount's source, or the rootfs. */
  hostRootOf(ctrPath: string): string {
    return this.mountOf(ctrPath)?.source ?? this.rootfs;
  }

  private readonly realRoots = new Map<string, Promise<string>>();

  /** The canonical host path of that root (what /proc/self/fd links show). */
  realRootOf(ctrPath: string): Promise<string> {
    const root = this.hostRootOf(ctrPath);
    let p = this.realRoots.get(root);
    if (!p) this.realRoots.set(root, (p = realpath(root)));
    return p;
  }

  /** Is a write to this (resolved) container path refused by a read-only mount or root? */
  readOnlyAt(ctrPath: string): boolean {
    const m = this.mountOf(ctrPath);
    return m ? m.readOnly : this.readOnlyRoot;
  }

  /**
   * Resolve a container path to a clean container path with no symlinks in
   * it — except the last component when `followLast` is false (Docker's
   * archive API leaves it unresolved, so a link is copied as a link).
   */
  async resolve(path: string, opts: { followLast: boolean }): Promise<string> {
    let pending = path.split('/').filter((p) => p !== '' && p !== '.');
    let cur = '/';
    let links = 0;
    while (pending.length) {
      const part = pending.shift()!;
      if (part === '..') { cur = posix.dirname(cur); continue; }
      const next = posix.join(cur, part);
      const last = pending.length === 0;
      if (last && !opts.followLast) { cur = next; break; }
      const target = await this.linkTarget(next, path);
      if (target !== undefined) {
        if (++links > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links: ${path}`);
        if (target.startsWith('/')) cur = '/';
        pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
        continue;
      }
      cur = next;
    }
    return cur;
  }

  /**
   * The target if the container path is a symlink now, else undefined. The
   * container may be swapping it (a directory for a link and back) while we
   * look: the link read after the lstat can be gone or no link any more, so
   * look again; a path that will not hold still is a conflict, never a 500.
   */
  private async linkTarget(ctrPath: string, asked: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const st = await lstat(this.hostPath(ctrPath)).catch(() => undefined);
      if (!st?.isSymbolicLink()) return undefined;
      try {
        return await readlink(this.hostPath(ctrPath));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'EINVAL') throw err;
      }
    }
    throw conflict(`${asked} changed while it was being resolved`);
  }
}
