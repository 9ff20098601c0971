/**
 * lib/dir-size — bytes used by the files under a directory (`du -sb`
 * style: file sizes, hard links counted once, symlinks not followed). A
 * missing directory is 0.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function dirSize(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try { names = await readdir(dir); } catch { return; }
    for (const n of names) {
      const p = join(dir, n);
      let st;
      try { st = await lstat(p); } catch { continue; }
      if (st.nlink > 1 && !st.isDirectory()) { const k = `${st.dev}:${st.ino}`; if (seen.has(k)) continue; seen.add(k); }
      if (st.isDirectory()) await walk(p); else total += st.size;
    }
  };
  await walk(root);
  return total;
}
