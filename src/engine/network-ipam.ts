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
 * May import: network (address arithmetic), errdefs.
 */
import { BerthError, invalidArgument, notImplemented } from '../errdefs/errors.js';
import type { Cidr } from '../network/cidr.js';
import type { Cidr6 } from '../network/cidr6.js';
import { V4, V6, type IpFamily, type Net } from '../network/ip-family.js';
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
  const config = [v4[0] && (v4[0].Subnet || v4[0].Gateway || v4[0].IPRange) ? requested(V4, v4[0], o.taken) : fromPools(V4, o.pools, o.taken, o.routes)];
  if (enableIPv6) config.push(v6[0] ? requested(V6, v6[0], o.taken) : fromPools(V6, o.pools6, o.taken, []));
  return { config, enableIPv6 };
}

function overlapError(subnet: string, clash: TakenSubnet): BerthError {
  return new BerthError('POOL_OVERLAP', `invalid pool request: Pool overlaps with other one on this address space (${subnet} overlaps ${clash.subnet} of network ${clash.network})`);
}

/** A pool the client asked for, checked with dockerd's errors (one procedure for both families). */
function requested<A>(f: IpFamily<A>, want: Partial<IpamConfig>, taken: TakenSubnet[]): IpamConfig {
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

/**
 * The first subnet of the pools that no network holds and (IPv4) no host
 * route covers. (A /48 of IPv6 holds 65536 /64s: the first free one is
 * found well before that many networks exist.)
 */
function fromPools<A>(f: IpFamily<A>, pools: { base: Net<A>; size: number }[], taken: TakenSubnet[], routes: Net<A>[]): IpamConfig {
  const held = taken.filter((t) => t.subnet.includes(':') === f.v6).map((t) => f.parseCidr(t.subnet));
  for (const pool of pools) {
    for (let i = 0; ; i++) {
      const s = f.nthSubnet(pool.base, pool.size, i);
      if (!s) break;
      if (held.some((t) => f.overlaps(t, s)) || routes.some((r) => f.overlaps(r, s))) continue;
      return { Subnet: f.formatCidr(s), Gateway: f.format(f.firstHost(s)) };
    }
  }
  throw new BerthError('FORBIDDEN', `could not find an available, non-overlapping ${f.name} address pool among the defaults to assign to the network`);
}

/** A requested endpoint address checked against the network's pool of its family; returns the canonical text. */
export function checkEndpointAddress(n: NetworkRecord, addr: string, family: 4 | 6): string {
  return family === 4 ? checkAddress(V4, ipv4Config(n), addr) : checkAddress(V6, ipv6Config(n), addr);
}

function checkAddress<A>(f: IpFamily<A>, c: IpamConfig | undefined, addr: string): string {
  const a = f.parse(addr);
  if (a === undefined) throw invalidArgument(`invalid ${f.name} address: ${addr}`);
  const subnet = c && f.networkOf(f.parseCidr(c.Subnet, 'subnet'));
  if (!c || !subnet || !f.contains(subnet, a)) throw invalidArgument(`no configured subnet contains IP address ${addr}`);
  const text = f.format(a);
  if (text === c.Gateway) throw invalidArgument(`address ${addr} is the network's gateway`);
  if (f.reserved(subnet, a)) throw invalidArgument(`address ${addr} is the ${a === subnet.ip ? 'network' : 'broadcast'} address of subnet ${c.Subnet}`);
  return text;
}
