/**
 * network/cidr — IPv4 address and subnet arithmetic for IPAM: parse and
 * format CIDRs, test containment and overlap, derive gateways, carve
 * subnets out of address pools. Pure; imports errdefs only.
 *
 * Vocabulary: an `Ipv4` is a 32-bit unsigned number; a `Cidr` is
 * { ip, prefix } where `ip` may carry host bits (a gateway "10.1.0.1/16").
 */
import { invalidArgument } from '../errdefs/errors.js';

export interface Cidr { ip: number; prefix: number }

export function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parse "a.b.c.d/n"; a bare address is a /32. Throws invalid-argument. */
export function parseCidr(s: string, what = 'subnet'): Cidr {
  const [addr, bits, ...rest] = s.trim().split('/');
  const ip = parseIp(addr ?? '');
  const prefix = bits === undefined ? 32 : /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (ip === undefined || rest.length || !(prefix >= 0 && prefix <= 32)) throw invalidArgument(`invalid ${what}: ${s}: invalid CIDR address`);
  return { ip, prefix };
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function networkOf(c: Cidr): Cidr {
  return { ip: (c.ip & mask(c.prefix)) >>> 0, prefix: c.prefix };
}

export function broadcastOf(c: Cidr): number {
  return ((c.ip & mask(c.prefix)) | ~mask(c.prefix)) >>> 0;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.ip)}/${c.prefix}`;
}

export function contains(net: Cidr, ip: number): boolean {
  return ((ip & mask(net.prefix)) >>> 0) === ((net.ip & mask(net.prefix)) >>> 0);
}

/** Do two subnets share any address? */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.ip & mask(p)) >>> 0) === ((b.ip & mask(p)) >>> 0);
}

/** Docker's default gateway: the first host address of the subnet. */
export function firstHost(net: Cidr): number {
  return networkOf(net).ip + 1;
}

/**
 * The `index`-th subnet of size `/size` inside `pool`, or undefined when the
 * pool has fewer (Docker's --default-address-pool base=…,size=…).
 */
export function nthSubnet(pool: Cidr, size: number, index: number): Cidr | undefined {
  if (size < pool.prefix || size > 32) return undefined;
  const count = 2 ** (size - pool.prefix);
  if (index < 0 || index >= count) return undefined;
  return { ip: (networkOf(pool).ip + index * 2 ** (32 - size)) >>> 0, prefix: size };
}

/** Parse "base=10.1.0.0/16,size=24" (dockerd's --default-address-pool). */
export function parseAddressPool(s: string): { base: Cidr; size: number } {
  const kv = Object.fromEntries(s.split(',').map((p) => { const i = p.indexOf('='); return [p.slice(0, i).trim(), p.slice(i + 1).trim()]; }));
  if (!kv.base || !kv.size) throw invalidArgument(`invalid default address pool: ${s} (expected base=CIDR,size=N)`);
  const base = networkOf(parseCidr(kv.base, 'address pool base'));
  const size = Number(kv.size);
  if (!Number.isInteger(size) || size < base.prefix || size > 30) throw invalidArgument(`invalid default address pool: ${s}: size must be between the base's prefix and 30`);
  return { base, size };
}
