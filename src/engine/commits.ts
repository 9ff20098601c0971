/**
 * engine/commits — a container's filesystem as data: `commit` (its upper
 * tree as one new layer on its image, config from the container plus
 * `changes`), `changes` (Docker's A/C/D list, `docker diff`) and `export`
 * (the whole merged filesystem as a tar, `docker export`).
 *
 * The upper tree is read as it is; runtime mount points (/proc, /sys, /dev,
 * the bind-mounted /etc/hosts, hostname, resolv.conf) are left out, as
 * Docker's init layer does. A running container is frozen (the cgroup
 * freezer, as `docker pause`) while its upper tree is read and packed,
 * unless `pause: false`, so a busy writer is not caught mid-write.
 * May import: images, snapshots, oci, lib, errdefs, engine/*.
 */
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { conflict, invalidArgument, notFound } from '../errdefs/errors.js';
import type { ImageStore } from '../images/image-store.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import { scanUpper, packUpper, isRuntimePlaceholder, lowerStatIn, dropCopiedUpDirs, changesFromEntries, type Change } from '../snapshots/layer-diff.js';
import { mountsUnder } from '../snapshots/mounter.js';
import { applyChanges } from '../images/changes.js';
import { parseReference, formatReference, withDefaultTag } from '../oci/reference.js';
import type { ImageConfig, ImageRunConfig } from '../oci/image.js';
import type { ContainerService } from './containers.js';
import type { EventPublisher } from './events.js';
import type { ContainerRecord } from './container-types.js';
import { guard } from '../lib/stream-guard.js';

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  changes?: string[];
  /** A container config whose set fields override the container's (the POST /commit body). */
  config?: Partial<ImageRunConfig>;
  /** Freeze a running container while its layer is taken (Docker's default: true). */
  pause?: boolean;
}

export class CommitService {
  constructor(private readonly o: { containers: ContainerService; images: ImageStore; snapshots: Snapshotter; events?: EventPublisher }) {}

  private upper(rec: ContainerRecord): string {
    return join(this.o.snapshots.rwDir(rec.id), 'upper');
  }

  private lower(rec: ContainerRecord) {
    return lowerStatIn([...rec.layers].reverse().map((c) => this.o.snapshots.layerDir(c)));
  }

  private async entries(rec: ContainerRecord) {
    return dropCopiedUpDirs(await scanUpper(this.upper(rec), { exclude: isRuntimePlaceholder }), this.lower(rec));
  }

  /** `GET /containers/{id}/changes` */
  async changes(ref: string): Promise<Change[]> {
    const rec = this.o.containers.get(ref);
    const lower = this.lower(rec);
    return changesFromEntries(await this.entries(rec), async (rel) => !!(await lower(rel)));
  }

