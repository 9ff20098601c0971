/**
 * engine/init-layer — what Docker's init layer (moby daemon/initlayer) gives
 * every container from create on, between its image and its rw layer: the
 * runtime's mount points and the files berthd binds over at start, so a
 * created (never started) container already has /etc/resolv.conf,
 * /etc/hosts, /etc/hostname and /.dockerenv (empty, mode 0755), /dev/console,
 * /etc/mtab → /proc/mounts, and /dev/pts, /dev/shm, /proc, /sys.
 *
 * dockerd makes it by working on the image's merged view: each file is
 * unlinked and made again (so the image's own /etc/hosts is hidden), each
 * directory made only where the image has none, missing parents made 0755.
 * Here the tree is written directly, with the image read through
 * `lowerStat` (the topmost layer holding a path): a parent directory the
 * image has is made with its mode and owner, as overlayfs copies it up.
 * Being a layer below the rw layer, none of this shows in `diff` or a
 * commit; `export` and the archive API see it.
 *
 * May import: lib (nothing else: the tree is plain files).
 */
import { chown, lchown, mkdir, symlink, writeFile, lstat, chmod } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, posix } from 'node:path';

type Entry = { path: string; kind: 'dir' } | { path: string; kind: 'file' } | { path: string; kind: 'link'; target: string };

/** moby's initlayer.Setup table. */
export const INIT_ENTRIES: readonly Entry[] = [
  { path: 'dev/pts', kind: 'dir' },
  { path: 'dev/shm', kind: 'dir' },
  { path: 'proc', kind: 'dir' },
  { path: 'sys', kind: 'dir' },
  { path: '.dockerenv', kind: 'file' },
  { path: 'etc/resolv.conf', kind: 'file' },
  { path: 'etc/hosts', kind: 'file' },
  { path: 'etc/hostname', kind: 'file' },
  { path: 'dev/console', kind: 'file' },
  { path: 'etc/mtab', kind: 'link', target: '/proc/mounts' },
];

/** Fill `dir` (empty) with the init layer over an image whose paths `lowerStat` answers (relative, no leading slash). */
export async function writeInitLayer(dir: string, lowerStat: (rel: string) => Promise<Stats | undefined>): Promise<void> {
  const made = new Set<string>();
  const ensureDir = async (rel: string): Promise<void> => {
    if (rel === '.' || rel === '' || made.has(rel)) return;
    await ensureDir(posix.dirname(rel));
    const below = await lowerStat(rel);
    const target = join(dir, rel);
    if (await lstat(target).then((st) => st.isDirectory(), () => false)) { made.add(rel); return; }
    // the image's directory, as overlayfs would copy it up; else a new one, root's, 0755 (a file there is replaced, as dockerd unlinks it)
    const mode = below?.isDirectory() ? below.mode & 0o7777 : 0o755;
    await mkdir(target, { mode });
    await chmod(target, mode);
    if (below?.isDirectory()) await chown(target, below.uid, below.gid); else await chown(target, 0, 0);
    made.add(rel);
  };
  for (const e of INIT_ENTRIES) {
    const target = join(dir, e.path);
    if (e.kind === 'dir') {
      // kept from the image when it has the directory
      if ((await lowerStat(e.path))?.isDirectory()) continue;
      await ensureDir(e.path);
      continue;
    }
    await ensureDir(posix.dirname(e.path));
    if (e.kind === 'file') {
      await writeFile(target, '', { mode: 0o755 });
      await chmod(target, 0o755);
      await chown(target, 0, 0);
    } else {
      await symlink(e.target, target);
      await lchown(target, 0, 0);
    }
  }
}
