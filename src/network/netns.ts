/**
 * network/netns — named network namespaces: a namespace pinned by a bind
 * mount on a file under the exec root (`<exec-root>/netns/<container id>`),
 * so it outlives the container's processes, can be joined by
 * `--network container:<id>`, and is found again after a berthd crash.
 * The adapter for unshare(1) (Node cannot unshare or setns); unmounting is
 * the mount adapter's job and is handed in.
 *
 * May import: errdefs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, rm, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { systemError } from '../errdefs/errors.js';

const run = promisify(execFile);

export class NetnsStore {
  constructor(private readonly o: { dir: string; unmount: (path: string) => Promise<void>; isMounted: (path: string) => Promise<boolean> }) {}

  path(id: string): string { return join(this.o.dir, id); }

  /** Create (or keep) the namespace pinned at path(id). */
  async create(id: string): Promise<string> {
    const p = this.path(id);
    await mkdir(this.o.dir, { recursive: true, mode: 0o711 });
    if (await this.o.isMounted(p)) return p;
    await writeFile(p, '', { mode: 0o600 });
    try {
      await run('unshare', [`--net=${p}`, 'true'], { timeout: 20000 });
    } catch (err) {
      await rm(p, { force: true });
      const e = err as { stderr?: string; message: string };
      throw systemError(`creating network namespace ${p}: ${(e.stderr || e.message).trim()}`, err);
    }
    return p;
  }

  async exists(id: string): Promise<boolean> { return this.o.isMounted(this.path(id)); }

  /** Unpin and delete; the namespace itself goes when its last process leaves. */
  async remove(id: string): Promise<void> {
    const p = this.path(id);
    if (await this.o.isMounted(p)) await this.o.unmount(p);
    await rm(p, { force: true });
  }

  async list(): Promise<string[]> {
    return (await readdir(this.o.dir).catch(() => [] as string[])).filter((n) => /^[a-f0-9]{64}$/.test(n));
  }
}