  /** `POST /commit`: returns the new image ID. */
  async commit(ref: string, o: CommitOptions = {}): Promise<string> {
    let target: string | undefined;
    if (o.repo) {
      const r = parseReference(o.tag ? `${o.repo}:${o.tag}` : o.repo);
      if (r.digest) throw invalidArgument('cannot commit to a digest reference', 'INVALID_REFERENCE');
      target = formatReference(withDefaultTag(r));
    } else if (o.tag) throw invalidArgument('tag given without a repository', 'INVALID_REFERENCE');

    const rec = this.o.containers.get(ref);
    const base = this.o.images.getById(rec.imageId);
    if (!base) throw invalidArgument(`the image of container ${rec.id.slice(0, 12)} no longer exists`, 'NO_SUCH_IMAGE');
    const c = rec.config;
    let run: ImageRunConfig = {
      User: c.User || undefined,
      ExposedPorts: c.ExposedPorts && Object.keys(c.ExposedPorts).length ? c.ExposedPorts : undefined,
      Env: c.Env,
      Cmd: c.Cmd,
      Entrypoint: c.Entrypoint,
      Volumes: c.Volumes,
      WorkingDir: c.WorkingDir || undefined,
      Labels: c.Labels && Object.keys(c.Labels).length ? c.Labels : undefined,
      StopSignal: c.StopSignal,
      Healthcheck: c.Healthcheck,
      OnBuild: c.OnBuild,
      Shell: base.config.config?.Shell,
    };
    for (const [k, v] of Object.entries(o.config ?? {})) if (v !== undefined && v !== null && v !== '') (run as Record<string, unknown>)[k] = v;
    run = applyChanges(run, o.changes ?? []);
    for (const k of Object.keys(run) as (keyof ImageRunConfig)[]) if (run[k] === undefined || run[k] === null) delete run[k];

    // the layer is committed before the image that refers to it: no garbage collection in between
    const img = await this.o.images.withLease(async () => {
      const chain = rec.layers;
      let diffId: string | undefined;
      // a container that exits meanwhile (`docker start` then `commit` of a short command) is committed as it is
      const freeze = o.pause !== false && rec.state.Status === 'running' && await this.o.containers.pause(rec.id).then(() => true, (err: unknown) => {
        // runc finds the process gone before berthd recorded the exit: nothing left to freeze
        if (this.o.containers.get(rec.id).state.Status === 'running' && !/not running/i.test((err as Error).message)) throw err;
        return false;
      });
      try {
        const entries = await this.entries(rec);
        if (entries.length) {
          const layer = await this.o.images.registerLayerTar(packUpper(this.upper(rec), entries), chain.length ? chain[chain.length - 1] : null);
          diffId = layer.diffId;
        }
      } finally {
        if (freeze) await this.o.containers.unpause(rec.id).catch(() => {});
      }
      const now = new Date().toISOString();
      const history = { created: now, created_by: [rec.path, ...rec.args].join(' '), ...(o.author ? { author: o.author } : {}), ...(o.comment ? { comment: o.comment } : {}), ...(diffId ? {} : { empty_layer: true }) };
      const config: ImageConfig = {
        architecture: base.config.architecture,
        os: base.config.os,
        ...(base.config.variant ? { variant: base.config.variant } : {}),
        created: now,
        ...(o.author ? { author: o.author } : {}),
        // the committed container and its config, as dockerd 20.10 records them (inspect shows both to API < 1.45)
        container: rec.id,
        container_config: { ...rec.config },
        config: run,
        rootfs: { type: 'layers', diff_ids: [...(base.config.rootfs?.diff_ids ?? []), ...(diffId ? [diffId] : [])] },
        history: [...(base.config.history ?? []), history],
      };
      return this.o.images.registerBuilt(config, base.id, target ? [target] : []);
    });
    this.o.events?.publish('container', 'commit', rec.id, { comment: o.comment ?? '', imageID: img.id, imageRef: target ?? '', name: rec.name });
    if (target) this.o.events?.publish('image', 'tag', img.id, { name: o.tag ? `${o.repo}:${o.tag}` : o.repo! });
    return img.id;
  }

  /**
   * `GET /containers/{id}/export`: the container's whole filesystem as a tar
   * (mount points inside it appear as empty entries, as in Docker). The
   * stream is produced while the filesystem is mounted; errors destroy it.
   */
  async export(ref: string): Promise<Readable> {
    // failures reach the reader through the destroyed stream; before the reader has it (a
    // removal racing the export), the rejected call reports them: never an unhandled 'error'
    const out = guard(new PassThrough());
    const rec = this.o.containers.get(ref);
    let started!: () => void;
    let failed!: (e: unknown) => void;
    const ready = new Promise<void>((res, rej) => { started = res; failed = rej; });
    void this.o.containers.withFilesystem(rec.id, async (fs) => {
      const root = fs.rootfs;
      const mounts = new Set((await mountsUnder(root)).filter((m) => m !== root).map((m) => m.slice(root.length + 1)));
      const entries = await scanUpper(root, { opaque: false, noDescend: mounts }).catch((err: NodeJS.ErrnoException) => {
        // the container stopped or was removed under the walk (its rootfs went away): not a daemon fault
        if (err.code !== 'ENOENT' && err.code !== 'ENOTDIR') throw err;
        if (!this.o.containers.tryGet(rec.id)) throw notFound(`No such container: ${ref}`, 'NO_SUCH_CONTAINER');
        throw conflict(`container ${rec.id} changed state while it was being exported; try again`);
      });
      started();
      await pipeline(packUpper(root, entries), out);
    }).catch((err) => { failed(err); out.destroy(err as Error); });
    await ready;
    return out;
  }
}
