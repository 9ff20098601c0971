/**
 * engine/builds — the build service: implements the builder's BuildBackend
 * with engine pieces and runs whole builds for `POST /build`.
 *
 * - scratch mounts (COPY, WORKDIR): a fresh upper tree `rw/build-<rand>` over
 *   the image's layers, mounted at `<data-root>/builder/mnt/<key>`;
 * - RUN steps: a real container (ContainerService) on the image so far,
 *   labelled `berth.build-step`, its output streamed, waited for, then its
 *   upper tree turned into a layer (snapshots/layer-diff) and the container
 *   removed — also on failure and cancellation;
 * - layers: the upper tree as a reproducible tar, ingested and unpacked by
 *   the image store; images: parent + layers + config via the image store;
 * - cache: step key → image ID in SQLite (metadata/build-cache-records).
 *
 * After a crash, `cleanup()` (before the containers' reconcile) unmounts and
 * deletes scratch mounts, and build-step containers are removed.
 * May import: builder, images, snapshots, metadata, runtime, oci, lib, errdefs.
 */
import { mkdir, readdir, rm, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BerthError, invalidArgument, notFound } from '../errdefs/errors.js';
import type { Logger } from '../lib/log.js';
import type { ImageStore } from '../images/image-store.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import { scanUpper, packUpper, isRuntimePlaceholder, lowerStatIn, dropCopiedUpDirs } from '../snapshots/layer-diff.js';
import { mountsUnder } from '../snapshots/mounter.js';
import type { BuildCacheRecords } from '../metadata/build-cache-records.js';
import { parsePasswd, parseGroup } from '../runtime/user.js';
import { parseReference, formatReference, withDefaultTag, familiarString } from '../oci/reference.js';
import type { ImageConfig } from '../oci/image.js';
import { secureJoin } from '../lib/secure-join.js';
import type { BuildBackend, BuildImage, RunStepRequest, RunStepResult, ScratchMount } from '../builder/build-backend.js';
import { openContext, type BuildContext } from '../builder/build-context.js';
import { planBuild, runBuild, BuildStepError, type BuildRequest, type BuildProgress } from '../builder/builder.js';
import { DockerfileParseError } from '../builder/dockerfile/index.js';
import type { ContainerService } from './containers.js';
import type { EventPublisher } from './events.js';

export const BUILD_STEP_LABEL = 'berth.build-step';

export interface BuildServiceOptions {
  dataRoot: string;
  images: ImageStore;
  snapshots: Snapshotter;
  containers: ContainerService;
  cache: BuildCacheRecords;
  log: Logger;
  /** Fetch an image from a registry (wired by the distribution code); absent = no pulling. */
  pull?: (ref: string, opts: { platform?: string; signal: AbortSignal; onMessage?: (m: { status?: string; id?: string; progress?: string }) => void }) => Promise<void>;
  events?: EventPublisher;
}

/**
 * What a build is asked for: the builder's request without what prepare()
 * supplies (context dir, Dockerfile text, signal, output), plus the tags and
 * the Dockerfile's path in the context.
 */
export type BuildOptions = Omit<BuildRequest, 'contextDir' | 'dockerfile' | 'signal' | 'out' | 'cacheFrom' | 'progress'> & { tags: string[]; dockerfile?: string; cacheFrom?: string[] };

export interface BuildOutput {
  stream(text: string): void | Promise<void>;
  aux(value: unknown): void;
  /** The steps as events, for a BuildKit-style progress view (POST /build?version=2). */
  progress?: BuildProgress;
}

