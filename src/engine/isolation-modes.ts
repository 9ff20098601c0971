/**
 * engine/isolation-modes — the HostConfig fields that choose which
 * namespaces, devices and resource limits a container gets, as dockerd
 * reads them:
 *
 * - `PidMode` (`--pid`): private (default) | `host` | `container:<id>`;
 * - `IpcMode` (`--ipc`): `private` (default) | `shareable` (its /dev/shm is
 *   a tmpfs berthd mounts on the host, so others can share it) | `none` |
 *   `host` (the host's /dev/shm) | `container:<id>` (the IPC namespace and
 *   /dev/shm of a running `shareable` or `host` container);
 * - `UTSMode` (`--uts`): private | `host` (no hostname of its own);
 * - `CgroupnsMode` (`--cgroupns`): `private` | `host` (default: private on
 *   cgroup v2, host on v1, as dockerd);
 * - `UsernsMode` (`--userns`): only the host's (`""`/`host`): no remapping;
 * - `Devices` (`--device /dev/x[:/dev/y[:rwm]]`, a directory adds the devices
 *   below it) and `DeviceCgroupRules` (`--device-cgroup-rule 'c 1:3 mr'`);
 * - `Ulimits` (`--ulimit nofile=1024:2048`): a hard limit above berthd's own
 *   is refused (an unprivileged host cannot raise it; the runtime would
 *   fail).
 *
 * `validateIsolation` checks at create (400 with Docker's wording, before
 * anything exists); `resolveIsolation` turns the fields into spec options at
 * start, when `container:` targets must be running.
 *
 * May import: errdefs, oci (types), runtime/spec (types).
 */
import { stat, readdir } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { invalidArgument, notImplemented, conflict } from '../errdefs/errors.js';
import type { DeviceCgroup } from '../oci/runtime-spec.js';
import type { SpecIsolation, SpecDevice } from '../runtime/spec.js';
import type { HostConfig } from './container-types.js';

export interface Ulimit { Name: string; Soft: number; Hard: number }
export interface DeviceMapping { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }

export const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

/** What the isolation code needs of other containers. */
export interface IsolationTargets {
  /** The container's ID (throws not-found) */
  idOf(ref: string): string;
  /** Its init pid when running, else undefined */
  runningPid(id: string): number | undefined;
  /** Its IpcMode */
  ipcMode(id: string): string;
  /** Where a `shareable` container's /dev/shm is mounted on the host */
  shmPath(id: string): string;
}

