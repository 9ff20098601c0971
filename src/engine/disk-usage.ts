/**
 * engine/disk-usage — `GET /system/df` (images with shared sizes and
 * container counts, containers with their writable-layer sizes, volumes
 * with sizes and reference counts, build cache from the builder when it
 * provides one; `type` picks sections) and `POST /containers/prune`
 * (stopped containers, filters `until`, `label`, `label!`). Sizes are
 * measured on disk when asked, nothing is cached.
 */
import { join } from 'node:path';
import { invalidArgument } from '../errdefs/errors.js';
import { dirSize } from '../lib/dir-size.js';
import type { ImageStore } from '../images/image-store.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import { containerList, type ContainerService } from './containers.js';
import type { ImageService } from './images.js';
import type { VolumeService } from './volumes.js';
import type { EventPublisher } from './events.js';
import { matchLabel } from './container-views.js';
import { parseEventTime } from './events.js';

export interface DiskUsageOptions {
  containers: ContainerService;
  images: ImageService;
  imageStore: ImageStore;
  volumes: VolumeService;
  snapshots: Snapshotter;
  /** Build cache records for df (the builder wires this when it has a cache). */
  buildCache?: () => Promise<unknown[]>;
  events?: EventPublisher;
}

const DF_TYPES = ['container', 'image', 'volume', 'build-cache'];

export class DiskUsageService {
  constructor(private readonly o: DiskUsageOptions) {}

  private rwSize(id: string): Promise<number> {
    return dirSize(join(this.o.snapshots.rwDir(id), 'upper'));
  }

  /** Container summaries with SizeRw (the writable layer) and SizeRootFs (it plus the image), as `ps --size` and `df` show them. */
  async withSizes<T extends { Id: string }>(list: T[]): Promise<(T & { SizeRw: number; SizeRootFs: number })[]> {
    const out: (T & { SizeRw: number; SizeRootFs: number })[] = [];
    for (const s of list) {
      const rec = this.o.containers.get(s.Id);
      const rw = await this.rwSize(s.Id);
      const img = this.o.imageStore.getById(rec.imageId);
      out.push({ ...s, SizeRw: rw, SizeRootFs: rw + (img?.size ?? 0) });
    }
    return out;
  }

  async df(types: string[] = []): Promise<Record<string, unknown>> {
    for (const t of types) if (!DF_TYPES.includes(t)) throw invalidArgument(`invalid type: ${t}`);
    const want = (t: string) => types.length === 0 || types.includes(t);
    const out: Record<string, unknown> = {};
    if (want('image')) {
      const sizes = this.o.imageStore.layerSizes();
      const imgs = this.o.imageStore.list();
      const users = new Map<string, number>();
      for (const img of imgs) for (const c of new Set(this.o.imageStore.layerChain(img))) users.set(c, (users.get(c) ?? 0) + 1);
      const shared = new Map(imgs.map((img) => [img.id, this.o.imageStore.layerChain(img).filter((c) => (users.get(c) ?? 0) > 1).reduce((n, c) => n + (sizes.get(c) ?? 0), 0)]));
      out.LayersSize = [...users.keys()].reduce((n, c) => n + (sizes.get(c) ?? 0), 0);
      out.Images = this.o.images.list({ all: true }).map((s) => ({ ...s, SharedSize: shared.get(s.Id) ?? 0 }));
    }
    if (want('container')) out.Containers = await this.withSizes(containerList(this.o.containers, this.o.imageStore, { all: true }));
    if (want('volume')) out.Volumes = await this.o.volumes.usage();
    if (want('build-cache')) out.BuildCache = this.o.buildCache ? await this.o.buildCache() : [];
    return out;
  }

  /** POST /containers/prune: remove every stopped container matching the filters. */
  async pruneContainers(filters: Map<string, string[]>): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    for (const k of filters.keys()) if (!['until', 'label', 'label!'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const untils = (filters.get('until') ?? []).map((v) => parseEventTime(v));
    const deleted: string[] = [];
    let space = 0;
    for (const rec of this.o.containers.list()) {
      if (['running', 'paused', 'restarting', 'removing'].includes(rec.state.Status)) continue;
      const labels = rec.config.Labels ?? {};
      if (!(filters.get('label') ?? []).every((l) => matchLabel(labels, l))) continue;
      if ((filters.get('label!') ?? []).some((l) => matchLabel(labels, l))) continue;
      const createdNs = BigInt(Date.parse(rec.created)) * 1_000_000n;
      if (untils.some((u) => u !== undefined && createdNs >= u)) continue;
      const size = await this.rwSize(rec.id);
      try {
        await this.o.containers.remove(rec.id, {});
        deleted.push(rec.id);
        space += size;
      } catch {
        // started or removed meanwhile: not ours to prune any more
      }
    }
    this.o.events?.publish('container', 'prune', '', { reclaimed: String(space) });
    return { ContainersDeleted: deleted, SpaceReclaimed: space };
  }
}
