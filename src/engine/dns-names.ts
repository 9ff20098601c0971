/**
 * engine/dns-names — the addresses the embedded DNS gives one container
 * (the *asker*) for a name, in libnetwork's terms. Pure.
 *
 * - Endpoint links first: a link `target:alias` on one of the asker's
 *   user-defined networks (NetworkingConfig EndpointsConfig[net].Links, as
 *   the docker CLI sends `--link` with `--network`, or `network connect
 *   --link`) makes `alias` (and `alias.<network>`) resolve to `target` on
 *   that network, for the asker only — libnetwork's "links on user-defined
 *   networks are aliases" (sandbox.resolveName, alias pass). A network
 *   where the name is a link alias is left out of the plain lookup.
 * - Then the plain lookup: container names, short IDs and network aliases of
 *   the containers on the user-defined networks the asker is on, bare or
 *   qualified with the network's name.
 *
 * Vocabulary: an *endpoint* here is a live attachment to a user-defined
 * network (other networks have no embedded DNS).
 *
 * May import: engine/container-links.
 */
import { parseLink } from './container-links.js';

export interface DnsEndpoint {
  networkId: string;
  networkName: string;
  ip: string;
  /** the IPv6 address, on a network with IPv6 on (AAAA answers) */
  ip6?: string;
  /** network-scoped aliases (--network-alias) */
  aliases: string[];
  /** endpoint links, `target[:alias]` or dockerd's stored `/target:/self/alias` */
  links: string[];
}

export interface DnsContainer { id: string; name: string; endpoints: DnsEndpoint[] }

/** Does `name` (lower case) ask for `label` bare or qualified with the network's name? */
const asks = (name: string, label: string, networkName: string) => name === label || name === `${label}.${networkName}`;

/** Addresses of `target` (name, short ID or alias) on network `networkId`. */
function addressesOn(all: DnsContainer[], networkId: string, networkName: string, name: string): string[] {
  const out: string[] = [];
  for (const c of all) {
    for (const ep of c.endpoints) {
      if (ep.networkId !== networkId) continue;
      const labels = [c.name, c.id.slice(0, 12), ...ep.aliases].map((s) => s.toLowerCase());
      if (labels.some((l) => asks(name, l, networkName.toLowerCase()))) out.push(ep.ip, ...(ep.ip6 ? [ep.ip6] : []));
    }
  }
  return out;
}

/** The link aliases of one endpoint: alias (lower case) → target. Malformed links are skipped. */
function linkAliases(ep: DnsEndpoint): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of ep.links) {
    try { const p = parseLink(l); out.set(p.alias.toLowerCase(), p.target.toLowerCase()); } catch { /* not a link */ }
  }
  return out;
}

/** What `raw` resolves to for `asker` among `all` (the asker included): addresses (IPv4 and IPv6), deduplicated; empty when not a container name. */
export function resolveForAsker(all: DnsContainer[], asker: DnsContainer, raw: string): string[] {
  const name = raw.toLowerCase();
  const aliasedOn = new Set<string>();
  for (const ep of asker.endpoints) {
    const net = ep.networkName.toLowerCase();
    for (const [alias, target] of linkAliases(ep)) {
      if (!asks(name, alias, net)) continue;
      aliasedOn.add(ep.networkId);
      const ips = addressesOn(all, ep.networkId, ep.networkName, target);
      if (ips.length) return [...new Set(ips)];
    }
  }
  const out: string[] = [];
  for (const ep of asker.endpoints) {
    if (aliasedOn.has(ep.networkId)) continue;
    out.push(...addressesOn(all, ep.networkId, ep.networkName, name));
  }
  return [...new Set(out)];
}
