/**
 * cli/options/port-specs — `-p [ip:][hostPort:]containerPort[/proto]` into
 * ExposedPorts and PortBindings, ranges included ("8000-8001:80-81").
 * Pure; imports api types and errdefs.
 */
import type { PortMap } from '../../api/types.js';
import { invalidArgument } from '../../errdefs/errors.js';

function parseRange(s: string, spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw invalidArgument(`invalid containerPort: ${s}`);
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  if (lo < 0 || hi > 65535 || hi < lo) throw invalidArgument(`invalid port range: ${s} in ${spec}`);
  return [lo, hi];
}

export function parsePortSpecs(specs: string[]): { exposed: Record<string, Record<string, never>>; bindings: PortMap } {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: PortMap = {};
  for (const spec of specs) {
    let rest = spec;
    let proto = 'tcp';
    const slash = rest.lastIndexOf('/');
    if (slash >= 0) { proto = rest.slice(slash + 1).toLowerCase(); rest = rest.slice(0, slash); }
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw invalidArgument(`invalid proto: ${proto}`);
    let ip = '';
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    if (v6) { ip = v6[1]; rest = v6[2]; }
    const parts = rest.split(':');
    let host = '';
    let container: string;
    if (parts.length === 1) container = parts[0];
    else if (parts.length === 2) { host = parts[0]; container = parts[1]; }
    else if (parts.length === 3 && !v6) { ip = parts[0]; host = parts[1]; container = parts[2]; }
    else throw invalidArgument(`invalid port format for -p: ${spec}`);
    if (container === '') throw invalidArgument(`no port specified: ${spec}<empty>`);
    const [clo, chi] = parseRange(container, spec);
    let hlo = 0, hhi = 0;
    if (host !== '') [hlo, hhi] = parseRange(host, spec);
    const hostIsRange = host !== '' && hhi !== hlo;
    if (hostIsRange && chi !== clo && hhi - hlo !== chi - clo) {
      throw invalidArgument(`invalid ranges specified for container and host Ports: ${container} and ${host}`);
    }
    for (let p = clo; p <= chi; p++) {
      const key = `${p}/${proto}`;
      exposed[key] = {};
      let hostPort = '';
      if (host !== '') hostPort = chi !== clo ? String(hlo + (p - clo)) : host;
      (bindings[key] ??= [])!.push({ HostIp: ip, HostPort: hostPort });
    }
  }
  return { exposed, bindings };
}
