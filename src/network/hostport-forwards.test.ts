import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findForward, forwardConflictMessage, portListIncludes } from './hostport-forwards.js';

// `iptables -t nat -S` as left on this machine by a berthd whose container was gone (portmap's rules)
const PORTMAP = [
  '-P PREROUTING ACCEPT',
  '-N CNI-DN-16b0d07c49725f566d622',
  '-N CNI-HOSTPORT-DNAT',
  '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
  '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
  '-A CNI-DN-16b0d07c49725f566d622 -s 10.209.0.0/16 -p tcp -m tcp --dport 8000 -j CNI-HOSTPORT-SETMARK',
  '-A CNI-DN-16b0d07c49725f566d622 -s 127.0.0.1/32 -p tcp -m tcp --dport 8000 -j CNI-HOSTPORT-SETMARK',
  '-A CNI-DN-16b0d07c49725f566d622 -p tcp -m tcp --dport 8000 -j DNAT --to-destination 10.209.0.15:3000',
  '-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"berth-4b90900adb8d\\" id: \\"24cfc8786021029b50043dd0344ff7efb97db51e3eea53988ad187fba949e403\\"" -m multiport --dports 8000 -j CNI-DN-16b0d07c49725f566d622',
  '-A berth-POSTROUTING -s 10.209.0.0/16 ! -o berth0 -j MASQUERADE',
];

// dockerd's form, and a portmap rule bound to one host address
const OTHERS = [
  '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
  '-A DOCKER ! -i docker0 -p udp -m udp --dport 5353 -j DNAT --to-destination 172.17.0.3:53',
  '-A CNI-DN-aaaa -d 127.0.0.1/32 -p tcp -m tcp --dport 9000 -j DNAT --to-destination 10.1.0.2:80',
  '-A CNI-DN-bbbb -p tcp -m multiport --dports 7000:7010 -j DNAT --to-destination 10.1.0.3',
];

test('a port forwarded by a leftover portmap rule is found, with its owner', () => {
  const f = findForward(PORTMAP, { protocol: 'tcp', hostIp: '', hostPort: 8000 });
  assert.deepEqual(f, { chain: 'CNI-DN-16b0d07c49725f566d622', to: '10.209.0.15:3000', owner: 'dnat name: "berth-4b90900adb8d" id: "24cfc8786021029b50043dd0344ff7efb97db51e3eea53988ad187fba949e403"' });
  const msg = forwardConflictMessage({ protocol: 'tcp', hostIp: '', hostPort: 8000 }, f!);
  assert.match(msg, /^driver failed programming external connectivity: Bind for 0\.0\.0\.0:8000 failed: port is already allocated/);
  assert.match(msg, /berth-4b90900adb8d/);
  assert.match(msg, /10\.209\.0\.15:3000/);
});

test('other ports, protocols and host addresses are not taken', () => {
  assert.equal(findForward(PORTMAP, { protocol: 'tcp', hostIp: '', hostPort: 8001 }), undefined);
  assert.equal(findForward(PORTMAP, { protocol: 'udp', hostIp: '', hostPort: 8000 }), undefined);
  assert.equal(findForward(PORTMAP, { protocol: 'tcp', hostIp: '', hostPort: 800 }), undefined);
  assert.equal(findForward(OTHERS, { protocol: 'tcp', hostIp: '', hostPort: 5353 }), undefined);
  assert.equal(findForward(OTHERS, { protocol: 'tcp', hostIp: '10.0.0.5', hostPort: 9000 }), undefined);
  assert.equal(findForward([], { protocol: 'tcp', hostIp: '', hostPort: 8000 }), undefined);
});

test("dockerd's DOCKER chain, address-bound rules and multiport ranges are found", () => {
  assert.equal(findForward(OTHERS, { protocol: 'tcp', hostIp: '', hostPort: 8080 })?.to, '172.17.0.2:80');
  assert.equal(findForward(OTHERS, { protocol: 'udp', hostIp: '', hostPort: 5353 })?.chain, 'DOCKER');
  assert.equal(findForward(OTHERS, { protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 9000 })?.chain, 'CNI-DN-aaaa');
  assert.equal(findForward(OTHERS, { protocol: 'tcp', hostIp: '', hostPort: 9000 })?.chain, 'CNI-DN-aaaa');
  assert.equal(findForward(OTHERS, { protocol: 'tcp', hostIp: '', hostPort: 7005 })?.chain, 'CNI-DN-bbbb');
  assert.equal(findForward(OTHERS, { protocol: 'tcp', hostIp: '', hostPort: 7011 }), undefined);
});

test('iptables port lists', () => {
  assert.ok(portListIncludes('8000', 8000));
  assert.ok(portListIncludes('80,443,8000:8010', 8005));
  assert.ok(!portListIncludes('80,443,8000:8010', 8011));
  assert.ok(!portListIncludes('x', 0));
});
