/**
 * lib/copy-tree — copy a directory tree keeping what a container cares
 * about: modes (incl. setuid/sticky), owners, timestamps, symlinks as links
 * (never followed), hard links within the tree as hard links. Used for
 * Docker's volume copy-up (image content into an empty volume). Device
 * nodes and sockets are skipped (the caller logs the count).
 */
import { readdir, lstat, mkdir, copyFile, symlink, readlink, link, lchown, chmod, lutimes, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { constants } from 'node:fs';

export interface CopyTreeResult { files: number; skipped: number }

/** Copy the *contents* of `src` into the existing directory `dst` (and give `dst` src's mode, owner and times). */
export async function copyTreeContents(src: string, dst: string): Promise<CopyTreeResult> {
  const res: CopyTreeResult = { files: 0, skipped: 0 };
  const links = new Map<string, string>();
  const dirTimes: { path: string; atime: Date; mtime: Date }[] = [];
  const walk = async (s: string, d: string): Promise<void> => {
    for (const name of await readdir(s)) {
      const sp = join(s, name);
      const dp = join(d, name);
      const st = await lstat(sp);
      if (st.isDirectory()) {
        await mkdir(dp, { mode: 0o700 });
        await walk(sp, dp);
        await lchown(dp, st.uid, st.gid);
        await chmod(dp, st.mode & 0o7777);
        dirTimes.push({ path: dp, atime: st.atime, mtime: st.mtime });
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1 && !st.isDirectory() && links.has(key)) { await link(links.get(key)!, dp); continue; }
      if (st.isSymbolicLink()) {
        await symlink(await readlink(sp), dp);
        await lchown(dp, st.uid, st.gid);
        await lutimes(dp, st.atime, st.mtime).catch(() => {});
      } else if (st.isFile()) {
        await copyFile(sp, dp, constants.COPYFILE_EXCL);
        await lchown(dp, st.uid, st.gid);
        await chmod(dp, st.mode & 0o7777);
        await utimes(dp, st.atime, st.mtime);
      } else {
        res.skipped++;
        continue;
      }
      if (st.nlink > 1) links.set(key, dp);
      res.files++;
    }
  };
  await walk(src, dst);
  const top = await lstat(src);
  await lchown(dst, top.uid, top.gid);
  await chmod(dst, top.mode & 0o7777);
  for (const t of dirTimes.reverse()) await utimes(t.path, t.atime, t.mtime);
  return res;
}

