/**
 * kill -9 of berthd with networked containers: after the restart, running
 * containers keep their addresses, published ports (held again) and names
 * on their user network; a container that exited while berthd was down
 * has its veth, lease, NAT/DNAT rules and namespace released.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, iptablesRulesMentioning, sleep, until } from './harness.js';
import { freePort, httpGet } from './net-helpers.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const HTTPD = ['sh', '-c', 'echo "up $(hostname)" > /tmp/index.html; exec httpd -f -p 3000 -h /tmp'];

function leases(): string[] {
  const dir = join(d.dataRoot, 'network', 'ipam');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => readdirSync(join(dir, n)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)));
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => { const s = createServer(); s.once('error', () => resolve(true)); s.listen(port, '0.0.0.0', () => s.close(() => resolve(false))); });
}

test('kill -9 of berthd: running containers keep networking and ports; leases of the dead are released', async () => {
  assert.equal((await d.docker(['network', 'create', 'crashnet'])).code, 0);
  const p1 = await freePort();
  const p2 = await freePort();
  const keep = await d.docker(['run', '-d', '--name', 'keeper', '--network', 'crashnet', '-p', `${p1}:3000`, 'busybox', ...HTTPD]);
  assert.equal(keep.code, 0, keep.stderr);
  const short = await d.docker(['run', '-d', '--name', 'shortlived', '--network', 'crashnet', '-p', `${p2}:3000`, 'busybox', 'sh', '-c', 'sleep 3']);
  assert.equal(short.code, 0, short.stderr);
  const shortId = short.stdout.trim();
  const keepIp = (await d.api('GET', '/containers/keeper/json')).json().NetworkSettings.Networks.crashnet.IPAddress;
  assert.match(await httpGet('127.0.0.1', p1), /up /);
  assert.equal(leases().length, 2);

  await d.crash();
  await sleep(4000); // shortlived exits while berthd is down
  await d.start();

  // the survivor: same address, reachable through its port, the port held again, resolvable by name
  const ins = (await d.api('GET', '/containers/keeper/json')).json();
  assert.equal(ins.State.Running, true);
  assert.equal(ins.NetworkSettings.Networks.crashnet.IPAddress, keepIp);
  assert.deepEqual(ins.NetworkSettings.Ports['3000/tcp'], [{ HostIp: '0.0.0.0', HostPort: String(p1) }]);
  assert.match(await httpGet('127.0.0.1', p1), /up /);
  assert.ok(await portTaken(p1), 'the published port is held again');
  const byName = await d.docker(['run', '--rm', '--network', 'crashnet', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 keeper 3000 | tail -n 1 && exit 0; sleep 1; done; exit 1']);
  assert.equal(byName.code, 0, byName.stderr);
  assert.match(byName.stdout, /up /);

  // the dead one: exited, and nothing of its networking left
  await until(async () => (await d.api('GET', '/containers/shortlived/json')).json().State.Status === 'exited', 10000);
  const dead = (await d.api('GET', '/containers/shortlived/json')).json();
  assert.deepEqual(dead.NetworkSettings.Ports, {});
  assert.equal(dead.NetworkSettings.Networks.crashnet.IPAddress, '');
  assert.deepEqual(iptablesRulesMentioning(shortId), []);
  assert.ok(!(await portTaken(p2)), 'the dead container\'s port is free');
  assert.equal(leases().length, 1, 'only the survivor holds a lease');
  assert.ok(!existsSync(join(d.execRoot, 'netns', shortId)));

  // an orderly restart keeps the same state
  await d.stop();
  await d.start();
  assert.match(await httpGet('127.0.0.1', p1), /up /);
  assert.equal(leases().length, 1);

  // and removing everything leaves nothing
  const keepId = ins.Id as string;
  assert.equal((await d.docker(['rm', '-f', 'keeper', 'shortlived'])).code, 0);
  assert.equal((await d.docker(['network', 'rm', 'crashnet'])).code, 0);
  assert.deepEqual(iptablesRulesMentioning(keepId), []);
  assert.deepEqual(leases(), []);
  assert.deepEqual(readdirSync(join(d.execRoot, 'netns')), []);
});
