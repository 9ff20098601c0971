/**
 * runtime/cgroups — which cgroup layout the host has (v1, hybrid, or pure
 * v2) and housekeeping of berth's cgroup parent. The runtime creates and
 * removes each container's own cgroup; this module only reads and removes
 * empty parents.
 */
import { statfs, readdir, rmdir, access } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** 2 when /sys/fs/cgroup is a cgroup2 mount (pure v2), else 1 (v1 or hybrid). */
export async function cgroupVersion(root = '/sys/fs/cgroup'): Promise<1 | 2> {
  try {
    const st = await statfs(root);
    return st.type === CGROUP2_SUPER_MAGIC ? 2 : 1;
  } catch {
    return 1;
  }
}

/** Every directory where a cgroup named `parent` may exist (each v1 hierarchy, the v2 root or unified mount). */
export async function cgroupDirs(parent: string, root = '/sys/fs/cgroup'): Promise<string[]> {
  if ((await cgroupVersion(root)) === 2) return [join(root, parent)];
  const out: string[] = [];
  for (const h of await readdir(root)) out.push(join(root, h, parent));
  return out;
}

/** Remove the (empty) cgroup parent in every hierarchy; ignores missing or busy ones. */
export async function removeCgroupParent(parent: string, root = '/sys/fs/cgroup'): Promise<void> {
  for (const dir of await cgroupDirs(parent, root)) {
    try { await access(dir); } catch { continue; }
    try { await rmdir(dir); } catch { /* busy or not ours to remove */ }
  }
}

/** Names of child cgroups under the parent (container cgroups still present). */
export async function cgroupChildren(parent: string, root = '/sys/fs/cgroup'): Promise<string[]> {
  const names = new Set<string>();
  for (const dir of await cgroupDirs(parent, root)) {
    try {
      for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) names.add(e.name);
    } catch { /* absent */ }
  }
  return [...names];
}
