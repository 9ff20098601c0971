/**
 * volumes/local-driver — Docker's `local` volume driver: each volume is a
 * directory `<root>/<name>/_data`. A volume created with options
 * (`type`, `device`, `o`, as `mount -t TYPE -o O DEVICE`) is mounted on its
 * `_data` while at least one user (a running container) needs it and
 * unmounted after the last one lets go — the driver keeps that reference
 * count, the engine says who the users are (and rebuilds the counts after a
 * restart with `restoreUsers`).
 *
 * Vocabulary: *name* (the volume's name), *options* (driver options, Docker's
 * `DriverOpts`), *user* (an opaque key, a container ID in practice).
 *
 * May import: lib, errdefs. mount/umount come in as functions (the daemon
 * wires snapshots/mounter, the one adapter that spawns them).
 */
import { mkdir, rm, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument, systemError } from '../errdefs/errors.js';
import { dirSize } from '../lib/dir-size.js';

export interface VolumeMountFns {
  mount(o: { type: string; source: string; target: string; options?: string[] }): Promise<void>;
  unmount(target: string, o?: { lazy?: boolean }): Promise<void>;
  /** Mount points under a prefix, deepest first. */
  mountsUnder(prefix: string): Promise<string[]>;
}

export interface LocalDriverOptions {
  /** `<data-root>/volumes` */
  root: string;
  mounter: VolumeMountFns;
}

const VALID_OPTIONS = ['type', 'device', 'o', 'size'];
/** Docker's mandatoryOpts: an option that needs others. */
const REQUIRES: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] };

export const LOCAL_DRIVER = 'local';

/** Docker's local driver option checks (volume/local/local_unix.go validateOpts), same wording. */
export function validateLocalOptions(opts: Record<string, string> | null | undefined): void {
  if (!opts) return;
  for (const k of Object.keys(opts)) if (!VALID_OPTIONS.includes(k)) throw invalidArgument(`invalid option: ${JSON.stringify(k)}`);
  if ('size' in opts) throw invalidArgument('quota size requested but no quota support');
  for (const [k, needs] of Object.entries(REQUIRES)) {
    if (!(k in opts)) continue;
    for (const n of needs) if (!(n in opts)) throw invalidArgument(`missing required option: ${JSON.stringify(n)}`);
  }
}

/** The mount(8) call a volume with options makes; undefined for a plain directory volume. */
export function mountCall(opts: Record<string, string> | null | undefined, target: string): { type: string; source: string; target: string; options: string[] } | undefined {
  if (!opts || !opts.device) return undefined;
  const options = (opts.o ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let type = opts.type ?? 'none';
  // `type=bind` is what users write for a bind volume; the kernel wants MS_BIND (mount's `-o bind`).
  if (type === 'bind') { type = 'none'; if (!options.includes('bind') && !options.includes('rbind')) options.unshift('bind'); }
  return { type, source: opts.device, target, options };
}

export class LocalVolumeDriver {
  readonly name = LOCAL_DRIVER;
  private readonly users = new Map<string, Set<string>>();

  constructor(private readonly o: LocalDriverOptions) {}

  async init(): Promise<void> {
    await mkdir(this.o.root, { recursive: true, mode: 0o701 });
  }

  /** Host path of the volume's data (Docker's `Mountpoint`). */
  dataPath(name: string): string {
    return join(this.dir(name), '_data');
  }

  /** The volume's directory: the name must be one plain path component (the engine checks Docker's rules before). */
  private dir(name: string): string {
    if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name) || Buffer.byteLength(name) > 255) throw invalidArgument(`invalid local volume name ${JSON.stringify(name)}`);
    return join(this.o.root, name);
  }

  async create(name: string, opts?: Record<string, string> | null): Promise<void> {
    validateLocalOptions(opts);
    await mkdir(this.dir(name), { mode: 0o701 }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
    await mkdir(this.dataPath(name), { mode: 0o755 }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  }

  /** Take a reference for `user`; mounts the volume's device on the first one. Returns the data path. */
  async mount(name: string, opts: Record<string, string> | null | undefined, user: string): Promise<string> {
    const target = this.dataPath(name);
    // a data directory someone deleted behind our back comes back empty (the record is the truth)
    await mkdir(target, { recursive: true, mode: 0o755 });
    const call = mountCall(opts, target);
    let set = this.users.get(name);
    if (!set) this.users.set(name, (set = new Set()));
    if (call && set.size === 0 && !(await this.isMounted(name))) {
      try {
        await this.o.mounter.mount(call);
      } catch (err) {
        this.users.delete(name);
        throw systemError(`error while mounting volume '${target}': failed to mount local volume: mount ${call.source}:${target}, type ${call.type}${call.options.length ? `, data ${call.options.join(',')}` : ''}: ${(err as Error).message}`, err);
      }
    }
    set.add(user);
    return target;
  }

  /** Drop `user`'s reference; unmounts the device after the last one. */
  async unmount(name: string, opts: Record<string, string> | null | undefined, user: string): Promise<void> {
    const set = this.users.get(name);
    set?.delete(user);
    if (set && set.size > 0) return;
    this.users.delete(name);
    if (mountCall(opts, this.dataPath(name)) && (await this.isMounted(name))) await this.o.mounter.unmount(this.dataPath(name));
  }

  /** After a restart: who still uses which volume (running containers). */
  restoreUsers(name: string, users: string[]): void {
    if (users.length) this.users.set(name, new Set(users));
    else this.users.delete(name);
  }

  activeUsers(name: string): number {
    return this.users.get(name)?.size ?? 0;
  }

  async isMounted(name: string): Promise<boolean> {
    const t = this.dataPath(name);
    return (await this.o.mounter.mountsUnder(t)).includes(t);
  }

  /** Unmount everything under the volume (stale after a crash) and delete its directory. */
  async remove(name: string): Promise<void> {
    for (const m of await this.o.mounter.mountsUnder(this.dir(name))) await this.o.mounter.unmount(m, { lazy: true });
    this.users.delete(name);
    await rm(this.dir(name), { recursive: true, force: true });
  }

  /** Mounts under a volume directory nobody needs (reconcile). */
  async unmountStale(name: string): Promise<void> {
    if (this.activeUsers(name)) return;
    for (const m of await this.o.mounter.mountsUnder(this.dir(name))) await this.o.mounter.unmount(m, { lazy: true });
  }

  /** Names with a directory on disk. */
  async listOnDisk(): Promise<string[]> {
    return (await readdir(this.o.root).catch(() => [] as string[]));
  }

  async isEmpty(name: string): Promise<boolean> {
    return (await readdir(this.dataPath(name)).catch(() => [] as string[])).length === 0;
  }

  /** Bytes used by the volume's files (du -sb style, hard links counted once). */
  size(name: string): Promise<number> {
    return dirSize(this.dataPath(name));
  }
}
