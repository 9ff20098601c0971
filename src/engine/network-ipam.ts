/**
 * engine/network-ipam — Docker's default IPAM for a new bridge network:
 * validate the pools a client asked for (at most one IPv4 and one IPv6
 * subnet, each with an optional gateway, IP range and auxiliary addresses),
 * or pick free subnets from the default address pools (IPv4 always; IPv6
 * when the network has IPv6 on). As dockerd ≥ 25, an IPv6 subnet turns IPv6
 * on; as dockerd ≥ 27, IPv6 without a subnet gets one from the IPv6 pools
 * (a ULA /48 of the daemon's, split into /64s). Pure: the subnets already
 * taken and the host's routes are handed in.
 *
 * May import: network (cidr arithmetic), errdefs.
 */
import { BerthError, invalidArgument, notImplemented } from '../errdefs/errors.js';
import { parseCidr, formatCidr, formatIp, networkOf, overlaps, contains, firstHost, nthSubnet, parseIp, broadcastOf, type Cidr } from '../network/cidr.js';
import { parseCidr6, formatCidr6, formatIp6, networkOf6, overlaps6, contains6, firstHost6, nthSubnet6, parseIp6, type Cidr6 } from '../network/cidr6.js';
import type { IpamConfig, NetworkRecord } from './network-types.js';

export interface IpamPools {
  pools: { base: Cidr; size: number }[];
  pools6: { base: Cidr6; size: number }[];
}

/** A subnet some network holds, for the overlap check. */
export interface TakenSubnet { network: string; subnet: string }

export const isV6 = (c: Partial<IpamConfig>): boolean => (c.Subnet ?? c.Gateway ?? c.IPRange ?? '').includes(':');

/** The network's IPv4 pool (always the first) and IPv6 pool (when it has IPv6). */
export function ipv4Config(n: NetworkRecord): IpamConfig | undefined { return n.ipam.Config.find((c) => !isV6(c)); }
export function ipv6Config(n: NetworkRecord): IpamConfig | undefined { return n.ipam.Config.find((c) => isV6(c)); }

/** The subnets of these networks, for `resolveIpam`'s overlap check. */
export function takenSubnets(networks: NetworkRecord[]): TakenSubnet[] {
  return networks.filter((n) => n.driver === 'bridge').flatMap((n) => n.ipam.Config.map((c) => ({ network: n.name, subnet: c.Subnet })));
}

/**
 * The IPAM config of a new network (IPv4 first, then IPv6) and whether it
 * has IPv6. Throws Docker's errors; nothing is allocated here.
 */
export function resolveIpam(configs: Partial<IpamConfig>[], o: IpamPools & { enableIPv6: boolean; taken: TakenSubnet[]; routes: Cidr[] }): { config: IpamConfig[]; enableIPv6: boolean } {
  for (const c of configs) if (!c || typeof c !== 'object') throw invalidArgument('invalid IPAM config: each pool must be an object');
  const v4 = configs.filter((c) => !isV6(c));
  const v6 = configs.filter(isV6);
  if (v4.length > 1) throw notImplemented('more than one IPv4 subnet per network is not supported by berth yet');
  if (v6.length > 1) throw notImplemented('more than one IPv6 subnet per network is not supported by berth yet');
  const enableIPv6 = o.enableIPv6 || v6.length > 0;
  const config = [v4[0] && (v4[0].Subnet || v4[0].Gateway || v4[0].IPRange) ? requested4(v4[0], o.taken) : fromPools4(o)];
  if (enableIPv6) config.push(v6[0] ? requested6(v6[0], o.taken) : fromPools6(o));
  return { config, enableIPv6 };
}

function overlapError(subnet: string, clash: TakenSubnet): BerthError {
  return new BerthError('POOL_OVERLAP', `invalid pool request: Pool overlaps with other one on this address space (${subnet} overlaps ${clash.subnet} of network ${clash.network})`);
}

function requested4(want: Partial<IpamConfig>, taken: TakenSubnet[]): IpamConfig {
  if (!want.Subnet) throw invalidArgument('a subnet is required when a gateway or an IP range is given');
  const subnet = networkOf(parseCidr(want.Subnet, 'subnet'));
  if (subnet.prefix > 30) throw invalidArgument(`invalid subnet ${want.Subnet}: too small (at most /30)`);
  const clash = taken.find((t) => !t.subnet.includes(':') && overlaps(parseCidr(t.subnet), subnet));
  if (clash) throw overlapError(formatCidr(subnet), clash);
  let gateway = firstHost(subnet);
  if (want.Gateway) {
    const g = parseIp(want.Gateway);
    if (g === undefined) throw invalidArgument(`invalid gateway address ${want.Gateway}`);
    if (!contains(subnet, g) || g === subnet.ip || g === broadcastOf(subnet)) throw invalidArgument(`no matching subnet for gateway ${want.Gateway}`);
    gateway = g;
  }
  const out: IpamConfig = { Subnet: formatCidr(subnet), Gateway: formatIp(gateway) };
  if (want.IPRange) {
    const r = networkOf(parseCidr(want.IPRange, 'ip-range'));
    if (r.prefix < subnet.prefix || !contains(subnet, r.ip)) throw invalidArgument(`no matching subnet for range ${want.IPRange}`);
    out.IPRange = formatCidr(r);
  }
  const aux = auxiliary(want, 'IPv4', (v) => { const a = parseIp(v); return a !== undefined && contains(subnet, a) ? formatIp(a) : a === undefined ? undefined : null; }, formatCidr(subnet));
  if (aux) out.AuxiliaryAddresses = aux;
  return out;
}

