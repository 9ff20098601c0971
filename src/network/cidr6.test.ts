import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp6, formatIp6, parseCidr6, formatCidr6, networkOf6, lastOf6, contains6, overlaps6, firstHost6, nthSubnet6 } from './cidr6.js';

test('IPv6 text: parsed and printed in RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['2001:389::1', '2001:389::1'],
    ['2001:0389:0000:0000:0000:0000:0000:0001', '2001:389::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['2001:389::ffff', '2001:389::ffff'],
  ];
  for (const [i, o] of cases) assert.equal(formatIp6(parseIp6(i)!), o, i);
  for (const bad of ['10.1.2.3', '2001:::1', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'g::1', '']) assert.equal(parseIp6(bad), undefined, bad);
});

test('IPv6 CIDRs: network, last address, first host', () => {
  const c = parseCidr6('2001:389::1/64');
  assert.equal(formatCidr6(networkOf6(c)), '2001:389::/64');
  assert.equal(formatIp6(lastOf6(c)), '2001:389::ffff:ffff:ffff:ffff');
  assert.equal(formatIp6(firstHost6(c)), '2001:389::1');
  assert.equal(formatCidr6(parseCidr6('fd00::5')), 'fd00::5/128');
  for (const bad of ['fd00::/129', 'fd00::/x', '10.0.0.0/8', 'fd00::/64/1']) assert.throws(() => parseCidr6(bad), /invalid/);
});

test('IPv6 containment and overlap', () => {
  const net = parseCidr6('2001:389::/64');
  assert.ok(contains6(net, parseIp6('2001:389::f00d')!));
  assert.ok(!contains6(net, parseIp6('2001:389:0:1::1')!));
  assert.ok(overlaps6(net, parseCidr6('2001:389::/96')));
  assert.ok(overlaps6(parseCidr6('2001::/16'), net));
  assert.ok(!overlaps6(net, parseCidr6('2001:389:0:1::/64')));
});

test('IPv6 subnets carved from a pool', () => {
  const pool = parseCidr6('fd12:3456:789a::/48');
  assert.equal(formatCidr6(nthSubnet6(pool, 64, 0)!), 'fd12:3456:789a::/64');
  assert.equal(formatCidr6(nthSubnet6(pool, 64, 1)!), 'fd12:3456:789a:1::/64');
  assert.equal(formatCidr6(nthSubnet6(pool, 64, 65535)!), 'fd12:3456:789a:ffff::/64');
  assert.equal(nthSubnet6(pool, 64, 65536), undefined);
  assert.equal(nthSubnet6(pool, 40, 0), undefined);
});