function modeTarget(mode: string): string | undefined {
  return mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

/** Create-time checks of PidMode, IpcMode, UTSMode, CgroupnsMode, UsernsMode, Devices, DeviceCgroupRules, Ulimits. Returns the fields normalised. */
export function validateIsolation(hc: HostConfig, o: { targets: IsolationTargets; ownHardLimits: Record<string, number | undefined> }): Partial<HostConfig> {
  const out: Partial<HostConfig> = {};
  const pid = String(hc.PidMode ?? '');
  if (pid && pid !== 'host' && !modeTarget(pid)) throw invalidArgument(`invalid PID mode: ${pid}`);
  const ipc = String(hc.IpcMode ?? '');
  if (ipc && !['private', 'shareable', 'none', 'host'].includes(ipc) && !modeTarget(ipc)) throw invalidArgument(`invalid IPC mode: ${ipc}`);
  const uts = String(hc.UTSMode ?? '');
  if (uts && uts !== 'host') throw invalidArgument(`invalid UTS mode: ${uts}`);
  const cgns = String(hc.CgroupnsMode ?? '');
  if (cgns && !['private', 'host'].includes(cgns)) throw invalidArgument(`invalid cgroup namespace mode: ${cgns}`);
  const userns = String(hc.UsernsMode ?? '');
  if (userns && userns !== 'host') throw notImplemented(`user namespace remapping (--userns=${userns}) is not supported by berth`);
  for (const [kind, mode] of [['PID', pid], ['IPC', ipc]] as const) {
    const ref = modeTarget(mode);
    if (ref !== undefined) {
      if (!ref) throw invalidArgument(`invalid ${kind} mode: ${mode}`);
      // bad input, not a missing thing: a 404 on create makes the docker CLI try to pull the image
      try { o.targets.idOf(ref); } catch (err) { throw invalidArgument(`invalid ${kind} mode ${mode}: No such container: ${ref}`, 'INVALID_PARAMETER', err); }
    }
  }
  out.Devices = ((hc.Devices ?? []) as DeviceMapping[]).map((d) => {
    if (!d || typeof d.PathOnHost !== 'string' || !d.PathOnHost.startsWith('/')) throw invalidArgument(`invalid device mapping ${JSON.stringify(d)}: PathOnHost must be an absolute path`);
    const inCtr = d.PathInContainer || d.PathOnHost;
    if (!inCtr.startsWith('/')) throw invalidArgument(`invalid device mapping: ${inCtr} is not an absolute path`);
    try { statSync(d.PathOnHost); } catch (err) {
      throw deviceError(d.PathOnHost, err);
    }
    const perms = d.CgroupPermissions || 'rwm';
    if (!/^[rwm]{1,3}$/.test(perms)) throw invalidArgument(`invalid device mapping: permissions ${perms} (a combination of r, w, m)`);
    return { PathOnHost: d.PathOnHost, PathInContainer: inCtr, CgroupPermissions: perms };
  });
  out.DeviceCgroupRules = ((hc.DeviceCgroupRules ?? []) as string[]).map((r) => { parseDeviceRule(r); return r; });
  out.Ulimits = ((hc.Ulimits ?? []) as Ulimit[]).map((u) => {
    if (!u || !ULIMIT_NAMES.includes(u.Name)) throw invalidArgument(`invalid ulimit type: ${u?.Name}`);
    if (!Number.isInteger(u.Soft) || !Number.isInteger(u.Hard)) throw invalidArgument(`invalid ulimit ${u.Name}: soft and hard must be integers`);
    if (u.Soft > u.Hard && u.Hard !== -1) throw invalidArgument(`ulimit soft limit must be less than hard limit: ${u.Soft} > ${u.Hard}`);
    const own = o.ownHardLimits[u.Name];
    const wanted = u.Hard === -1 ? Infinity : u.Hard;
    if (own !== undefined && wanted > own) {
      throw invalidArgument(`ulimit ${u.Name}: hard limit ${u.Hard === -1 ? 'unlimited' : u.Hard} is above berthd's own (${own}), which cannot be raised on this host`);
    }
    return { Name: u.Name, Soft: u.Soft, Hard: u.Hard };
  });
  return out;
}

/** `c 1:3 mr`, `b *:* rwm`, `a` → a device cgroup allow rule. */
export function parseDeviceRule(rule: string): DeviceCgroup {
  const m = /^([abc])(?: (\d+|\*):(\d+|\*) ([rwm]{1,3}))?$/.exec(rule.trim());
  if (!m) throw invalidArgument(`invalid device cgroup rule format: '${rule}'`);
  if (m[1] === 'a' && !m[2]) return { allow: true, type: 'a', access: 'rwm' };
  if (!m[2]) throw invalidArgument(`invalid device cgroup rule format: '${rule}'`);
  return { allow: true, type: m[1] as 'b' | 'c', ...(m[2] !== '*' ? { major: Number(m[2]) } : {}), ...(m[3] !== '*' ? { minor: Number(m[3]) } : {}), access: m[4] };
}

/** dockerd's message for a --device it cannot use: a stat error, or why. */
function deviceError(path: string, why: unknown) {
  const reason = typeof why === 'string' ? why : (why as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (why as Error).message;
  return invalidArgument(`error gathering device information while adding custom device "${path}": ${reason}`);
}

/** The device nodes at `path` (itself, or every one below a directory). */
async function devicesAt(path: string, inCtr: string, perms: string): Promise<SpecDevice[]> {
  let st;
  try { st = await stat(path); } catch (err) { throw deviceError(path, err); }
  if (st.isDirectory()) {
    const out: SpecDevice[] = [];
    for (const n of await readdir(path)) {
      try { out.push(...(await devicesAt(join(path, n), join(inCtr, n), perms))); } catch { /* not a device: skipped, as Docker */ }
    }
    return out;
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw deviceError(path, 'not a device node');
  const rdev = st.rdev;
  const major = Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
  const minor = Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn);
  return [{ path: inCtr, type: st.isCharacterDevice() ? 'c' : 'b', major, minor, fileMode: st.mode & 0o777, uid: st.uid, gid: st.gid, access: perms }];
}

/** Start-time: the spec's namespaces, devices and rlimits for `hc`. */
export async function resolveIsolation(hc: HostConfig, o: { targets: IsolationTargets; cgroupVersion: 1 | 2; privileged: boolean; ownShm?: string }): Promise<SpecIsolation> {
  const joinNs = (mode: string, kind: 'pid' | 'ipc') => {
    const ref = modeTarget(mode)!;
    const id = o.targets.idOf(ref);
    const pid = o.targets.runningPid(id);
    if (!pid) throw conflict(`cannot join ${kind.toUpperCase()} namespace of a non running container: ${id}`, 'CONTAINER_NOT_RUNNING');
    return { pid, path: `/proc/${pid}/ns/${kind}` };
  };
  const iso: SpecIsolation = {};
  const pidMode = String(hc.PidMode ?? '');
  if (pidMode === 'host') iso.pid = 'host';
  else if (modeTarget(pidMode)) iso.pid = { path: joinNs(pidMode, 'pid').path };
  const ipcMode = String(hc.IpcMode ?? '');
  if (ipcMode === 'host') { iso.ipc = 'host'; iso.shm = { bind: '/dev/shm' }; }
  else if (modeTarget(ipcMode)) {
    const id = o.targets.idOf(modeTarget(ipcMode)!);
    const donor = o.targets.ipcMode(id);
    if (donor !== 'shareable' && donor !== 'host') throw conflict(`container ${id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    const t = joinNs(ipcMode, 'ipc');
    iso.ipc = { path: t.path };
    iso.shm = { bind: donor === 'host' ? '/dev/shm' : o.targets.shmPath(id) };
  } else if (ipcMode === 'none') iso.shm = 'none';
  else if (ipcMode === 'shareable' && o.ownShm) iso.shm = { bind: o.ownShm };
  if (hc.UTSMode === 'host') iso.uts = 'host';
  const cg = String(hc.CgroupnsMode ?? '');
  iso.cgroupns = cg ? cg === 'private' : o.cgroupVersion === 2;
  const devices: SpecDevice[] = [];
  for (const d of (hc.Devices ?? []) as DeviceMapping[]) devices.push(...(await devicesAt(d.PathOnHost, d.PathInContainer || d.PathOnHost, d.CgroupPermissions || 'rwm')));
  if (devices.length) iso.devices = devices;
  const rules = ((hc.DeviceCgroupRules ?? []) as string[]).map(parseDeviceRule);
  if (rules.length) iso.deviceRules = rules;
  const ul = (hc.Ulimits ?? []) as Ulimit[];
  if (ul.length) iso.rlimits = ul.map((u) => ({ type: `RLIMIT_${u.Name.toUpperCase()}`, soft: u.Soft === -1 ? Number.MAX_SAFE_INTEGER : u.Soft, hard: u.Hard === -1 ? Number.MAX_SAFE_INTEGER : u.Hard }));
  return iso;
}

/** berthd's own hard limits by Docker's ulimit names, from /proc/self/limits text. */
export function parseOwnLimits(text: string): Record<string, number | undefined> {
  const rows: Record<string, string> = {
    'Max core file size': 'core', 'Max cpu time': 'cpu', 'Max data size': 'data', 'Max file size': 'fsize', 'Max file locks': 'locks',
    'Max locked memory': 'memlock', 'Max msgqueue size': 'msgqueue', 'Max nice priority': 'nice', 'Max open files': 'nofile',
    'Max processes': 'nproc', 'Max resident set': 'rss', 'Max realtime priority': 'rtprio', 'Max realtime timeout': 'rttime',
    'Max pending signals': 'sigpending', 'Max stack size': 'stack',
  };
  const out: Record<string, number | undefined> = {};
  for (const line of text.split('\n')) {
    for (const [label, name] of Object.entries(rows)) {
      if (!line.startsWith(label)) continue;
      const hard = line.slice(label.length).trim().split(/\s+/)[1];
      out[name] = hard === 'unlimited' || hard === undefined ? undefined : Number(hard);
    }
  }
  return out;
}