function requested6(want: Partial<IpamConfig>, taken: TakenSubnet[]): IpamConfig {
  if (!want.Subnet) throw invalidArgument('a subnet is required when a gateway or an IP range is given');
  const subnet = networkOf6(parseCidr6(want.Subnet, 'subnet'));
  if (subnet.prefix > 126) throw invalidArgument(`invalid subnet ${want.Subnet}: too small (at most /126)`);
  const clash = taken.find((t) => t.subnet.includes(':') && overlaps6(parseCidr6(t.subnet), subnet));
  if (clash) throw overlapError(formatCidr6(subnet), clash);
  let gateway = firstHost6(subnet);
  if (want.Gateway) {
    const g = parseIp6(want.Gateway);
    if (g === undefined) throw invalidArgument(`invalid gateway address ${want.Gateway}`);
    if (!contains6(subnet, g) || g === subnet.ip) throw invalidArgument(`no matching subnet for gateway ${want.Gateway}`);
    gateway = g;
  }
  const out: IpamConfig = { Subnet: formatCidr6(subnet), Gateway: formatIp6(gateway) };
  if (want.IPRange) {
    const r = networkOf6(parseCidr6(want.IPRange, 'ip-range'));
    if (r.prefix < subnet.prefix || !contains6(subnet, r.ip)) throw invalidArgument(`no matching subnet for range ${want.IPRange}`);
    out.IPRange = formatCidr6(r);
  }
  const aux = auxiliary(want, 'IPv6', (v) => { const a = parseIp6(v); return a !== undefined && contains6(subnet, a) ? formatIp6(a) : a === undefined ? undefined : null; }, formatCidr6(subnet));
  if (aux) out.AuxiliaryAddresses = aux;
  return out;
}

/** Auxiliary addresses in canonical form; `check` gives the text, undefined (not an address of the family) or null (outside the subnet). */
function auxiliary(want: Partial<IpamConfig>, family: string, check: (v: string) => string | undefined | null, subnet: string): Record<string, string> | undefined {
  const entries = Object.entries(want.AuxiliaryAddresses ?? {});
  if (!entries.length) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    const a = typeof v === 'string' ? check(v) : undefined;
    if (a === undefined) throw invalidArgument(`invalid auxiliary address ${k}=${String(v)}: not an ${family} address`);
    if (a === null) throw invalidArgument(`invalid auxiliary address ${k}=${v}: it is not in subnet ${subnet}`);
    out[k] = a;
  }
  return out;
}

function fromPools4(o: IpamPools & { taken: TakenSubnet[]; routes: Cidr[] }): IpamConfig {
  const taken = o.taken.filter((t) => !t.subnet.includes(':')).map((t) => parseCidr(t.subnet));
  for (const pool of o.pools) {
    for (let i = 0; ; i++) {
      const s = nthSubnet(pool.base, pool.size, i);
      if (!s) break;
      if (taken.some((t) => overlaps(t, s)) || o.routes.some((r) => overlaps(r, s))) continue;
      return { Subnet: formatCidr(s), Gateway: formatIp(firstHost(s)) };
    }
  }
  throw new BerthError('FORBIDDEN', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}

function fromPools6(o: IpamPools & { taken: TakenSubnet[] }): IpamConfig {
  const taken = o.taken.filter((t) => t.subnet.includes(':')).map((t) => parseCidr6(t.subnet));
  for (const pool of o.pools6) {
    // a /48 holds 65536 /64s: the first free one is found well before that many networks exist
    for (let i = 0; ; i++) {
      const s = nthSubnet6(pool.base, pool.size, i);
      if (!s) break;
      if (taken.some((t) => overlaps6(t, s))) continue;
      return { Subnet: formatCidr6(s), Gateway: formatIp6(firstHost6(s)) };
    }
  }
  throw new BerthError('FORBIDDEN', 'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network');
}

/** A requested endpoint address checked against the network's pool of its family; returns the canonical text. */
export function checkEndpointAddress(n: NetworkRecord, addr: string, family: 4 | 6): string {
  const c = family === 4 ? ipv4Config(n) : ipv6Config(n);
  const parsed = family === 4 ? parseIp(addr) : parseIp6(addr);
  if (parsed === undefined) throw invalidArgument(`invalid IPv${family} address: ${addr}`);
  const text = family === 4 ? formatIp(parsed as number) : formatIp6(parsed as bigint);
  const inSubnet = c && (family === 4 ? contains(parseCidr(c.Subnet), parsed as number) : contains6(parseCidr6(c.Subnet), parsed as bigint));
  if (!inSubnet) throw invalidArgument(`no configured subnet contains IP address ${addr}`);
  if (text === c.Gateway) throw invalidArgument(`address ${addr} is the network's gateway`);
  const subnetText = c.Subnet.split('/')[0];
  if (text === subnetText) throw invalidArgument(`address ${addr} is the network address of subnet ${c.Subnet}`);
  if (family === 4 && (parsed as number) === broadcastOf(parseCidr(c.Subnet))) throw invalidArgument(`address ${addr} is the broadcast address of subnet ${c.Subnet}`);
  return text;
}
