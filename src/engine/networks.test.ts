import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../metadata/database.js';
import { NetworkRecords } from '../metadata/network-records.js';
import { parseCidr } from '../network/cidr.js';
import { createLogger } from '../lib/log.js';
import { BerthError } from '../errdefs/errors.js';
import { NetworkService } from './networks.js';
import type { NetworkRecord } from './network-types.js';
import type { BridgeFirewall } from '../network/bridge-firewall.js';

async function service(t: { after: (fn: () => Promise<void>) => void }, routes: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'berth-nets-'));
  const db = openDatabase(join(dir, 'db'));
  t.after(async () => { db.close(); await rm(dir, { recursive: true, force: true }); });
  const synced: string[][] = [];
  const removed: string[] = [];
  const firewall = { sync: async (b: { bridge: string; icc?: boolean }[]) => { synced.push(b.map((x) => `${x.bridge}${x.icc === false ? ':noicc' : ''}`)); } } as unknown as BridgeFirewall;
  const svc = new NetworkService({
    records: new NetworkRecords<NetworkRecord>(db), prefix: 'tst', defaultBridge: { bridge: 'tst0', bip: '10.50.0.1/24' },
    pools: [{ base: parseCidr('10.60.0.0/22'), size: 24 }], ipamDir: join(dir, 'ipam'), firewall,
    hostRoutes: async () => routes.map((r) => parseCidr(r)), removeBridge: async (b) => { removed.push(b); }, log: createLogger({ level: 'error' }),
  });
  svc.setContainers({ list: () => [], connect: async () => {}, disconnect: async () => {} });
  await svc.init();
  return { svc, synced, removed };
}

const kindOf = (e: unknown) => (e as BerthError).kind;

test('predefined networks exist once; the default bridge follows the daemon flags', async (t) => {
  const { svc, synced } = await service(t);
  assert.deepEqual(svc.list().map((n) => n.name).sort(), ['bridge', 'host', 'none']);
  const b = svc.get('bridge');
  assert.deepEqual(b.ipam.Config, [{ Subnet: '10.50.0.0/24', Gateway: '10.50.0.1' }]);
  assert.equal(b.bridge, 'tst0');
  assert.deepEqual(synced.at(-1), ['tst0']);
  await svc.init();
  assert.equal(svc.list().length, 3, 'init is idempotent');
});

test('subnets come from the pools, skipping taken ones and host routes; bridges are named <prefix>-<id>', async (t) => {
  const { svc } = await service(t, ['10.60.0.0/24']);
  const a = svc.get((await svc.create({ Name: 'a' })).Id);
  const b = svc.get((await svc.create({ Name: 'b' })).Id);
  assert.equal(a.ipam.Config[0].Subnet, '10.60.1.0/24');
  assert.equal(a.ipam.Config[0].Gateway, '10.60.1.1');
  assert.equal(b.ipam.Config[0].Subnet, '10.60.2.0/24');
  assert.match(a.bridge!, /^tst-[0-9a-f]{11}$/);
  assert.ok(a.bridge!.length <= 15);
  await svc.create({ Name: 'c' });
  await assert.rejects(svc.create({ Name: 'd' }), /could not find an available/);
});

test('create validation: names, overlaps, gateways, ranges, drivers', async (t) => {
  const { svc } = await service(t);
  await svc.create({ Name: 'taken', IPAM: { Config: [{ Subnet: '10.70.0.0/16' }] } });
  const cases: [Parameters<NetworkService['create']>[0], string, RegExp][] = [
    [{ Name: 'taken' }, 'conflict', /already exists/],
    [{ Name: 'bridge' }, 'conflict', /already exists/],
    [{ Name: '' }, 'invalid-argument', /must not be empty/],
    [{ Name: '-x' }, 'invalid-argument', /invalid network name/],
    [{ Name: 'o', IPAM: { Config: [{ Subnet: '10.70.5.0/24' }] } }, 'forbidden', /Pool overlaps/],
    [{ Name: 'o2', IPAM: { Config: [{ Subnet: '10.50.0.0/16' }] } }, 'forbidden', /overlaps .* of network bridge/],
    [{ Name: 'g', IPAM: { Config: [{ Subnet: '10.80.0.0/24', Gateway: '10.81.0.1' }] } }, 'invalid-argument', /no matching subnet for gateway/],
    [{ Name: 'r', IPAM: { Config: [{ Subnet: '10.80.0.0/24', IPRange: '10.80.1.0/25' }] } }, 'invalid-argument', /no matching subnet for range/],
    [{ Name: 's', IPAM: { Config: [{ Gateway: '10.80.0.1' }] } }, 'invalid-argument', /subnet is required/],
    [{ Name: 'h', Driver: 'host' }, 'forbidden', /only one instance/],
    [{ Name: 'm', Driver: 'macvlan' }, 'not-implemented', /not supported/],
    [{ Name: 'u', Driver: 'weird' }, 'not-found', /plugin "weird" not found/],
    [{ Name: 'v6', EnableIPv6: true }, 'not-implemented', /IPv6/],
    [{ Name: 'bn', Options: { 'com.docker.network.bridge.name': 'this-name-is-too-long' } }, 'invalid-argument', /at most 15/],
    [{ Name: 'mtu', Options: { 'com.docker.network.driver.mtu': '9' } }, 'invalid-argument', /invalid MTU/],
    [{ Name: 'icc', Options: { 'com.docker.network.bridge.enable_icc': 'maybe' } }, 'invalid-argument', /true or false/],
  ];
  for (const [req, kind, re] of cases) {
    await assert.rejects(svc.create(req), (e) => { assert.equal(kindOf(e), kind, req.Name); assert.match((e as Error).message, re, req.Name); return true; });
  }
  assert.deepEqual(svc.list().map((n) => n.name).sort(), ['bridge', 'host', 'none', 'taken'], 'nothing half-created');
});

test('lookup by name, ID and prefix; remove and prune; predefined ones stay', async (t) => {
  const { svc, removed } = await service(t);
  const { Id } = await svc.create({ Name: 'one', Labels: { keep: 'no' } });
  await svc.create({ Name: 'two', Labels: { keep: 'yes' } });
  assert.equal(svc.get(Id.slice(0, 8)).name, 'one');
  assert.throws(() => svc.get('nope'), /network nope not found/);
  await assert.rejects(svc.remove('bridge'), /pre-defined/);
  assert.deepEqual((await svc.prune(JSON.stringify({ label: ['keep=no'] }))).NetworksDeleted, ['one']);
  assert.equal(removed.length, 1);
  await svc.remove('two');
  assert.deepEqual((await svc.prune()).NetworksDeleted, []);
  assert.deepEqual(svc.listView(JSON.stringify({ type: ['custom'] })), []);
  assert.equal(svc.listView(JSON.stringify({ driver: ['bridge'] })).length, 1);
});

test('bridge driver options: enable_icc reaches the firewall, enable_ip_masquerade and mtu the CNI config', async (t) => {
  const { svc, synced } = await service(t);
  const { Id } = await svc.create({ Name: 'quiet', Options: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': 'false', 'com.docker.network.driver.mtu': '1400' } });
  const n = svc.get(Id);
  const bridge = svc.confList(n).plugins[0] as unknown as { ipMasq: boolean; mtu: number };
  assert.equal(bridge.ipMasq, false);
  assert.equal(bridge.mtu, 1400);
  assert.ok(synced.at(-1)!.includes(`${n.bridge}:noicc`), JSON.stringify(synced.at(-1)));
});
