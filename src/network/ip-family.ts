/**
 * network/ip-family — the arithmetic of one address family (IPv4 on
 * numbers, network/cidr; IPv6 on bigints, network/cidr6) behind one shape,
 * so a procedure over pools, gateways and ranges is written once for both.
 * Pure.
 *
 * May import: network/cidr, network/cidr6.
 */
import { parseCidr, formatCidr, formatIp, networkOf, overlaps, contains, firstHost, nthSubnet, parseIp, broadcastOf } from './cidr.js';
import { parseCidr6, formatCidr6, formatIp6, networkOf6, overlaps6, contains6, firstHost6, nthSubnet6, parseIp6, lastOf6 } from './cidr6.js';

export interface Net<A> { ip: A; prefix: number }

export interface IpFamily<A> {
  name: 'IPv4' | 'IPv6';
  v6: boolean;
  /** the smallest subnet a network may have */
  maxPrefix: number;
  parse(s: string): A | undefined;
  parseCidr(s: string, what?: string): Net<A>;
  networkOf(c: Net<A>): Net<A>;
  contains(net: Net<A>, a: A): boolean;
  overlaps(a: Net<A>, b: Net<A>): boolean;
  firstHost(net: Net<A>): A;
  /** the last address a container may get (IPv4 leaves the broadcast address out; IPv6 has none) */
  lastHost(net: Net<A>): A;
  /** the subnet's own address, or (IPv4) its broadcast address */
  reserved(net: Net<A>, a: A): boolean;
  nthSubnet(pool: Net<A>, size: number, index: number): Net<A> | undefined;
  /** `a` moved by `d` addresses */
  add(a: A, d: -1 | 1): A;
  less(a: A, b: A): boolean;
  format(a: A): string;
  formatCidr(c: Net<A>): string;
}

export const V4: IpFamily<number> = {
  name: 'IPv4', v6: false, maxPrefix: 30, parse: parseIp, parseCidr, networkOf, contains, overlaps, firstHost,
  lastHost: (r) => broadcastOf(r) - (r.prefix < 32 ? 1 : 0),
  reserved: (net, a) => a === networkOf(net).ip || a === broadcastOf(net),
  nthSubnet, add: (a, d) => a + d, less: (a, b) => a < b, format: formatIp, formatCidr,
};

export const V6: IpFamily<bigint> = {
  name: 'IPv6', v6: true, maxPrefix: 126, parse: parseIp6, parseCidr: parseCidr6, networkOf: networkOf6, contains: contains6, overlaps: overlaps6, firstHost: firstHost6,
  lastHost: lastOf6,
  reserved: (net, a) => a === networkOf6(net).ip,
  nthSubnet: nthSubnet6, add: (a, d) => a + BigInt(d), less: (a, b) => a < b, format: formatIp6, formatCidr: formatCidr6,
};
