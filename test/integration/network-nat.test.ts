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
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { TestDaemon, iptablesRulesMentioning } from './harness.js';

const d = new TestDaemon();
const ns = `${d.netPrefix}o`; // carries the test marker: the leftover check finds it
const hostIf = `${d.netPrefix}h`;
const peerIf = `${d.netPrefix}p`;
const [a, b, c] = d.subnet(250).split('/')[0].split('.');
const hostAddr = `${a}.${b}.${c}.1`;
const outsideAddr = `${a}.${b}.${c}.2`;
let server: ChildProcess | undefined;

before(async () => {
  await d.start();
  await d.importBusybox();
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peerIf]);
  execFileSync('ip', ['link', 'set', peerIf, 'netns', ns]);
  execFileSync('ip', ['addr', 'add', `${hostAddr}/24`, 'dev', hostIf]);
  execFileSync('ip', ['link', 'set', hostIf, 'up']);
  execFileSync('ip', ['-n', ns, 'addr', 'add', `${outsideAddr}/24`, 'dev', peerIf]);
  execFileSync('ip', ['-n', ns, 'link', 'set', peerIf, 'up']);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  // the outside answers each connection with the address it came from; it
  // has no route to the container subnets, so only NATed traffic gets an answer
  server = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', "require('net').createServer((s) => s.end(s.remoteAddress.replace('::ffff:', '') + '\\n')).listen(9000)"], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try { execFileSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'grep -q ":2328 " /proc/net/tcp /proc/net/tcp6']); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
});

after(async () => {
  if (server?.pid) { try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone */ } }
  try { execFileSync('ip', ['link', 'del', hostIf]); } catch { /* gone */ }
  try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* gone */ }
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
