/**
 * distribution/registry-hosts — which URLs serve a registry domain: Docker
 * Hub's `docker.io` is `registry-1.docker.io` behind the configured mirrors
 * (pulls only); insecure registries (daemon option, CIDRs allowed) and
 * `localhost` / 127.0.0.0/8 / ::1 are tried over HTTPS without certificate
 * checks and then plain HTTP, as dockerd does. Pure functions.
 * May import: errdefs.
 */
import { isIP } from 'node:net';
import { invalidArgument } from '../errdefs/errors.js';

export interface RegistryEndpoint {
  /** Base URL; API paths are appended (`<base>/v2/...`). */
  url: URL;
  mirror: boolean;
  /** Skip TLS certificate verification (insecure registry). */
  insecureTls: boolean;
}

export interface RegistryHostsConfig {
  mirrors: string[];
  insecureRegistries: string[];
}

export const DOCKER_HUB_DOMAIN = 'docker.io';
export const DOCKER_HUB_HOST = 'registry-1.docker.io';
/** The key docker's config.json uses for Docker Hub credentials. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** Validate a mirror URL as dockerd does (scheme required, no query). Returns it normalised. */
export function normalizeMirror(raw: string): string {
  let u: URL;
  try { u = new URL(raw); } catch { throw invalidArgument(`invalid mirror: ${JSON.stringify(raw)} is not a valid URI`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidArgument(`invalid mirror: unsupported scheme ${JSON.stringify(u.protocol.replace(':', ''))} in ${JSON.stringify(raw)}`);
  if (u.search || u.hash) throw invalidArgument(`invalid mirror: query or fragment not allowed in ${JSON.stringify(raw)}`);
  return u.toString().replace(/\/+$/, '') + '/';
}

function hostOf(domain: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(domain);
  if (m) return m[1];
  const i = domain.lastIndexOf(':');
  return i > 0 && domain.indexOf(':') === i ? domain.slice(0, i) : domain;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => (a << 8) + parseInt(o, 10), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsStr] = cidr.split('/');
  const bits = parseInt(bitsStr, 10);
  if (isIP(ip) !== 4 || isIP(net) !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(net) & mask);
}

/** dockerd's rule: listed host[:port], a listed CIDR holding the IP, or loopback. */
export function isInsecure(domain: string, insecure: string[]): boolean {
  const host = hostOf(domain);
  if (host === 'localhost' || host === '::1' || inCidr(host, '127.0.0.0/8')) return true;
  for (const entry of insecure) {
    if (entry.includes('/')) { if (inCidr(host, entry)) return true; continue; }
    if (entry === domain || entry === host) return true;
  }
  return false;
}

/** Endpoints to try, in order, for `domain` and an operation. */
export function endpointsFor(domain: string, cfg: RegistryHostsConfig, op: 'pull' | 'push'): RegistryEndpoint[] {
  const out: RegistryEndpoint[] = [];
  if (domain === DOCKER_HUB_DOMAIN) {
    if (op === 'pull') {
      for (const m of cfg.mirrors) {
        const url = new URL(normalizeMirror(m));
        out.push({ url, mirror: true, insecureTls: isInsecure(url.host, cfg.insecureRegistries) });
      }
    }
    out.push({ url: new URL(`https://${DOCKER_HUB_HOST}/`), mirror: false, insecureTls: false });
    return out;
  }
  if (isInsecure(domain, cfg.insecureRegistries)) {
    out.push({ url: new URL(`https://${domain}/`), mirror: false, insecureTls: true });
    out.push({ url: new URL(`http://${domain}/`), mirror: false, insecureTls: true });
    return out;
  }
  out.push({ url: new URL(`https://${domain}/`), mirror: false, insecureTls: false });
  return out;
}
