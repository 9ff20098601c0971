/**
 * network/cidr6 — IPv6 address and subnet arithmetic for IPAM, the
 * counterpart of network/cidr: parse and format (RFC 5952's canonical
 * text: lower case, the longest run of zero groups as `::`), containment,
 * overlap, the first host, subnets carved out of a pool. Pure; imports
 * errdefs only.
 *
 * Vocabulary: an address is a 128-bit `bigint`; a `Cidr6` is
 * { ip, prefix } where `ip` may carry host bits (a gateway "fd00::1/64").
 */
import { isIPv6 } from 'node:net';
import { invalidArgument } from '../errdefs/errors.js';

export interface Cidr6 { ip: bigint; prefix: number }

const ALL = (1n << 128n) - 1n;

/** An IPv6 address (an embedded IPv4 tail such as `::ffff:1.2.3.4` included), or undefined. */
export function parseIp6(s: string): bigint | undefined {
  const t = s.trim();
  if (!isIPv6(t) || t.includes('%')) return undefined;
  let text = t;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const p = v4.slice(1).map(Number);
    text = text.slice(0, v4.index) + ((p[0] << 8) | p[1]).toString(16) + ':' + ((p[2] << 8) | p[3]).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text of an address. */
export function formatIp6(n: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parse "addr/n"; a bare address is a /128. Throws invalid-argument. */
export function parseCidr6(s: string, what = 'subnet'): Cidr6 {
  const [addr, bits, ...rest] = s.trim().split('/');
  const ip = parseIp6(addr ?? '');
  const prefix = bits === undefined ? 128 : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (ip === undefined || rest.length || !(prefix >= 0 && prefix <= 128)) throw invalidArgument(`invalid ${what}: ${s}: invalid CIDR address`);
  return { ip, prefix };
}

export function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
}

export function networkOf6(c: Cidr6): Cidr6 {
  return { ip: c.ip & mask6(c.prefix), prefix: c.prefix };
}

/** The last address of the subnet (IPv6 has no broadcast; host-local may hand it out). */
export function lastOf6(c: Cidr6): bigint {
  return (c.ip & mask6(c.prefix)) | (~mask6(c.prefix) & ALL);
}

export function formatCidr6(c: Cidr6): string {
  return `${formatIp6(c.ip)}/${c.prefix}`;
}

export function contains6(net: Cidr6, ip: bigint): boolean {
  return (ip & mask6(net.prefix)) === (net.ip & mask6(net.prefix));
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  const m = mask6(Math.min(a.prefix, b.prefix));
  return (a.ip & m) === (b.ip & m);
}

/** Docker's default gateway: the first address after the subnet's own. */
export function firstHost6(net: Cidr6): bigint {
  return networkOf6(net).ip + 1n;
}

/** The `index`-th `/size` subnet of `pool`, or undefined when the pool has fewer. */
export function nthSubnet6(pool: Cidr6, size: number, index: number): Cidr6 | undefined {
  if (size < pool.prefix || size > 128 || index < 0) return undefined;
  const i = BigInt(index);
  if (i >= 1n << BigInt(size - pool.prefix)) return undefined;
  return { ip: networkOf6(pool).ip + (i << BigInt(128 - size)), prefix: size };
}
