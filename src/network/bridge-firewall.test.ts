import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardRules, natRules, ipv6Bridges } from './bridge-firewall.js';

test('forward rules: accept within a bridge, drop between bridges, internal bridges closed', () => {
  const rules = forwardRules([{ bridge: 'b0', internal: false }, { bridge: 'b1', internal: true }]).map((r) => r.join(' '));
  assert.deepEqual(rules, [
    '-i b0 -o b0 -j ACCEPT',
    '-i b1 -o b1 -j ACCEPT',
    '-i b0 -o b1 -j DROP',
    '-i b1 -o b0 -j DROP',
    '-o b0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-o b0 -m conntrack --ctstate DNAT -j ACCEPT',
    '-i b0 -j ACCEPT',
    '-i b1 -j DROP',
    '-o b1 -j DROP',
  ]);
  assert.deepEqual(forwardRules([]), []);
});

test('enable_icc=false drops traffic between containers of the bridge', () => {
  assert.deepEqual(forwardRules([{ bridge: 'b0', internal: false, icc: false }])[0], ['-i', 'b0', '-o', 'b0', '-j', 'DROP']);
});

test('nat rules: one outbound MASQUERADE per network, none for internal or masquerade-off networks', () => {
  const rules = natRules([
    { bridge: 'b0', internal: false, subnet: '10.1.0.0/16' },
    { bridge: 'b1', internal: true, subnet: '10.2.0.0/24' },
    { bridge: 'b2', internal: false, subnet: '10.3.0.0/24', masquerade: false },
    { bridge: 'b3', internal: false },
  ]).map((r) => r.join(' '));
  assert.deepEqual(rules, ['-s 10.1.0.0/16 ! -o b0 -j MASQUERADE']);
});

test('ip6tables sees only the bridges with IPv6, masquerading their IPv6 subnet', () => {
  const v6 = ipv6Bridges([
    { bridge: 'b0', internal: false, subnet: '10.1.0.0/16', subnet6: 'fd00:1::/64' },
    { bridge: 'b1', internal: false, subnet: '10.2.0.0/24' },
  ]);
  assert.deepEqual(natRules(v6).map((r) => r.join(' ')), ['-s fd00:1::/64 ! -o b0 -j MASQUERADE']);
  assert.deepEqual(forwardRules(v6).map((r) => r.join(' '))[0], '-i b0 -o b0 -j ACCEPT');
  assert.equal(forwardRules(v6).length, 4);
});
