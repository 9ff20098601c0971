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

/** One address family's arithmetic, so a requested pool is checked by one procedure for both. */
interface Family<A> {
  name: 'IPv4' | 'IPv6';
  v6: boolean;
  /** the smallest subnet a network may have */
  maxPrefix: number;
  parse(s: string): A | undefined;
  parseCidr(s: string, what: string): { ip: A; prefix: number };
  networkOf(c: { ip: A; prefix: number }): { ip: A; prefix: number };
  contains(net: { ip: A; prefix: number }, a: A): boolean;
  overlaps(a: { ip: A; prefix: number }, b: { ip: A; prefix: number }): boolean;
  firstHost(net: { ip: A; prefix: number }): A;
  /** the subnet's own address, or (IPv4) its broadcast address */
  reserved(net: { ip: A; prefix: number }, a: A): boolean;
  format(a: A): string;
  formatCidr(c: { ip: A; prefix: number }): string;
}

const V4: Family<number> = {
  name: 'IPv4', v6: false, maxPrefix: 30, parse: parseIp, parseCidr, networkOf, contains, overlaps, firstHost,
  reserved: (net, a) => a === net.ip || a === broadcastOf(net), format: formatIp, formatCidr,
};
const V6: Family<bigint> = {
  name: 'IPv6', v6: true, maxPrefix: 126, parse: parseIp6, parseCidr: parseCidr6, networkOf: networkOf6, contains: contains6, overlaps: overlaps6, firstHost: firstHost6,
  reserved: (net, a) => a === net.ip, format: formatIp6, formatCidr: formatCidr6,
};

const requested4 = (want: Partial<IpamConfig>, taken: TakenSubnet[]) => requested(V4, want, taken);
const requested6 = (want: Partial<IpamConfig>, taken: TakenSubnet[]) => requested(V6, want, taken);

function requested<A>(f: Family<A>, want: Partial<IpamConfig>, taken: TakenSubnet[]): IpamConfig {
  if (!want.Subnet) throw invalidArgument('a subnet is required when a gateway or an IP range is given');
  const subnet = f.networkOf(f.parseCidr(want.Subnet, 'subnet'));
  if (subnet.prefix > f.maxPrefix) throw invalidArgument(`invalid subnet ${want.Subnet}: too small (at most /${f.maxPrefix})`);
  const clash = taken.find((t) => t.subnet.includes(':') === f.v6 && f.overlaps(f.parseCidr(t.subnet, 'subnet'), subnet));
  if (clash) throw overlapError(f.formatCidr(subnet), clash);
  let gateway = f.firstHost(subnet);
  if (want.Gateway) {
    const g = f.parse(want.Gateway);
    if (g === undefined) throw invalidArgument(`invalid gateway address ${want.Gateway}`);
    if (!f.contains(subnet, g) || f.reserved(subnet, g)) throw invalidArgument(`no matching subnet for gateway ${want.Gateway}`);
    gateway = g;
  }
  const out: IpamConfig = { Subnet: f.formatCidr(subnet), Gateway: f.format(gateway) };
  if (want.IPRange) {
    const r = f.networkOf(f.parseCidr(want.IPRange, 'ip-range'));
    if (r.prefix < subnet.prefix || !f.contains(subnet, r.ip)) throw invalidArgument(`no matching subnet for range ${want.IPRange}`);
    out.IPRange = f.formatCidr(r);
  }
  const aux = auxiliary(want, f.name, (v) => { const a = f.parse(v); return a === undefined ? undefined : f.contains(subnet, a) ? f.format(a) : null; }, f.formatCidr(subnet));
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
  return family === 4 ? checkAddress(V4, ipv4Config(n), addr) : checkAddress(V6, ipv6Config(n), addr);
}

function checkAddress<A>(f: Family<A>, c: IpamConfig | undefined, addr: string): string {
  const a = f.parse(addr);
  if (a === undefined) throw invalidArgument(`invalid ${f.name} address: ${addr}`);
  const subnet = c && f.networkOf(f.parseCidr(c.Subnet, 'subnet'));
  if (!c || !subnet || !f.contains(subnet, a)) throw invalidArgument(`no configured subnet contains IP address ${addr}`);
  const text = f.format(a);
  if (text === c.Gateway) throw invalidArgument(`address ${addr} is the network's gateway`);
  if (f.reserved(subnet, a)) throw invalidArgument(`address ${addr} is the ${a === subnet.ip ? 'network' : 'broadcast'} address of subnet ${c.Subnet}`);
  return text;
}
