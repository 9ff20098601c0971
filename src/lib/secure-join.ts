/**
 * lib/secure-join — resolve a path inside a root directory the way the
 * container would see it: symlinks are followed, but always relative to the
 * root, so no link (absolute, `..` chains) can lead outside it. Used before
 * the daemon reads or creates anything inside a container's filesystem.
 */
import { lstat, readlink, mkdir, lchown } from 'node:fs/promises';
import { posix, join } from 'node:path';
import { invalidArgument } from '../errdefs/errors.js';

const MAX_LINKS = 255;

/** The host path for `unsafePath` inside `root` (which need not exist past its existing prefix). */
export async function secureJoin(root: string, unsafePath: string): Promise<string> {
  let pending = posix.normalize('/' + unsafePath).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') { resolved.pop(); continue; }
    const host = join(root, ...resolved, part);
    let st;
    try { st = await lstat(host); } catch { st = undefined; }
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links: ${unsafePath}`);
      const target = await readlink(host);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

/** mkdir -p inside a root, never following links out of it. */
export async function secureMkdirAll(root: string, unsafePath: string, mode = 0o755, owner?: { uid: number; gid: number }): Promise<string> {
  const parts = posix.normalize('/' + unsafePath).split('/').filter(Boolean);
  let cur = '/';
  let host = root;
  for (const p of parts) {
    cur = posix.join(cur, p);
    host = await secureJoin(root, cur);
    let st;
    try { st = await lstat(host); } catch { st = undefined; }
    if (!st) {
      await mkdir(host, { mode });
      if (owner) await lchown(host, owner.uid, owner.gid);
    } else if (!st.isDirectory()) {
      throw invalidArgument(`cannot create directory ${unsafePath}: ${cur} is not a directory`);
    }
  }
  return host;
}
