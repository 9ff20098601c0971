/**
 * engine/volumes — Docker's volume semantics on the local driver: create
 * (named or anonymous, labels, driver options; creating an existing name
 * returns it), list with filters (dangling, name, label, driver), inspect,
 * remove (409 while any container references it), prune (anonymous only by
 * default, as Docker >= 23 / API 1.42; `all=true` for named ones too), and
 * the per-container mount/unmount the container service calls at start and
 * exit. Sizes for `system df`.
 *
 * A volume is *referenced* by every container whose mount points name it
 * (running or not) and, briefly, by a container being created (`hold`).
 * Records: a directory is made before its row is inserted and the row is
 * deleted before the directory, so reconcile can drop orphan directories.
 *
 * May import: volumes, metadata, lib, errdefs.
 */
import { randomBytes } from 'node:crypto';
import { conflict, invalidArgument, notFound } from '../errdefs/errors.js';
import type { Logger } from '../lib/log.js';
import type { VolumeRecords } from '../metadata/volume-records.js';
import { LOCAL_DRIVER, type LocalVolumeDriver } from '../volumes/local-driver.js';
import type { EventPublisher } from './events.js';

/** Docker labels anonymous volumes with this (API 1.42+), and prunes only those by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface VolumeRecord {
  name: string;
  driver: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
  createdAt: string;
  anonymous?: boolean;
}

export interface VolumeView {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local';
  UsageData?: { Size: number; RefCount: number };
}

export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface VolumeServiceOptions {
  records: VolumeRecords<VolumeRecord>;
  driver: LocalVolumeDriver;
  log: Logger;
  events?: EventPublisher;
}

/** Go's %q of a string: what dockerd prints around a refused name (a NUL shows as \x00). */
export function goQuote(s: string): string {
  const esc: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (esc[ch]) out += esc[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** A local volume's name is one directory name under the volumes root. */
const MAX_NAME_BYTES = 255;

/** dockerd's local driver's checks (volume/local validateName), with its messages. */
export function validateVolumeName(name: string): void {
  if (name.length === 1) throw invalidArgument(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!NAME_RE.test(name)) {
    throw invalidArgument(`create ${name}: ${goQuote(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  // dockerd fails here with a 500 naming the host path it could not mkdir ("file name too long")
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw invalidArgument(`create ${name}: volume name is too long, names can be at most ${MAX_NAME_BYTES} characters`);
}

export function checkDriver(driver: string | undefined): string {
  const d = driver || LOCAL_DRIVER;
  if (d !== LOCAL_DRIVER) throw notFound(`error looking up volume plugin ${d}: plugin "${d}" not found`, 'NO_SUCH_VOLUME_DRIVER');
  return d;
}

function rfc3339(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

export class VolumeService {
  private referencedBy: (name: string) => string[] = () => [];
  private readonly holds = new Map<string, Set<string>>();

  constructor(private readonly o: VolumeServiceOptions) {}

  /** The container service tells which containers reference a volume (wired by the daemon). */
  bindReferences(fn: (name: string) => string[]): void {
    this.referencedBy = fn;
  }

  async init(): Promise<void> {
    await this.o.driver.init();
  }

  dataPath(name: string): string {
    return this.o.driver.dataPath(name);
  }

  tryGet(name: string): VolumeRecord | undefined {
    return this.o.records.get(name);
  }

  get(name: string): VolumeRecord {
    const r = this.o.records.get(name);
    if (!r) throw notFound(`get ${name}: no such volume`, 'NO_SUCH_VOLUME');
    return r;
  }

  view(r: VolumeRecord): VolumeView {
    return {
      CreatedAt: rfc3339(r.createdAt), Driver: r.driver, Labels: r.labels, Mountpoint: this.dataPath(r.name),
      Name: r.name, Options: r.options, Scope: 'local',
    };
  }

  inspect(name: string): VolumeView {
    return this.view(this.get(name));
  }

  /** POST /volumes/create. An existing volume of the same name is returned as is (Docker does the same). */
  async create(req: VolumeCreateRequest, opts: { anonymous?: boolean } = {}): Promise<VolumeView> {
    return this.view(await this.createRecord(req, opts));
  }

  async createRecord(req: VolumeCreateRequest, opts: { anonymous?: boolean } = {}): Promise<VolumeRecord> {
    if (req.Name !== undefined && req.Name !== null && typeof req.Name !== 'string') throw invalidArgument('invalid volume name');
    const driver = checkDriver(req.Driver);
    const name = req.Name || randomBytes(32).toString('hex');
    validateVolumeName(name);
    const existing = this.o.records.get(name);
    if (existing) {
      if (existing.driver !== driver) throw conflict(`create ${name}: volume name already exists with a different driver: ${existing.driver}`, 'VOLUME_NAME_IN_USE');
      return existing;
    }
    const options = req.DriverOpts && Object.keys(req.DriverOpts).length ? { ...req.DriverOpts } : req.DriverOpts ?? null;
    for (const [k, v] of Object.entries(options ?? {})) if (typeof v !== 'string') throw invalidArgument(`invalid value for option ${JSON.stringify(k)}`);
    let labels = req.Labels ?? null;
    if (opts.anonymous) labels = { ...(labels ?? {}), [ANONYMOUS_LABEL]: '' };
    const rec: VolumeRecord = { name, driver, labels, options, createdAt: new Date().toISOString(), ...(opts.anonymous ? { anonymous: true } : {}) };
    await this.o.driver.create(name, options);
    try {
      this.o.records.insert(rec);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_CONSTRAINT')) { const other = this.o.records.get(name); if (other) return other; }
      await this.o.driver.remove(name).catch(() => {});
      throw err;
    }
    this.o.events?.publish('volume', 'create', name, { driver });
    return rec;
  }

  /** Keep a volume from being removed or pruned while a container that uses it is being created. */
  hold(name: string, key: string): () => void {
    let set = this.holds.get(name);
    if (!set) this.holds.set(name, (set = new Set()));
    set.add(key);
    return () => { set!.delete(key); if (!set!.size) this.holds.delete(name); };
  }

  references(name: string): string[] {
    return [...new Set([...this.referencedBy(name), ...(this.holds.get(name) ?? [])])];
  }

  list(rawFilters?: Map<string, string[]>): { Volumes: VolumeView[]; Warnings: string[] | null } {
    const f = rawFilters ?? new Map<string, string[]>();
    for (const k of f.keys()) if (!['dangling', 'name', 'label', 'driver'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const dangling = f.get('dangling')?.map((v) => {
      const b = boolFilter(v);
      if (b === undefined) throw invalidArgument(`invalid filter 'dangling=${v}'`);
      return b;
    });
    const recs = this.o.records.list().filter((r) => {
      if (dangling?.length && !dangling.includes(this.references(r.name).length === 0)) return false;
      if (f.has('name') && !f.get('name')!.some((v) => { try { return new RegExp(v).test(r.name); } catch { return r.name.includes(v); } })) return false;
      if (f.has('driver') && !f.get('driver')!.includes(r.driver)) return false;
      return (f.get('label') ?? []).every((v) => matchLabel(r.labels ?? {}, v));
    });
    return { Volumes: recs.map((r) => this.view(r)), Warnings: null };
  }

  /** DELETE /volumes/{name}: 409 while referenced; `force` ignores a missing volume and purges a record the driver cannot delete. */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    const rec = this.o.records.get(name);
    if (!rec) {
      if (opts.force) return;
      throw notFound(`get ${name}: no such volume`, 'NO_SUCH_VOLUME');
    }
    const users = this.references(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`, 'VOLUME_IN_USE');
    this.o.records.delete(name);
    try {
      await this.o.driver.remove(name);
    } catch (err) {
      if (!opts.force) { this.o.records.insert(rec); throw err; }
      this.o.log.warn('volume directory removal failed; record purged', { name, err: (err as Error).message });
    }
    this.o.events?.publish('volume', 'destroy', name, { driver: rec.driver });
  }

  /**
   * POST /volumes/prune: unreferenced volumes matching the filters. Anonymous
   * ones only unless `all=true` — and before API 1.42, when Docker pruned
   * every unused volume.
   */
  async prune(rawFilters: Map<string, string[]> | undefined, o: { allByDefault?: boolean } = {}): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    const f = rawFilters ?? new Map<string, string[]>();
    for (const k of f.keys()) if (!['label', 'label!', 'all'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    let all = !!o.allByDefault;
    for (const v of f.get('all') ?? []) {
      const b = boolFilter(v);
      if (b === undefined) throw invalidArgument(`invalid filter 'all=${v}'`);
      all = b;
    }
    const deleted: string[] = [];
    let space = 0;
    for (const r of this.o.records.list()) {
      const labels = r.labels ?? {};
      if (!all && !(ANONYMOUS_LABEL in labels)) continue;
      if (!(f.get('label') ?? []).every((v) => matchLabel(labels, v))) continue;
      if ((f.get('label!') ?? []).some((v) => matchLabel(labels, v))) continue;
      if (this.references(r.name).length) continue;
      const size = await this.o.driver.size(r.name);
      try {
        await this.remove(r.name);
        deleted.push(r.name);
        space += size;
      } catch (err) {
        this.o.log.warn('prune: volume not removed', { name: r.name, err: (err as Error).message });
      }
    }
    this.o.events?.publish('volume', 'prune', '', { reclaimed: String(space) });
    return { VolumesDeleted: deleted, SpaceReclaimed: space };
  }

  /** For a starting container: take a reference (mounting the device of a volume with options). */
  async mount(name: string, containerId: string, attrs: Record<string, string>): Promise<string> {
    const rec = this.get(name);
    const path = await this.o.driver.mount(name, rec.options, containerId);
    this.o.events?.publish('volume', 'mount', name, { driver: rec.driver, container: containerId, ...attrs });
    return path;
  }

  async unmount(name: string, containerId: string): Promise<void> {
    const rec = this.o.records.get(name);
    if (!rec) return;
    await this.o.driver.unmount(name, rec.options, containerId);
    this.o.events?.publish('volume', 'unmount', name, { driver: rec.driver, container: containerId });
  }

  isEmpty(name: string): Promise<boolean> {
    return this.o.driver.isEmpty(name);
  }

  /** `system df`: every volume with its size and how many containers reference it. */
  async usage(): Promise<VolumeView[]> {
    const out: VolumeView[] = [];
    for (const r of this.o.records.list()) {
      out.push({ ...this.view(r), UsageData: { Size: await this.o.driver.size(r.name), RefCount: this.references(r.name).length } });
    }
    return out;
  }

  /**
   * After a (re)start: `users` maps volume name → running containers that
   * use it. Rebuild the driver's counts, unmount what nobody needs (stale
   * after kill -9), delete directories that never got a record.
   */
  async reconcile(users: Map<string, string[]>): Promise<void> {
    const known = new Set(this.o.records.list().map((r) => r.name));
    for (const r of this.o.records.list()) {
      const u = users.get(r.name) ?? [];
      this.o.driver.restoreUsers(r.name, []);
      if (u.length) {
        // the device must be there for containers that start later
        for (const id of u) await this.o.driver.mount(r.name, r.options, id).catch((e) => this.o.log.warn('remount failed', { name: r.name, err: (e as Error).message }));
      } else {
        await this.o.driver.unmountStale(r.name).catch((e) => this.o.log.warn('stale unmount failed', { name: r.name, err: (e as Error).message }));
      }
    }
    for (const n of await this.o.driver.listOnDisk()) {
      if (!known.has(n)) {
        this.o.log.info('removing volume directory without a record', { name: n });
        await this.o.driver.remove(n).catch(() => {});
      }
    }
  }
}

function boolFilter(v: string): boolean | undefined {
  const s = v.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return undefined;
}

function matchLabel(labels: Record<string, string>, expr: string): boolean {
  const i = expr.indexOf('=');
  if (i < 0) return expr in labels;
  return labels[expr.slice(0, i)] === expr.slice(i + 1);
}
