/**
 * engine/container-links — Docker's legacy links (`docker run --link
 * NAME[:ALIAS]`) on the default bridge: at start the linked container must
 * run there, and the linking one gets
 *
 * - an /etc/hosts line `<ip> <alias> <short id> <name>`;
 * - environment variables `<ALIAS>_NAME=/<self>/<alias>`,
 *   `<ALIAS>_PORT=tcp://<ip>:<lowest port>`, per exposed port
 *   `<ALIAS>_PORT_<p>_<PROTO>[_ADDR|_PORT|_PROTO]`, and the target's own
 *   environment as `<ALIAS>_ENV_<VAR>` (HOME and PATH left out).
 *
 * HostConfig.Links is stored as dockerd shows it: `/<target>:/<self>/<alias>`.
 * With a user-defined network mode HostConfig.Links are ignored, as dockerd
 * does; links there are endpoint links, DNS aliases for the linking
 * container only (engine/dns-names).
 *
 * Pure: the records come in, lines and variables go out.
 *
 * May import: errdefs, engine types.
 */
import { conflict, invalidArgument } from '../errdefs/errors.js';
import type { ContainerRecord } from './container-types.js';

export interface ParsedLink { target: string; alias: string }

/** `NAME[:ALIAS]` or dockerd's stored `/NAME:/SELF/ALIAS` → target and alias. */
export function parseLink(link: string): ParsedLink {
  const stored = /^\/([^:]+):\/[^/]+\/(.+)$/.exec(link);
  if (stored) return { target: stored[1], alias: stored[2] };
  const [target, alias, extra] = link.split(':');
  if (!target || extra !== undefined || alias === '') throw invalidArgument(`invalid link format: ${link} (NAME[:ALIAS])`);
  const a = alias ?? target;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(a)) throw invalidArgument(`invalid link alias: ${a}`);
  return { target: target.replace(/^\//, ''), alias: a };
}

/** Links as dockerd stores them, each target resolved to a container name (`lookup` throws for unknown ones). */
export function normalizeLinks(links: readonly string[], self: string, lookup: (ref: string) => ContainerRecord): string[] {
  return links.map((l) => {
    const p = parseLink(l);
    let target: ContainerRecord;
    try { target = lookup(p.target); } catch (err) { throw invalidArgument(`could not get container for ${p.target}: No such container: ${p.target}`, 'INVALID_PARAMETER', err); }
    if (target.name === self) throw invalidArgument('a container cannot link to itself');
    return `/${target.name}:/${self}/${p.alias}`;
  });
}

export interface LinkTarget { rec: ContainerRecord; ip: string }

/** The running targets of `rec`'s links on the default bridge (throws as dockerd when one is not running or not there). */
export function linkTargets(rec: ContainerRecord, lookup: (ref: string) => ContainerRecord | undefined): { link: ParsedLink; target: LinkTarget }[] {
  const out: { link: ParsedLink; target: LinkTarget }[] = [];
  for (const l of (rec.hostConfig.Links ?? []) as string[]) {
    const link = parseLink(l);
    const t = lookup(link.target);
    const running = t && (t.state.Status === 'running' || t.state.Status === 'paused');
    if (!t || !running) throw conflict(`Cannot link to a non running container: /${link.target} AS /${rec.name}/${link.alias}`, 'CONTAINER_NOT_RUNNING');
    const ip = t.net?.endpoints.bridge?.live?.ip;
    if (!ip) throw conflict(`Cannot link to /${t.name}, as it does not belong to the default network`);
    out.push({ link, target: { rec: t, ip } });
  }
  return out;
}

/** /etc/hosts lines for the links. */
export function linkHostLines(links: { link: ParsedLink; target: LinkTarget }[]): string[] {
  return links.map(({ link, target }) => {
    const names = [link.alias, target.rec.id.slice(0, 12), target.rec.name].filter((n, i, a) => a.indexOf(n) === i);
    return `${target.ip}\t${names.join(' ')}`;
  });
}

/** The link environment variables, in Docker's form. */
export function linkEnv(self: string, links: { link: ParsedLink; target: LinkTarget }[]): string[] {
  const env: string[] = [];
  for (const { link, target } of links) {
    const p = link.alias.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    const ports = Object.keys(target.rec.config.ExposedPorts ?? {})
      .map((k) => { const [port, proto = 'tcp'] = k.split('/'); return { port: Number(port), proto }; })
      .filter((x) => Number.isInteger(x.port))
      .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
    if (ports.length) env.push(`${p}_PORT=${ports[0].proto}://${target.ip}:${ports[0].port}`);
    for (const { port, proto } of ports) {
      const k = `${p}_PORT_${port}_${proto.toUpperCase()}`;
      env.push(`${k}=${proto}://${target.ip}:${port}`, `${k}_ADDR=${target.ip}`, `${k}_PORT=${port}`, `${k}_PROTO=${proto}`);
    }
    env.push(`${p}_NAME=/${self}/${link.alias}`);
    for (const e of target.rec.config.Env ?? []) {
      const i = e.indexOf('=');
      const k = i < 0 ? e : e.slice(0, i);
      if (k === 'HOME' || k === 'PATH' || k === 'HOSTNAME') continue;
      env.push(`${p}_ENV_${k}=${i < 0 ? '' : e.slice(i + 1)}`);
    }
  }
  return env;
}
