/**
 * engine/container-mounts — a container's mounts the way dockerd resolves
 * them: `--volumes-from` first (their mode overridable with :ro/:rw), then
 * `Binds` (`-v src:dst[:opts]`: an absolute src is a bind whose missing host
 * directory is created at start, anything else names a volume), `Mounts`
 * (`--mount`, validated with Docker's rules and wording: a bind of a missing
 * host path is refused), `Tmpfs` (`--tmpfs`); the image's and the request's
 * `Volumes` become anonymous volumes where nothing else is mounted. At
 * start: volumes are mounted through the volume service, empty volumes get
 * the image's content at their destination (copy-up, unless nocopy), and
 * the list becomes OCI mount entries (runtime/spec-mounts).
 *
 * Vocabulary: a *mount point* (ContainerMount) is stored in the container
 * record and shown, minus berth's own fields, as inspect's `Mounts`.
 *
 * May import: engine (volumes, types), runtime/spec-mounts, lib, errdefs.
 */
import { lstat, mkdir, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { invalidArgument } from '../errdefs/errors.js';
import { secureJoin } from '../lib/secure-join.js';
import { copyTreeContents } from '../lib/copy-tree.js';
import type { Logger } from '../lib/log.js';
import type { Mount } from '../oci/runtime-spec.js';
import { specMounts, type SpecMount } from '../runtime/spec-mounts.js';
import { LOCAL_DRIVER } from '../volumes/local-driver.js';
import { checkDriver, type VolumeService } from './volumes.js';
import type { ContainerMount, ContainerRecord, HostConfig } from './container-types.js';

export type { ContainerMount } from './container-types.js';

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
const CONSISTENCY = ['consistent', 'cached', 'delegated'];

/** A mount before its volume exists: `volume` says what to create or find. */
export interface PlannedMount extends ContainerMount {
  volume?: { name?: string; driver: string; options?: Record<string, string> | null; labels?: Record<string, string> | null };
}

/** The API's Mount object (HostConfig.Mounts), loosely typed: it comes from JSON. */
export interface ApiMount {
  Type?: unknown;
  Source?: unknown;
  Target?: unknown;
  ReadOnly?: unknown;
  Consistency?: unknown;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null; Subpath?: string } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] } | null;
  [k: string]: unknown;
}

interface ModeInfo { readOnly: boolean; rwGiven: boolean; propagation?: string; nocopy: boolean }

/** Docker's linuxValidMountMode: at most one of each of rw/ro, z/Z, a propagation, nocopy, a consistency. */
export function parseMode(mode: string): ModeInfo | undefined {
  const info: ModeInfo = { readOnly: false, rwGiven: false, nocopy: false };
  const seen = { rw: 0, label: 0, prop: 0, copy: 0, cons: 0 };
  for (const o of mode.split(',')) {
    if (o === 'rw' || o === 'ro') { seen.rw++; info.readOnly = o === 'ro'; info.rwGiven = true; }
    else if (o === 'z' || o === 'Z') seen.label++;
    else if (PROPAGATIONS.includes(o)) { seen.prop++; info.propagation = o; }
    else if (o === 'nocopy') { seen.copy++; info.nocopy = true; }
    else if (CONSISTENCY.includes(o)) seen.cons++;
    else return undefined;
  }
  if (Object.values(seen).some((n) => n > 1)) return undefined;
  return info;
}

function mountConfigError(type: string, why: string): Error {
  return invalidArgument(`invalid mount config for type "${type}": ${why}`);
}

function checkTarget(target: string): string | undefined {
  if (!target.startsWith('/')) return `invalid mount path: '${target}' mount path must be absolute`;
  if (posix.normalize(target) === '/') return `invalid specification: destination can't be '/'`;
  return undefined;
}