/** A build whose context and Dockerfile were accepted; `run` streams, `discard` gives up. */
export interface PreparedBuild {
  run(out: BuildOutput, signal: AbortSignal): Promise<string>;
  discard(): Promise<void>;
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class BuildService implements BuildBackend {
  private readonly root: string;

  constructor(private readonly o: BuildServiceOptions) {
    this.root = join(o.dataRoot, 'builder');
  }

  /** Unmount and delete what an interrupted build left; remove its step containers. Call before containers.reconcile(). */
  async cleanup(): Promise<void> {
    await mkdir(join(this.root, 'mnt'), { recursive: true });
    for (const m of await mountsUnder(join(this.root, 'mnt'))) await this.o.snapshots.unmountRootfs(m).catch(() => {});
    for (const n of await readdir(join(this.root, 'mnt'))) {
      await rm(join(this.root, 'mnt', n), { recursive: true, force: true });
      await this.o.snapshots.removeRw(n);
    }
    for (const n of await readdir(this.root)) if (n.startsWith('ctx-')) await rm(join(this.root, n), { recursive: true, force: true });
  }

  /** After containers.reconcile(): step containers of builds that never finished. */
  async removeStaleStepContainers(): Promise<void> {
    for (const c of this.o.containers.list()) {
      if (!c.config.Labels?.[BUILD_STEP_LABEL]) continue;
      if (c.state.Status === 'running') await this.o.containers.kill(c.id, 'SIGKILL').catch(() => {});
      await this.o.containers.remove(c.id, { force: true, removeVolumes: true }).catch((e) => this.o.log.warn('stale build container', { id: c.id, err: (e as Error).message }));
    }
  }

  // ---- whole builds --------------------------------------------------------
  /** Validate the request, unpack the context and parse the Dockerfile (errors here get an HTTP status). */
  async prepare(source: Readable, opts: BuildOptions): Promise<PreparedBuild> {
    const refs = opts.tags.map((t) => {
      const r = parseReference(t);
      if (r.digest) throw invalidArgument(`invalid reference format: ${t} (a tag cannot contain a digest)`, 'INVALID_REFERENCE');
      return formatReference(withDefaultTag(r));
    });
    await mkdir(this.root, { recursive: true });
    const ctx: BuildContext = await openContext(source, { dir: join(this.root, `ctx-${randomBytes(8).toString('hex')}`), dockerfile: opts.dockerfile });
    try {
      // dockerd's words for a Dockerfile with nothing in it, and for one with no instruction
      if (!ctx.dockerfile.length) throw invalidArgument(`the Dockerfile (${opts.dockerfile || 'Dockerfile'}) cannot be empty`, 'INVALID_CONTEXT');
      try {
        planBuild(ctx.dockerfile, opts.target);
      } catch (err) {
        if (err instanceof DockerfileParseError && err.detail === 'file with no instructions') throw invalidArgument('failed to parse Dockerfile: file with no instructions', 'INVALID_CONTEXT', err);
        throw err;
      }
    } catch (err) {
      await ctx.close();
      throw err;
    }
    return {
      discard: () => ctx.close(),
      run: async (out, signal) => {
        try {
          // step layers are committed before their images: no garbage collection until the build ends
          const { image } = await this.o.images.withLease(() => runBuild(this, {
            contextDir: ctx.dir, dockerfile: ctx.dockerfile, buildArgs: opts.buildArgs, labels: opts.labels, target: opts.target,
            noCache: opts.noCache, pull: opts.pull, network: opts.network, extraHosts: opts.extraHosts, cacheFrom: opts.cacheFrom?.length ? this.cacheSources(opts.cacheFrom) : undefined, platform: opts.platform, signal, out: (t) => out.stream(t), progress: out.progress,
          }));
          out.aux({ ID: image.id });
          out.stream(`Successfully built ${short(image.id)}\n`);
          for (const r of refs) {
            const name = this.tag(image.id, r);
            out.stream(`Successfully tagged ${name}\n`);
          }
          return image.id;
        } finally {
          await ctx.close();
        }
      },
    };
  }

  // ---- BuildBackend ---------------------------------------------------------
  async resolveImage(ref: string, opts: { pull: boolean; platform?: string; signal: AbortSignal; onProgress?: (line: string) => void }): Promise<BuildImage> {
    let img = opts.pull ? undefined : this.o.images.tryResolve(ref);
    if (!img && this.o.pull) {
      // The pull's own status lines (not the byte-by-byte progress) go into the build output.
      const onMessage = (m: { status?: string; id?: string; progress?: string }) => {
        if (m.status && !m.progress && !/^(Downloading|Extracting|Waiting|Verifying Checksum)/.test(m.status)) opts.onProgress?.(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
      };
      await this.o.pull(ref, { platform: opts.platform, signal: opts.signal, onMessage });
      img = this.o.images.tryResolve(ref);
    }
    img ??= this.o.images.tryResolve(ref);
    if (!img) throw notFound(`No such image: ${ref} (berth cannot pull images in this build; import or load it first)`, 'NO_SUCH_IMAGE');
    return { id: img.id, config: img.config };
  }

  async mount(image: BuildImage | null): Promise<ScratchMount> {
    const key = `build-${randomBytes(8).toString('hex')}`;
    const target = join(this.root, 'mnt', key);
    const chain = image ? this.o.images.layerChain({ id: image.id, config: image.config, refs: [], createdAt: '', size: 0 }) : [];
    await mkdir(join(this.root, 'mnt'), { recursive: true });
    await this.o.snapshots.createRw(key);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await this.o.snapshots.unmountRootfs(target);
      await rm(target, { recursive: true, force: true });
      await this.o.snapshots.removeRw(key);
    };
    try {
      await this.o.snapshots.mountRootfs(key, chain, target);
    } catch (err) {
      await release().catch(() => {});
      throw err;
    }
    const upper = join(this.o.snapshots.rwDir(key), 'upper');
    return {
      rootfs: target,
      commitLayer: (mtime) => this.commitUpper(upper, chain, mtime),
      release,
    };
  }

  async run(req: RunStepRequest): Promise<RunStepResult> {
    const c = this.o.containers;
    const { id } = await c.create({
      Image: req.image.id,
      Cmd: req.argv,
      Entrypoint: [''],
      Env: req.env,
      User: req.user,
      WorkingDir: req.workdir,
      Labels: { [BUILD_STEP_LABEL]: '1' },
      HostConfig: { ...(req.network && req.network !== 'default' ? { NetworkMode: req.network } : {}), ...(req.extraHosts?.length ? { ExtraHosts: req.extraHosts } : {}) },
    } as never);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await c.remove(id, { force: true, removeVolumes: true }); // and the anonymous volumes of the image's VOLUMEs, as Docker's builder
    };
    const onAbort = () => {
      this.o.log.info('build cancelled: killing step container', { id });
      void c.kill(id, 'SIGKILL').catch((e) => this.o.log.warn('killing build container failed', { id, err: (e as Error).message }));
    };
    try {
      req.onContainer?.(id);
      if (req.signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
      req.signal.addEventListener('abort', onAbort, { once: true });
      await c.start(id);
      // cancelled while starting: the listener's kill found it not running yet
      if (req.signal.aborted) onAbort();
      for await (const r of c.logs(id, { stdout: true, stderr: true, follow: true })) {
        const text = r.data.toString() + (r.partial ? '' : '\n');
        await req.onOutput(text, r.stream === 'stderr' ? 'stderr' : 'stdout');
      }
      const { StatusCode } = await c.wait(id, 'not-running');
      if (req.signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
      const rec = c.get(id);
      const chain = rec.layers;
      const upper = join(this.o.snapshots.rwDir(id), 'upper');
      return {
        exitCode: StatusCode,
        containerId: id,
        commitLayer: (mtime) => this.commitUpper(upper, chain, mtime, true),
        release,
      };
    } catch (err) {
      await release().catch((e) => this.o.log.warn('removing build container failed', { id, err: (e as Error).message }));
      throw err;
    } finally {
      req.signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The upper tree as a layer on `chain`. For RUN containers, runtime mount
   * points are left out, and directories that were only copied up (same
   * owner and mode as below, nothing kept inside) are dropped.
   */
  private async commitUpper(upper: string, chain: string[], mtime: Date, container = false): Promise<string | null> {
    let entries = await scanUpper(upper, { exclude: container ? isRuntimePlaceholder : undefined });
    if (container) entries = await dropCopiedUpDirs(entries, lowerStatIn([...chain].reverse().map((c) => this.o.snapshots.layerDir(c))));
    if (!entries.length) return null;
    const layer = await this.o.images.registerLayerTar(packUpper(upper, entries, mtime), chain.length ? chain[chain.length - 1] : null);
    return layer.diffId;
  }

  async lookupUser(rootfs: string, spec: string): Promise<{ uid: number; gid: number }> {
    const [u, g] = spec.split(':', 2);
    const read = async (p: string) => readFile(await secureJoin(rootfs, p), 'utf8').catch(() => '');
    const num = (s: string) => /^\d+$/.test(s);
    let uid: number;
    if (num(u)) uid = Number(u);
    else {
      const e = parsePasswd(await read('/etc/passwd')).find((p) => p.name === u);
      if (!e) throw invalidArgument(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${u}: no such user: ${u}`);
      uid = e.uid;
    }
    let gid = uid;
    if (g !== undefined && g !== '') {
      if (num(g)) gid = Number(g);
      else {
        const e = parseGroup(await read('/etc/group')).find((x) => x.name === g);
        if (!e) throw invalidArgument(`unable to convert uid/gid chown string to host mapping: can't find gid for group ${g}: no such group: ${g}`);
        gid = e.gid;
      }
    }
    return { uid, gid };
  }

  async registerImage(config: ImageConfig, parent: string | null): Promise<BuildImage> {
    const img = await this.o.images.registerBuilt(config, parent);
    return { id: img.id, config: img.config };
  }

  cacheGet(key: string, allowed?: ReadonlySet<string>): BuildImage | undefined {
    const id = this.o.cache.get(key);
    const img = id ? this.o.images.getById(id) : undefined;
    if (!img || (allowed && !allowed.has(img.id))) return undefined;
    return { id: img.id, config: img.config };
  }

  /** The images a `--cache-from` list names and all their ancestors (dockerd's imageCache sources). */
  private cacheSources(refs: string[]): Set<string> {
    const out = new Set<string>();
    for (const ref of refs) {
      let id = this.o.images.tryResolve(ref)?.id;
      while (id && !out.has(id)) { out.add(id); id = this.o.images.parentOf(id); }
    }
    return out;
  }

  cachePut(key: string, imageId: string): void {
    this.o.cache.put(key, imageId);
  }

  tag(imageId: string, ref: string): string {
    const canonical = this.o.images.tag(imageId, ref);
    const name = familiarString(parseReference(canonical));
    this.o.events?.publish('image', 'tag', imageId, { name });
    return name;
  }

  /** `POST /build/prune`: forget the cache and delete images only the cache kept (untagged, childless, unused). */
  async prune(_opts: { all?: boolean } = {}): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
    const cached = this.o.cache.imageIds();
    this.o.cache.clear();
    const deleted: string[] = [];
    let space = 0;
    let changed = true;
    while (changed) {
      changed = false;
      for (const img of this.o.images.list()) {
        if (!cached.has(img.id) || img.refs.length) continue;
        if (this.o.images.childrenOf(img.id).length) continue;
        if (this.o.containers.imageUser(img.id)) continue;
        const r = await this.o.images.remove(img.id, { force: false, usedBy: () => undefined }).catch(() => undefined);
        if (!r) continue;
        deleted.push(img.id);
        space += img.size;
        changed = true;
      }
    }
    return { CachesDeleted: deleted, SpaceReclaimed: space };
  }
}

/** The exit code to report for a failed build (RUN's own code, else 1). */
export function buildErrorCode(err: unknown): number {
  return err instanceof BuildStepError ? err.exitCode : 1;
}

/** A failed build's message as BuildKit words it (`failed to solve: process "…" did not complete successfully: exit code: N`). */
export function buildkitErrorMessage(err: unknown): string {
  return `failed to solve: ${err instanceof BuildStepError ? err.buildkitMessage : (err as Error)?.message ?? String(err)}`;
}
