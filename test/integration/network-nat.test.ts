/**
 * Outbound NAT: a container on the default bridge or a user network that
 * talks to a machine beyond the host is seen there with the host's address
 * (one MASQUERADE rule per network, network/bridge-firewall). The "machine
 * beyond" is a network namespace this test makes and wires to the host with
 * a veth pair: no traffic leaves this machine. An --internal network has no
 * way there at all.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { TestDaemon, iptablesRulesMentioning } from './harness.js';
import { wireOutside } from './net-helpers.js';

const d = new TestDaemon();
const ns = `${d.netPrefix}o`; // carries the test marker: the leftover check finds it
const hostIf = `${d.netPrefix}h`;
const peerIf = `${d.netPrefix}p`;
const [a, b, c] = d.subnet(250).split('/')[0].split('.');
const hostAddr = `${a}.${b}.${c}.1`;
const outsideAddr = `${a}.${b}.${c}.2`;
let outside: Awaited<ReturnType<typeof wireOutside>> | undefined;

before(async () => {
  await d.start();
  await d.importBusybox();
  outside = await wireOutside({ ns, hostIf, peerIf, hostAddr, outsideAddr });
});

after(async () => {
  outside?.remove();
  await d.cleanup();
});

const ask = `for i in 1 2 3; do nc -w 2 ${outsideAddr} 9000 </dev/null && exit 0; sleep 0.5; done; exit 1`;

test('default bridge: the outside sees the host address, not the container\'s', async () => {
  const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', `hostname -i; ${ask}`]);
  assert.equal(r.code, 0, r.stderr);
  const [own, seen] = r.stdout.trim().split('\n');
  assert.equal(seen, hostAddr);
  assert.notEqual(own, hostAddr);
  assert.equal(iptablesRulesMentioning(`${d.netPrefix}-POSTROUTING`).filter((x) => x.rule.includes('MASQUERADE')).length, 1, 'one rule for the default bridge');
});

test('user network: masqueraded too; --internal and enable_ip_masquerade=false get no answer', async () => {
  assert.equal((await d.docker(['network', 'create', 'natnet'])).code, 0);
  assert.equal((await d.docker(['network', 'create', '--internal', 'natint'])).code, 0);
  assert.equal((await d.docker(['network', 'create', '-o', 'com.docker.network.bridge.enable_ip_masquerade=false', 'natoff'])).code, 0);
  try {
    const r = await d.docker(['run', '--rm', '--network', 'natnet', 'busybox', 'sh', '-c', ask]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), hostAddr);
    assert.equal(iptablesRulesMentioning(`${d.netPrefix}-POSTROUTING`).filter((x) => x.rule.includes('MASQUERADE')).length, 2, 'bridge + natnet; none for natint or natoff');
    for (const net of ['natint', 'natoff']) {
      const blocked = await d.docker(['run', '--rm', '--network', net, 'busybox', 'sh', '-c', `nc -w 2 ${outsideAddr} 9000 </dev/null && echo REACHED; true`]);
      assert.equal(blocked.code, 0, blocked.stderr);
      assert.doesNotMatch(blocked.stdout, /REACHED|\d+\.\d+/, net);
    }
  } finally {
    for (const n of ['natnet', 'natint', 'natoff']) await d.docker(['network', 'rm', n]);
  }
  assert.equal(iptablesRulesMentioning(`${d.netPrefix}-POSTROUTING`).filter((x) => x.rule.includes('MASQUERADE')).length, 1, 'network rm takes its rule along');
});