function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** One `-v`/Binds entry (Docker's linuxParser.ParseMountRaw). */
export function parseBind(raw: string): PlannedMount {
  if (typeof raw !== 'string') throw invalidArgument(`invalid volume specification: '${String(raw)}'`);
  const arr = raw.split(':');
  let src = '';
  let dst: string;
  let mode = '';
  if (arr.length === 1) dst = arr[0];
  else if (arr.length === 2) {
    if (parseMode(arr[1]) && !arr[1].startsWith('/')) { dst = arr[0]; mode = arr[1]; } else { src = arr[0]; dst = arr[1]; }
  } else if (arr.length === 3) { [src, dst, mode] = arr; } else throw invalidArgument(`invalid volume specification: '${raw}'`);
  if (!dst) throw invalidArgument(`invalid volume specification: '${raw}'`);
  const m = mode ? parseMode(mode) : { readOnly: false, rwGiven: false, nocopy: false, propagation: undefined };
  if (!m) throw invalidArgument(`invalid mode: ${mode}`);
  const type = src.startsWith('/') ? 'bind' : 'volume';
  const bad = checkTarget(dst);
  if (bad) throw invalidArgument(`invalid volume specification: '${raw}': invalid mount config for type "${type}": ${bad}`);
  if (type === 'bind') {
    if (m.nocopy) throw invalidArgument(`invalid mode: ${mode}`);
    return {
      Type: 'bind', Source: cleanPath(src), Destination: cleanPath(dst), Mode: mode, RW: !m.readOnly,
      Propagation: m.propagation ?? 'rprivate', CreateHostPath: true,
    };
  }
  if (!src && m.readOnly) throw invalidArgument(`invalid volume specification: '${raw}': invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes`);
  if (m.propagation) throw invalidArgument(`invalid volume specification: '${raw}': invalid mount config for type "volume": propagation is only valid for bind mounts`);
  return {
    Type: 'volume', Name: src || undefined, Source: '', Destination: cleanPath(dst), Driver: LOCAL_DRIVER,
    Mode: src ? (mode || 'z') : mode, RW: !m.readOnly, Propagation: '', CopyData: !m.nocopy, Anonymous: !src,
    volume: { name: src || undefined, driver: LOCAL_DRIVER },
  };
}

const MOUNT_KEYS = ['Type', 'Source', 'Target', 'ReadOnly', 'Consistency', 'BindOptions', 'VolumeOptions', 'TmpfsOptions'];

/** One HostConfig.Mounts entry (`--mount`), validated as Docker's validateMountConfig. */
export function parseApiMount(m: ApiMount, fileExists: (p: string) => boolean, volumeDriver?: string): PlannedMount {
  if (!m || typeof m !== 'object') throw invalidArgument('invalid mount config: expected an object');
  const type = typeof m.Type === 'string' ? m.Type : '';
  for (const k of Object.keys(m)) {
    if (!MOUNT_KEYS.includes(k) && m[k] !== undefined && m[k] !== null) throw mountConfigError(type, `unknown field ${k}`);
  }
  const target = typeof m.Target === 'string' ? m.Target : '';
  const source = typeof m.Source === 'string' ? m.Source : '';
  const readOnly = m.ReadOnly === true;
  if (!target) throw mountConfigError(type, 'field Target must not be empty');
  const bad = checkTarget(target);
  if (bad) throw mountConfigError(type, bad);
  switch (type) {
    case 'bind': {
      if (!source) throw mountConfigError(type, 'field Source must not be empty');
      const prop = m.BindOptions?.Propagation;
      if (prop && !PROPAGATIONS.includes(prop)) throw mountConfigError(type, `invalid propagation mode: ${prop}`);
      if (m.VolumeOptions) throw mountConfigError(type, 'field VolumeOptions must not be specified');
      if (m.TmpfsOptions) throw mountConfigError(type, 'field TmpfsOptions must not be specified');
      if (!source.startsWith('/')) throw mountConfigError(type, `invalid mount path: '${source}' mount path must be absolute`);
      if (!fileExists(source)) throw mountConfigError(type, `bind source path does not exist: ${source}`);
      return {
        Type: 'bind', Source: cleanPath(source), Destination: cleanPath(target), Mode: '', RW: !readOnly,
        Propagation: prop || 'rprivate', NonRecursive: !!m.BindOptions?.NonRecursive,
      };
    }
    case 'volume': {
      if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified');
      if (m.TmpfsOptions) throw mountConfigError(type, 'field TmpfsOptions must not be specified');
      if (m.VolumeOptions?.Subpath) throw mountConfigError(type, 'volume subpaths are not supported by berth');
      if (!source && readOnly) throw mountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes');
      const driver = checkDriver(m.VolumeOptions?.DriverConfig?.Name || volumeDriver);
      return {
        Type: 'volume', Name: source || undefined, Source: '', Destination: cleanPath(target), Driver: driver,
        Mode: 'z', RW: !readOnly, Propagation: '', CopyData: !m.VolumeOptions?.NoCopy, Anonymous: !source,
        volume: { name: source || undefined, driver, options: m.VolumeOptions?.DriverConfig?.Options ?? null, labels: m.VolumeOptions?.Labels ?? null },
      };
    }
    case 'tmpfs': {
      if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified');
      if (m.VolumeOptions) throw mountConfigError(type, 'field VolumeOptions must not be specified');
      if (source) throw mountConfigError(type, 'field Source must not be specified');
      return {
        Type: 'tmpfs', Source: '', Destination: cleanPath(target), Mode: '', RW: !readOnly, Propagation: '',
        TmpfsData: tmpfsData(m.TmpfsOptions ?? undefined, type),
      };
    }
    default:
      throw mountConfigError(type, 'mount type unknown');
  }
}

/** Docker's ConvertTmpfsOptions: size in k/m/g when it divides evenly, mode in octal. */
function tmpfsData(o: { SizeBytes?: number; Mode?: number; Options?: string[][] } | undefined, type: string): string {
  const out: string[] = [];
  if (!o) return '';
  const size = o.SizeBytes ?? 0;
  if (typeof size !== 'number' || size < 0 || !Number.isInteger(size)) throw mountConfigError(type, `invalid tmpfs size: ${String(size)}`);
  if (size > 0) {
    const units = [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const;
    const u = units.find(([, n]) => size % n === 0);
    out.push(u ? `size=${size / u[1]}${u[0]}` : `size=${size}`);
  }
  if (o.Mode) {
    if (typeof o.Mode !== 'number' || o.Mode < 0 || o.Mode > 0o7777) throw mountConfigError(type, `invalid tmpfs mode: ${String(o.Mode)}`);
    out.push(`mode=${o.Mode.toString(8)}`);
  }
  for (const opt of o.Options ?? []) out.push(opt.filter(Boolean).join('='));
  return out.join(',');
}

/** `--volumes-from c[:ro|rw]` → reference and mode override. */
export function parseVolumesFrom(spec: string): { ref: string; readOnly?: boolean } {
  const i = spec.lastIndexOf(':');
  if (i < 0) return { ref: spec };
  const ref = spec.slice(0, i);
  const mode = spec.slice(i + 1);
  const m = parseMode(mode);
  if (!m || !ref) throw invalidArgument(`invalid mode: ${mode}`);
  return { ref, readOnly: m.rwGiven ? m.readOnly : undefined };
}

export interface PlanInput {
  hostConfig: HostConfig;
  /** Config.Volumes of the request merged with the image's */
  volumes: Record<string, unknown> | null | undefined;
  /** look up a container for --volumes-from (throws not-found) */
  getContainer(ref: string): ContainerRecord;
  fileExists(p: string): boolean;
}

/** Resolve every mount a container will have; no side effects (volumes are created by `materialize`). */
export function planMounts(inp: PlanInput): PlannedMount[] {
  const hc = inp.hostConfig;
  const byDest = new Map<string, PlannedMount>();
  for (const spec of (hc.VolumesFrom ?? []) as string[]) {
    const { ref, readOnly } = parseVolumesFrom(spec);
    const src = inp.getContainer(ref);
    for (const m of src.mounts ?? []) {
      if (m.Type === 'tmpfs') continue;
      const copy: PlannedMount = { ...m, CreateHostPath: m.Type === 'bind' ? m.CreateHostPath : undefined };
      if (readOnly !== undefined) { copy.RW = !readOnly; copy.Mode = readOnly ? 'ro' : 'rw'; }
      byDest.set(m.Destination, copy);
    }
  }
  const user = new Set<string>();
  const add = (m: PlannedMount) => {
    if (user.has(m.Destination)) throw invalidArgument(`Duplicate mount point: ${m.Destination}`);
    user.add(m.Destination);
    byDest.set(m.Destination, m);
  };
  const volumeDriver = typeof hc.VolumeDriver === 'string' && hc.VolumeDriver ? hc.VolumeDriver : undefined;
  for (const raw of (hc.Binds ?? []) as string[]) {
    const m = parseBind(raw);
    if (m.volume) { m.volume.driver = checkDriver(volumeDriver); m.Driver = m.volume.driver; }
    add(m);
  }
  if (hc.Mounts !== undefined && hc.Mounts !== null && !Array.isArray(hc.Mounts)) throw invalidArgument('invalid mount config: Mounts must be a list');
  for (const raw of (hc.Mounts ?? []) as ApiMount[]) add(parseApiMount(raw, inp.fileExists, volumeDriver));
  const tmpfs = hc.Tmpfs ?? {};
  if (typeof tmpfs !== 'object' || Array.isArray(tmpfs)) throw invalidArgument('invalid Tmpfs: expected an object of path → options');
  for (const [dest, data] of Object.entries(tmpfs)) {
    const bad = checkTarget(dest);
    if (bad) throw invalidArgument(`invalid tmpfs mount: ${bad}`);
    add({ Type: 'tmpfs', Source: '', Destination: cleanPath(dest), Mode: '', RW: true, Propagation: '', TmpfsData: String(data ?? ''), Hidden: true });
  }
  for (const dest of Object.keys(inp.volumes ?? {})) {
    const bad = checkTarget(dest);
    if (bad) throw invalidArgument(`invalid volume specification: '${dest}': ${bad}`);
    const d = cleanPath(dest);
    if (byDest.has(d)) continue;
    byDest.set(d, {
      Type: 'volume', Source: '', Destination: d, Driver: LOCAL_DRIVER, Mode: '', RW: true, Propagation: '', CopyData: true, Anonymous: true,
      volume: { driver: checkDriver(volumeDriver) },
    });
  }
  return [...byDest.values()].sort((a, b) => (a.Destination < b.Destination ? -1 : a.Destination > b.Destination ? 1 : 0));
}

export interface MountServiceOptions {
  volumes: VolumeService;
  log: Logger;
}

/** The side-effecting half: creating volumes at create, mounting and copy-up at start, releasing at exit. */
export class ContainerMounts {
  constructor(private readonly o: MountServiceOptions) {}

  /**
   * Create (or find) the volumes of a plan. Returns the mount points to
   * store and an undo that removes the volumes this call created; `release`
   * lets go of the hold that keeps them from prune until the container record exists.
   */
  async materialize(plan: PlannedMount[], containerId: string): Promise<{ mounts: ContainerMount[]; undo(): Promise<void>; release(): void }> {
    const created: string[] = [];
    const releases: (() => void)[] = [];
    const out: ContainerMount[] = [];
    const undo = async () => {
      releases.forEach((r) => r());
      for (const n of created.reverse()) await this.o.volumes.remove(n, { force: true }).catch(() => {});
    };
    try {
      for (const p of plan) {
        const { volume, ...m } = p;
        if (m.Type === 'volume' && volume) {
          let rec = volume.name ? this.o.volumes.tryGet(volume.name) : undefined;
          if (!rec) {
            rec = await this.o.volumes.createRecord({ Name: volume.name, Driver: volume.driver, DriverOpts: volume.options ?? null, Labels: volume.labels ?? null }, { anonymous: !volume.name });
            created.push(rec.name);
          }
          m.Name = rec.name;
          m.Driver = rec.driver;
        }
        if (m.Type === 'volume' && m.Name) {
          releases.push(this.o.volumes.hold(m.Name, containerId));
          m.Source = this.o.volumes.dataPath(m.Name);
        }
        out.push(m);
      }
    } catch (err) {
      await undo();
      throw err;
    }
    return { mounts: out, undo, release: () => releases.forEach((r) => r()) };
  }

  /**
   * Before the runtime starts the container (rootfs mounted): take volume
   * references, copy image content into empty volumes, create missing `-v`
   * host directories. Returns OCI mounts; on failure releases what it took.
   */
  async setup(rec: ContainerRecord, rootfs: string): Promise<Mount[]> {
    const list: SpecMount[] = [];
    const taken: string[] = [];
    try {
      for (const m of rec.mounts ?? []) {
        if (m.Type === 'tmpfs') { list.push({ kind: 'tmpfs', destination: m.Destination, readOnly: !m.RW, tmpfsData: m.TmpfsData }); continue; }
        let source = m.Source;
        if (m.Type === 'bind') {
          const st = await stat(source).catch(() => undefined);
          if (!st) {
            if (!m.CreateHostPath) throw mountConfigError('bind', `bind source path does not exist: ${source}`);
            await mkdir(source, { recursive: true, mode: 0o755 });
          }
        } else {
          source = await this.o.volumes.mount(m.Name!, rec.id, { destination: m.Destination, 'read/write': String(m.RW), propagation: m.Propagation });
          taken.push(m.Name!);
          if (m.CopyData) await this.copyUp(rootfs, m.Destination, m.Name!, source);
        }
        list.push({ kind: 'bind', source, destination: m.Destination, readOnly: !m.RW, propagation: m.Propagation || undefined, nonRecursive: m.NonRecursive });
      }
    } catch (err) {
      for (const n of taken) await this.o.volumes.unmount(n, rec.id).catch(() => {});
      throw err;
    }
    return specMounts(list);
  }

  /** Docker's copy-up: an empty volume gets what the image has at the mount's destination. */
  private async copyUp(rootfs: string, dest: string, name: string, dataPath: string): Promise<void> {
    if (!(await this.o.volumes.isEmpty(name))) return;
    const src = await secureJoin(rootfs, dest);
    const st = await lstat(src).catch(() => undefined);
    if (!st?.isDirectory()) return;
    const r = await copyTreeContents(src, dataPath);
    if (r.skipped) this.o.log.info('copy-up skipped special files', { volume: name, skipped: r.skipped });
  }

  /** After the container stopped (or failed to start): drop its volume references. */
  async release(rec: ContainerRecord): Promise<void> {
    for (const m of rec.mounts ?? []) {
      if (m.Type === 'volume' && m.Name) await this.o.volumes.unmount(m.Name, rec.id).catch((e) => this.o.log.warn('volume unmount failed', { name: m.Name, err: (e as Error).message }));
    }
  }

  /** `rm -v` / `--rm`: remove the container's anonymous volumes nobody else references. Named ones stay. */
  async removeAnonymous(rec: ContainerRecord): Promise<void> {
    for (const m of rec.mounts ?? []) {
      if (m.Type !== 'volume' || !m.Anonymous || !m.Name) continue;
      if (this.o.volumes.references(m.Name).length) continue;
      await this.o.volumes.remove(m.Name).catch((e) => this.o.log.warn('anonymous volume not removed', { name: m.Name, err: (e as Error).message }));
    }
  }
}

