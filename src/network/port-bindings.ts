/**
 * network/port-bindings — Docker's published-port semantics, pure:
 * HostConfig.PortBindings (+ PublishAllPorts over ExposedPorts) into a list
 * of port mappings to program, and the live mappings back into Docker's
 * `NetworkSettings.Ports` map and the `Ports` list of `GET /containers/json`.
 *
 * Vocabulary: a port key is "3000/tcp"; a `PortMapping` is one host
 * address/port (or host port range to pick from, or 0 = any) bound to one
 * container port. Imports errdefs and network/cidr.
 */
import { invalidArgument, notImplemented } from '../errdefs/errors.js';
import { parseIp } from './cidr.js';

export type Protocol = 'tcp' | 'udp';

export interface PortMapping {
  containerPort: number;
  protocol: Protocol;
  /** "" = every host address (0.0.0.0). */
  hostIp: string;
  /** First acceptable host port; 0 = any free port. */
  hostPort: number;
  /** Last acceptable host port of a range ("8000-8010:80"); equals hostPort otherwise. */
  hostPortEnd: number;
}

/** A mapping with its host port decided. */
export interface BoundPort { containerPort: number; protocol: Protocol; hostIp: string; hostPort: number }

export type PortBindingMap = Record<string, { HostIp?: string; HostPort?: string }[] | null | undefined>;

/** "3000/tcp" → [3000, 'tcp']; protocol defaults to tcp as in Docker's nat.SplitProtoPort. */
export function parsePortKey(key: string): { port: number; protocol: Protocol } {
  const [p, proto = 'tcp', ...rest] = key.split('/');
  const port = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
  if (rest.length || !(port >= 1 && port <= 65535)) throw invalidArgument(`invalid port specification: "${key}"`);
  const protocol = proto.toLowerCase();
  if (protocol === 'sctp') throw notImplemented('publishing or exposing sctp ports is not supported by berth yet');
  if (protocol !== 'tcp' && protocol !== 'udp') throw invalidArgument(`invalid proto: ${proto}`);
  return { port, protocol };
}

function parseHostPort(v: string, key: string): [number, number] {
  if (v === '') return [0, 0];
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] ? Number(m[2]) : lo;
  if (!m || lo < 0 || hi > 65535 || hi < lo || (lo === 0 && hi !== 0)) throw invalidArgument(`invalid port specification: "${v}" (for ${key})`);
  return [lo, hi];
}

/** Validate and expand PortBindings (+ PublishAllPorts) into mappings, in a stable order. */
export function portMappings(bindings: PortBindingMap | null | undefined, opts: { exposed?: Record<string, unknown>; publishAll?: boolean } = {}): PortMapping[] {
  const out: PortMapping[] = [];
  const keys = new Set(Object.keys(bindings ?? {}));
  if (opts.publishAll) for (const k of Object.keys(opts.exposed ?? {})) keys.add(k);
  for (const key of [...keys].sort(comparePortKeys)) {
    const { port, protocol } = parsePortKey(key);
    let list = bindings?.[key] ?? [];
    if (!list.length && opts.publishAll) list = [{ HostIp: '', HostPort: '' }];
    for (const b of list) {
      const hostIp = (b?.HostIp ?? '').trim();
      if (hostIp && hostIp !== '0.0.0.0' && parseIp(hostIp) === undefined) {
        if (hostIp.includes(':')) throw notImplemented(`publishing ports on IPv6 addresses (${hostIp}) is not supported by berth yet`);
        throw invalidArgument(`invalid host IP address: ${hostIp}`);
      }
      const [lo, hi] = parseHostPort((b?.HostPort ?? '').trim(), key);
      out.push({ containerPort: port, protocol, hostIp: hostIp === '0.0.0.0' ? '' : hostIp, hostPort: lo, hostPortEnd: hi });
    }
  }
  // the same host address:port twice in one container can never both bind
  const seen = new Set<string>();
  for (const m of out) {
    if (m.hostPort === 0 || m.hostPort !== m.hostPortEnd) continue;
    const k = `${m.hostIp || '0.0.0.0'}:${m.hostPort}/${m.protocol}`;
    if (seen.has(k)) throw invalidArgument(`Bind for ${m.hostIp || '0.0.0.0'}:${m.hostPort} failed: port is already allocated`);
    seen.add(k);
  }
  return out;
}

function comparePortKeys(a: string, b: string): number {
  const [pa, ta = 'tcp'] = a.split('/');
  const [pb, tb = 'tcp'] = b.split('/');
  return Number(pa) - Number(pb) || ta.localeCompare(tb);
}

/** Docker's NetworkSettings.Ports: every exposed or published port; null when not published. */
export function portMap(exposed: Record<string, unknown> | undefined, bound: BoundPort[]): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of Object.keys(exposed ?? {})) {
    const { port, protocol } = safeKey(k);
    out[`${port}/${protocol}`] = null;
  }
  for (const b of bound) {
    const k = `${b.containerPort}/${b.protocol}`;
    (out[k] ??= []).push({ HostIp: b.hostIp || '0.0.0.0', HostPort: String(b.hostPort) });
  }
  return out;
}

/** The `Ports` column of GET /containers/json. */
export function portList(exposed: Record<string, unknown> | undefined, bound: BoundPort[]): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  const published = new Set(bound.map((b) => `${b.containerPort}/${b.protocol}`));
  for (const b of bound) out.push({ IP: b.hostIp || '0.0.0.0', PrivatePort: b.containerPort, PublicPort: b.hostPort, Type: b.protocol });
  for (const k of Object.keys(exposed ?? {})) {
    const { port, protocol } = safeKey(k);
    if (!published.has(`${port}/${protocol}`)) out.push({ PrivatePort: port, Type: protocol });
  }
  return out;
}

function safeKey(k: string): { port: number; protocol: string } {
  const [p, proto = 'tcp'] = k.split('/');
  return { port: Number(p), protocol: proto };
}
