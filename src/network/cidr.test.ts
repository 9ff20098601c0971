import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr, formatCidr, overlaps, contains, nthSubnet, firstHost, formatIp, parseIp, networkOf, parseAddressPool, broadcastOf } from './cidr.js';

test('parse and format', () => {
  const cases: [string, string][] = [['10.1.2.3/16', '10.1.2.3/16'], ['0.0.0.0/0', '0.0.0.0/0'], ['192.168.1.1', '192.168.1.1/32'], ['255.255.255.255/32', '255.255.255.255/32']];
  for (const [i, o] of cases) assert.equal(formatCidr(parseCidr(i)), o);
  for (const bad of ['10.1.2/16', '10.1.2.300/8', '10.0.0.0/33', 'x', '10.0.0.0/8/1', '']) assert.throws(() => parseCidr(bad), /invalid/);
  assert.equal(parseIp('1.2.3'), undefined);
  assert.equal(formatIp(parseIp('172.17.0.1')!), '172.17.0.1');
});

test('network, broadcast, first host', () => {
  const c = parseCidr('10.209.3.7/16');
  assert.equal(formatCidr(networkOf(c)), '10.209.0.0/16');
  assert.equal(formatIp(broadcastOf(c)), '10.209.255.255');
  assert.equal(formatIp(firstHost(c)), '10.209.0.1');
});

test('overlap and containment', () => {
  const cases: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.5.0.0/16', true], ['10.5.0.0/16', '10.0.0.0/8', true], ['10.1.0.0/16', '10.2.0.0/16', false],
    ['172.17.0.0/16', '172.17.255.0/24', true], ['192.168.0.0/24', '192.168.1.0/24', false], ['0.0.0.0/0', '1.2.3.4/32', true],
  ];
  for (const [a, b, want] of cases) assert.equal(overlaps(parseCidr(a), parseCidr(b)), want, `${a} ${b}`);
  assert.ok(contains(parseCidr('10.1.0.0/16'), parseIp('10.1.200.3')!));
  assert.ok(!contains(parseCidr('10.1.0.0/16'), parseIp('10.2.0.1')!));
});

test('nth subnet of a pool', () => {
  const pool = parseCidr('10.210.0.0/16');
  assert.equal(formatCidr(nthSubnet(pool, 24, 0)!), '10.210.0.0/24');
  assert.equal(formatCidr(nthSubnet(pool, 24, 255)!), '10.210.255.0/24');
  assert.equal(nthSubnet(pool, 24, 256), undefined);
  assert.equal(nthSubnet(pool, 8, 0), undefined);
});

test('address pool flag', () => {
  const p = parseAddressPool('base=10.210.0.0/16,size=24');
  assert.equal(formatCidr(p.base), '10.210.0.0/16');
  assert.equal(p.size, 24);
  for (const bad of ['base=10.0.0.0/16', 'size=24', 'base=10.0.0.0/16,size=8', 'base=x,size=24']) assert.throws(() => parseAddressPool(bad), /invalid/);
});
