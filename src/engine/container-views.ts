/**
 * engine/container-views — Docker's JSON shapes for a container record:
 * `GET /containers/{id}/json` (inspect) and `GET /containers/json` (summary),
 * the human Status line, and list filters. Pure.
 */
import { invalidArgument } from '../errdefs/errors.js';
import { humanDuration } from '../lib/units.js';
import type { ContainerMount, ContainerRecord } from './container-types.js';
import { portMap, portList } from '../network/port-bindings.js';
import { LOG_DRIVER } from './container-config.js';
import { parseLink } from './container-links.js';

export interface ContainerPaths {
  logPath: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  rootfs: string;
  upperDir: string;
  workDir: string;
  lowerDirs: string[];
}

/** Docker's `Command` column: path and args joined by spaces, unquoted. */
function commandLine(rec: ContainerRecord): string {
  return [rec.path, ...rec.args].join(' ');
}

export function statusLine(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  switch (s.Status) {
    case 'running': return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${s.Health ? ` (${s.Health.Status === 'starting' ? 'health: starting' : s.Health.Status})` : ''}`;
    case 'paused': return `Up ${humanDuration(now - Date.parse(s.StartedAt))} (Paused)`;
    case 'restarting': return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    case 'exited': return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
    default: return 'Created';
  }
}

export function inspectView(rec: ContainerRecord, p: ContainerPaths, networkIdOf: (name: string) => string = () => '') {
  const s = rec.state;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: s.Status,
      Running: s.Status === 'running' || s.Status === 'paused',
      Paused: s.Status === 'paused',
      Restarting: s.Status === 'restarting',
      OOMKilled: s.OOMKilled,
      Dead: s.Status === 'dead',
      Pid: s.Pid,
      ExitCode: s.ExitCode,
      Error: s.Error,
      StartedAt: s.StartedAt,
      FinishedAt: s.FinishedAt,
      ...(s.Health ? { Health: s.Health } : {}),
    },
    Image: rec.imageId,
    ResolvConfPath: p.resolvConfPath,
    HostnamePath: p.hostnamePath,
    HostsPath: p.hostsPath,
    LogPath: p.logPath,
    Name: `/${rec.name}`,
    RestartCount: rec.restartCount,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    // records made before the driver was reported as json-file say k8s-file
    HostConfig: rec.hostConfig.LogConfig?.Type === 'k8s-file' ? { ...rec.hostConfig, LogConfig: { Type: LOG_DRIVER, Config: rec.hostConfig.LogConfig.Config ?? {} } } : rec.hostConfig,
    GraphDriver: {
      Name: 'overlay',
      Data: { LowerDir: p.lowerDirs.join(':'), MergedDir: p.rootfs, UpperDir: p.upperDir, WorkDir: p.workDir },
    },
    Mounts: mountPointsView(rec.mounts),
    Config: { ...rec.config, StopTimeout: rec.config.StopTimeout },
    NetworkSettings: networkSettings(rec, networkIdOf),
  };
}

const isRunning = (rec: ContainerRecord) => rec.state.Status === 'running' || rec.state.Status === 'paused' || rec.state.Status === 'restarting';

/** Docker's EndpointSettings per network: the container's configured networks, with addresses while it runs. */
export function endpointViews(rec: ContainerRecord, networkIdOf: (name: string) => string) {
  const mode = rec.hostConfig.NetworkMode ?? 'bridge';
  const out: Record<string, unknown> = {};
  const eps = rec.net?.endpoints ?? {};
  const names = Object.keys(eps);
  // host and none show their predefined network; container:<id> shows none (as Docker)
  if (!names.length && !mode.startsWith('container:') && (mode === 'host' || mode === 'none' || !rec.net)) names.push(mode);
  for (const name of names) {
    const ep = eps[name];
    const live = ep?.live;
    const user = !!ep && name !== 'bridge';
    out[name] = {
      IPAMConfig: ep?.IPAMConfig ?? null, Links: ep?.Links ?? null, Aliases: ep?.Aliases ?? null, MacAddress: live?.mac ?? '', DriverOpts: ep?.DriverOpts ?? null, GwPriority: 0,
      NetworkID: ep?.NetworkID ?? networkIdOf(name), EndpointID: live?.EndpointID ?? '', Gateway: live?.gateway ?? '', IPAddress: live?.ip ?? '', IPPrefixLen: live?.prefixLen ?? 0,
      IPv6Gateway: live?.gateway6 ?? '', GlobalIPv6Address: live?.ip6 ?? '', GlobalIPv6PrefixLen: live?.prefixLen6 ?? 0,
      DNSNames: user && live ? [rec.name, rec.id.slice(0, 12), ...(ep?.Aliases ?? [])] : null,
    };
  }
  return out;
}

function networkSettings(rec: ContainerRecord, networkIdOf: (name: string) => string) {
  const running = isRunning(rec);
  const def = running ? rec.net?.endpoints.bridge?.live : undefined;
  return {
    Bridge: '',
    SandboxID: running && rec.net?.sandboxKey ? rec.id : '',
    SandboxKey: running ? rec.net?.sandboxKey ?? '' : '',
    Ports: running && rec.hostConfig.NetworkMode !== 'host' && !rec.hostConfig.NetworkMode?.startsWith('container:') ? portMap(rec.config.ExposedPorts, rec.net?.ports ?? []) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: def?.EndpointID ?? '',
    Gateway: def?.gateway ?? '',
    GlobalIPv6Address: def?.ip6 ?? '',
    GlobalIPv6PrefixLen: def?.prefixLen6 ?? 0,
    IPAddress: def?.ip ?? '',
    IPPrefixLen: def?.prefixLen ?? 0,
    IPv6Gateway: def?.gateway6 ?? '',
    MacAddress: def?.mac ?? '',
    Networks: endpointViews(rec, networkIdOf),
  };
}

/**
 * Each container's names as dockerd lists them: its own, then one per legacy
 * link to it (`/web/db` for `web` linking `db` as `db`).
 */
export function linkNames(recs: readonly ContainerRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of recs) {
    for (const l of (r.hostConfig.Links ?? []) as string[]) {
      const { target, alias } = parseLink(l);
      out.set(target, [...(out.get(target) ?? []), `/${r.name}/${alias}`]);
    }
  }
  return out;
}

export function summaryView(rec: ContainerRecord, imageRefDisplay: string, sizeRw?: number, networkIdOf: (name: string) => string = () => '', linkedAs: readonly string[] = []) {
  const mode = rec.hostConfig.NetworkMode ?? 'bridge';
  return {
    Id: rec.id,
    Names: [`/${rec.name}`, ...linkedAs],
    Image: imageRefDisplay,
    ImageID: rec.imageId,
    Command: commandLine(rec),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: isRunning(rec) ? portList(rec.config.ExposedPorts, rec.net?.ports ?? []) : portList(rec.config.ExposedPorts, []),
    ...(sizeRw !== undefined ? { SizeRw: sizeRw } : {}),
    Labels: rec.config.Labels ?? {},
    State: rec.state.Status,
    Status: statusLine(rec),
    HostConfig: { NetworkMode: mode },
    NetworkSettings: { Networks: endpointViews(rec, networkIdOf) },
    Mounts: mountPointsView(rec.mounts),
  };
}

/**
 * Docker's filter JSON: {"name": {"x": true}} or {"name": ["x"]} → map of
 * key → values. As dockerd's filters.FromJSON, the map form's values are
 * its keys whatever their boolean (Args.Get ranges over the keys), so
 * {"label": {"k=v": true}} and {"label": ["k=v"]} are the same filter.
 * Every list endpoint (containers, images, volumes, networks, events,
 * prunes) parses with this.
 */
export function parseFilters(raw: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch (e) { throw invalidArgument(`invalid filter: ${(e as Error).message}`); }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidArgument('invalid filter: expected an object');
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (v && typeof v === 'object') out.set(k, Object.keys(v as Record<string, boolean>));
    else throw invalidArgument(`invalid filter '${k}'`);
  }
  return out;
}

const CONTAINER_FILTERS = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'network', 'health', 'volume', 'publish', 'expose', 'is-task'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export function matchLabel(labels: Record<string, string>, expr: string): boolean {
  const i = expr.indexOf('=');
  if (i < 0) return expr in labels;
  const key = expr.slice(0, i);
  const val = expr.slice(i + 1);
  if (key.endsWith('!')) return labels[key.slice(0, -1)] !== val;
  return labels[key] === val;
}

export function filterContainers(recs: ContainerRecord[], filters: Map<string, string[]>, ancestorIds: (ref: string) => string[]): ContainerRecord[] {
  for (const k of filters.keys()) if (!CONTAINER_FILTERS.includes(k)) throw invalidArgument(`invalid filter '${k}'`);
  for (const s of filters.get('status') ?? []) if (!STATUSES.includes(s)) throw invalidArgument(`invalid filter 'status=${s}'`);
  return recs.filter((r) => {
    const any = (k: string, pred: (v: string) => boolean) => !filters.has(k) || filters.get(k)!.some(pred);
    return any('id', (v) => r.id.startsWith(v))
      && any('name', (v) => { try { return new RegExp(v.replace(/^\//, '')).test(r.name); } catch { return r.name.includes(v); } })
      && (filters.get('label') ?? []).every((v) => matchLabel(r.config.Labels ?? {}, v))
      && any('status', (v) => r.state.Status === v)
      && any('exited', (v) => r.state.Status === 'exited' && String(r.state.ExitCode) === v)
      && any('ancestor', (v) => ancestorIds(v).includes(r.imageId))
      // Docker: a volume name or a mount destination
      && any('volume', (v) => (r.mounts ?? []).some((m) => (m.Type === 'volume' && m.Name === v) || m.Destination === v))
      && any('network', (v) => r.hostConfig.NetworkMode === v || Object.entries(r.net?.endpoints ?? {}).some(([name, ep]) => name === v || (v.length >= 1 && ep.NetworkID.startsWith(v))))
      && any('publish', (v) => portFilter(v, isRunning(r) ? (r.net?.ports ?? []).map((p) => `${p.containerPort}/${p.protocol}`) : []))
      && any('expose', (v) => portFilter(v, Object.keys(r.config.ExposedPorts ?? {})));
  });
}

/** Docker's publish/expose filter value: "80", "80/udp", "8000-8080", "8000-8080/tcp" against "port/proto" keys. */
export function portFilter(value: string, keys: string[]): boolean {
  const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(value.trim());
  if (!m) throw invalidArgument(`invalid filter value: ${value}`);
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  const proto = m[3] ?? 'tcp';
  return keys.some((k) => { const [p, pr = 'tcp'] = k.split('/'); return pr === proto && Number(p) >= lo && Number(p) <= hi; });
}

/** inspect's `Mounts`: Docker's MountPoint fields only (no --tmpfs entries, as Docker). */
export function mountPointsView(mounts: ContainerMount[] | undefined) {
  return (mounts ?? []).filter((m) => !m.Hidden).map((m) => ({
    Type: m.Type,
    ...(m.Type === 'volume' ? { Name: m.Name } : {}),
    Source: m.Source,
    Destination: m.Destination,
    ...(m.Type === 'volume' ? { Driver: m.Driver } : {}),
    Mode: m.Mode,
    RW: m.RW,
    Propagation: m.Propagation,
  }));
}
