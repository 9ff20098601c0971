/**
 * snapshots/overlay-snapshotter — Snapshotter on overlayfs.
 * Layout under `root`: `layers/<chain hex>/` (read-only trees),
 * `rw/<container id>/{upper,work,init}`, `tmp/` (layers being unpacked).
 * Mount data uses paths relative to `root` to stay under the kernel's
 * one-page option limit for deep images (as dockerd's overlay2 does).
 */
import { mkdir, rename, rm, readdir, access } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDir } from '../lib/atomic-write.js';
import { mountOverlay, unmount, isMountPoint } from './mounter.js';
import type { Snapshotter } from './snapshotter.js';

const hex = (chainId: string) => chainId.replace(/^sha256:/, '');

export class OverlaySnapshotter implements Snapshotter {
  constructor(private readonly opts: { root: string }) {}

  async init(): Promise<void> {
    for (const d of ['layers', 'rw', 'tmp', 'empty']) await mkdir(join(this.opts.root, d), { recursive: true });
  }

  layerDir(chainId: string): string {
    return join(this.opts.root, 'layers', hex(chainId));
  }

  async hasLayer(chainId: string): Promise<boolean> {
    try { await access(this.layerDir(chainId)); return true; } catch { return false; }
  }

  async prepareLayer(): Promise<string> {
    const dir = join(this.opts.root, 'tmp', randomBytes(8).toString('hex'));
    await mkdir(dir, { mode: 0o755 });
    return dir;
  }

  async commitLayer(tempDir: string, chainId: string): Promise<void> {
    const dest = this.layerDir(chainId);
    if (await this.hasLayer(chainId)) { await rm(tempDir, { recursive: true, force: true }); return; }
    await rename(tempDir, dest);
    await fsyncDir(join(this.opts.root, 'layers'));
  }

  async discardTemp(tempDir: string): Promise<void> {
    await rm(tempDir, { recursive: true, force: true });
  }

  async removeLayer(chainId: string): Promise<void> {
    // Rename first so a crash never leaves a half-deleted tree under its real name.
    const doomed = join(this.opts.root, 'tmp', `rm-${hex(chainId)}`);
    try { await rename(this.layerDir(chainId), doomed); } catch { return; }
    await rm(doomed, { recursive: true, force: true });
  }

  async listLayers(): Promise<string[]> {
    return (await readdir(join(this.opts.root, 'layers'))).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async cleanupTemp(): Promise<void> {
    const tmp = join(this.opts.root, 'tmp');
    for (const n of await readdir(tmp)) await rm(join(tmp, n), { recursive: true, force: true });
  }

  rwDir(containerId: string): string {
    return join(this.opts.root, 'rw', containerId);
  }

  async createRw(containerId: string, init?: (dir: string) => Promise<void>): Promise<void> {
    await mkdir(join(this.rwDir(containerId), 'upper'), { recursive: true, mode: 0o755 });
    await mkdir(join(this.rwDir(containerId), 'work'), { recursive: true, mode: 0o700 });
    if (!init) return;
    // filled under a temp name, renamed when complete: a half-made init layer is never mounted
    const tmp = join(this.rwDir(containerId), 'init.tmp');
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { mode: 0o755 });
    await init(tmp);
    await rename(tmp, join(this.rwDir(containerId), 'init'));
  }

  initDir(containerId: string): string | undefined {
    const dir = join(this.rwDir(containerId), 'init');
    return existsSync(dir) ? dir : undefined;
  }

  async removeRw(containerId: string): Promise<void> {
    await rm(this.rwDir(containerId), { recursive: true, force: true });
  }

  async mountRootfs(containerId: string, layers: string[], target: string): Promise<void> {
    if (await isMountPoint(target)) return;
    await mkdir(target, { recursive: true });
    // overlayfs lists lowerdirs topmost first
    const lower = layers.length ? layers.map((c) => `layers/${hex(c)}`).reverse() : ['empty'];
    if (this.initDir(containerId)) lower.unshift(`rw/${containerId}/init`);
    await mountOverlay({ cwd: this.opts.root, lower, upper: `rw/${containerId}/upper`, work: `rw/${containerId}/work`, target });
  }

  async unmountRootfs(target: string): Promise<void> {
    if (!(await isMountPoint(target))) return;
    try {
      await unmount(target);
    } catch {
      await unmount(target, { lazy: true });
    }
  }
}
