import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../metadata/database.js';
import { NetworkRecords } from '../metadata/network-records.js';
import { parseCidr6 } from '../network/cidr6.js';
import { parseCidr } from '../network/cidr.js';
import { createLogger } from '../lib/log.js';
import { BerthError } from '../errdefs/errors.js';
import { NetworkService } from './networks.js';
import type { NetworkRecord } from './network-types.js';
import type { BridgeFirewall } from '../network/bridge-firewall.js';
import type { LinkState } from '../network/links.js';
import type { BridgeDevices } from './network-bridges.js';

/** The host's links in memory: name → kind, alias, IPv4 addresses. */
class FakeLinks implements BridgeDevices {
  readonly links = new Map<string, { kind: 'bridge' | 'other'; alias: string; addrs: string[]; mtu?: number }>();
  readonly removed: string[] = [];
  async inspect(name: string): Promise<LinkState> {
    const l = this.links.get(name);
    return !l ? { kind: 'none' } : l.kind === 'bridge' ? { kind: 'bridge', alias: l.alias } : { kind: 'other' };
  }
  async create(name: string, o: { alias: string; mtu?: number }): Promise<boolean> {
    if (this.links.has(name)) return false;
    this.links.set(name, { kind: 'bridge', alias: o.alias, addrs: [], mtu: o.mtu });
    return true;
  }
  async setAlias(name: string, alias: string): Promise<void> { this.links.get(name)!.alias = alias; }
  async remove(name: string): Promise<void> { this.links.delete(name); this.removed.push(name); }
  async list(): Promise<string[]> { return [...this.links.keys()]; }
  async alias(name: string): Promise<string> { return this.links.get(name)?.alias ?? ''; }
  hasAddress(name: string, cidr: string): boolean { return !!this.links.get(name)?.addrs.includes(cidr); }
  async addAddress(name: string, cidr: string): Promise<void> { const l = this.links.get(name); if (l && !l.addrs.includes(cidr)) l.addrs.push(cidr); }
  async removeAddress(name: string, cidr: string): Promise<void> { const l = this.links.get(name); if (l) l.addrs = l.addrs.filter((a) => a !== cidr); }
}

async function service(t: { after: (fn: () => Promise<void>) => void }, routes: string[] = [], o: { links?: FakeLinks; dir?: string } = {}) {
  const dir = o.dir ?? await mkdtemp(join(tmpdir(), 'berth-nets-'));
  const db = openDatabase(join(dir, 'db'));
  t.after(async () => { db.close(); if (!o.dir) await rm(dir, { recursive: true, force: true }); });
  const synced: string[][] = [];
  const links = o.links ?? new FakeLinks();
  const dnsStopped: string[] = [];
  const firewall = { sync: async (b: { bridge: string; icc?: boolean }[]) => { synced.push(b.map((x) => `${x.bridge}${x.icc === false ? ':noicc' : ''}`)); } } as unknown as BridgeFirewall;
  const svc = new NetworkService({
    records: new NetworkRecords<NetworkRecord>(db), prefix: 'tst', defaultBridge: { bridge: 'tst0', bip: '10.50.0.1/24' },
    pools: [{ base: parseCidr('10.60.0.0/22'), size: 24 }], pools6: [{ base: parseCidr6('fd12:3456:789a::/48'), size: 64 }], ipamDir: join(dir, 'ipam'), firewall,
    hostRoutes: async () => routes.map((r) => parseCidr(r)), devices: links, dns: { stop: async (id) => { dnsStopped.push(id); } }, log: createLogger({ level: 'error' }),
  });
  svc.setContainers({ list: () => [], connect: async () => {}, disconnect: async () => {} });
  await svc.init();
  return { svc, synced, removed: links.removed, links, dnsStopped, db };
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
    [{ Name: 'v6o', EnableIPv4: false, EnableIPv6: true }, 'not-implemented', /IPv6-only/],
    [{ Name: 'v6g', IPAM: { Config: [{ Subnet: 'fd00:1::/64', Gateway: 'fd00:2::1' }] } }, 'invalid-argument', /no matching subnet for gateway fd00:2::1/],
    [{ Name: 'v6r', IPAM: { Config: [{ Subnet: 'fd00:1::/64', IPRange: 'fd00:1:0:1::/80' }] } }, 'invalid-argument', /no matching subnet for range/],
    [{ Name: 'v6s', IPAM: { Config: [{ Subnet: 'fd00:1::/127' }] } }, 'invalid-argument', /too small/],
    [{ Name: 'v6x', IPAM: { Config: [{ Subnet: 'fd00:1::/64' }, { Subnet: 'fd00:2::/64' }] } }, 'not-implemented', /more than one IPv6 subnet/],
    [{ Name: 'v6a', IPAM: { Config: [{ Subnet: 'fd00:1::/64', AuxiliaryAddresses: { a: '10.0.0.1' } }] } }, 'invalid-argument', /not an IPv6 address/],
    [{ Name: 'bn', Options: { 'com.docker.network.bridge.name': 'this-name-is-too-long' } }, 'invalid-argument', /at most 15/],
    [{ Name: 'mtu', Options: { 'com.docker.network.driver.mtu': '9' } }, 'invalid-argument', /invalid MTU/],
    [{ Name: 'icc', Options: { 'com.docker.network.bridge.enable_icc': 'maybe' } }, 'invalid-argument', /true or false/],
  ];
  for (const [req, kind, re] of cases) {
    await assert.rejects(svc.create(req), (e) => { assert.equal(kindOf(e), kind, req.Name); assert.match((e as Error).message, re, req.Name); return true; });
  }
  assert.deepEqual(svc.list().map((n) => n.name).sort(), ['bridge', 'host', 'none', 'taken'], 'nothing half-created');
});

test('IPv6: a subnet turns it on, --ipv6 alone gets a /64 of the ULA pool; the CNI list gets a second range set, the bridge its gateway', async (t) => {
  const { svc, links } = await service(t);
  const a = svc.get((await svc.create({ Name: 'six', IPAM: { Config: [{ Subnet: '2001:389::1/64', IPRange: '2001:389::/96', Gateway: '2001:389::ffff' }] } })).Id);
  assert.equal(a.enableIPv6, true, 'an IPv6 subnet turns IPv6 on (dockerd >= 25)');
  assert.deepEqual(a.ipam.Config.map((c) => c.Subnet), ['10.60.0.0/24', '2001:389::/64'], 'IPv4 from the pools first, then the IPv6 pool as asked');
  assert.equal(svc.inspect('six').EnableIPv6, true);
  const b = svc.get((await svc.create({ Name: 'auto6', EnableIPv6: true })).Id);
  assert.deepEqual(b.ipam.Config[1], { Subnet: 'fd12:3456:789a::/64', Gateway: 'fd12:3456:789a::1' });
  const c = svc.get((await svc.create({ Name: 'auto6b', EnableIPv6: true })).Id);
  assert.equal(c.ipam.Config[1].Subnet, 'fd12:3456:789a:1::/64', 'the next free /64');
  await assert.rejects(svc.create({ Name: 'clash6', IPAM: { Config: [{ Subnet: '2001:389::/48' }] } }), /Pool overlaps .*2001:389::\/64 of network six/);
  const plain = svc.get((await svc.create({ Name: 'four' })).Id);
  assert.equal(plain.enableIPv6, undefined);
  assert.equal(svc.inspect('four').EnableIPv6, false);

  const ipam = svc.confList(a).plugins[0].ipam as { ranges: Record<string, string>[][]; routes: { dst: string }[] };
  assert.deepEqual(ipam.ranges[1], [{ subnet: '2001:389::/64', gateway: '2001:389::ffff', rangeStart: '2001:389::1', rangeEnd: '2001:389::ffff:ffff' }]);
  assert.deepEqual(ipam.routes, [{ dst: '0.0.0.0/0' }, { dst: '::/0' }]);
  assert.equal((svc.confList(plain).plugins[0].ipam as { ranges: unknown[] }).ranges.length, 1);
  // a requested address of one family opens that family's whole subnet only (Docker takes --ip/--ip6 outside the --ip-range)
  const ranges = (o: { wholeSubnet?: boolean; wholeSubnet6?: boolean }) => (svc.confList(a, o).plugins[0].ipam as { ranges: Record<string, string>[][] }).ranges[1][0];
  assert.deepEqual(ranges({ wholeSubnet6: true }), { subnet: '2001:389::/64', gateway: '2001:389::ffff' });
  assert.equal(ranges({ wholeSubnet: true }).rangeEnd, '2001:389::ffff:ffff');

  await svc.ensureBridge(a);
  assert.deepEqual(links.links.get(a.bridge!)!.addrs, ['2001:389::ffff/64'], 'the IPv6 gateway goes on the bridge before the plugin runs');
});

test('lookup by name, ID and prefix; remove and prune; predefined ones stay', async (t) => {
  const { svc, removed } = await service(t);
  const { Id } = await svc.create({ Name: 'one', Labels: { keep: 'no' } });
  await svc.create({ Name: 'two', Labels: { keep: 'yes' } });
  assert.equal(svc.get(Id.slice(0, 8)).name, 'one');
  assert.throws(() => svc.get('nope'), /network nope not found/);
  await assert.rejects(svc.remove('bridge'), /pre-defined/);
  const one = svc.get('one');
  assert.deepEqual((await svc.prune(JSON.stringify({ label: ['keep=no'] }))).NetworksDeleted, ['one']);
  assert.deepEqual(removed, [one.bridge]);
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

// ---- bridge ownership (dockerd's BridgeIfaceCreator) --------------------------------

test('create makes a missing bridge, marked for the network; rm deletes it and closes the network\'s DNS listener', async (t) => {
  const { svc, links, dnsStopped } = await service(t);
  const { Id } = await svc.create({ Name: 'mine', Options: { 'com.docker.network.driver.mtu': '1400' } });
  const n = svc.get(Id);
  assert.equal(n.bridgeCreated, true);
  assert.deepEqual(links.links.get(n.bridge!), { kind: 'bridge', alias: `berth:tst:${Id}`, addrs: [], mtu: 1400 });
  await svc.remove('mine');
  assert.equal(links.links.has(n.bridge!), false);
  assert.deepEqual(dnsStopped, [Id]);
});

test('an existing bridge named by bridge.name is adopted and survives rm and prune (only the gateway address berth gave it goes), as with dockerd', async (t) => {
  const { svc, links, removed } = await service(t);
  links.links.set('hostbr', { kind: 'bridge', alias: '', addrs: [] });
  const { Id } = await svc.create({ Name: 'adopt', IPAM: { Config: [{ Subnet: '10.80.0.0/24' }] }, Options: { 'com.docker.network.bridge.name': 'hostbr' } });
  assert.equal(svc.get(Id).bridgeCreated, false);
  assert.equal(links.links.get('hostbr')!.alias, '', 'not marked');
  links.links.get('hostbr')!.addrs.push('10.80.0.1/24', '192.0.2.1/24'); // the bridge plugin's gateway, and one of the host's
  await svc.remove('adopt');
  assert.deepEqual(links.links.get('hostbr'), { kind: 'bridge', alias: '', addrs: ['192.0.2.1/24'] });
  // a bridge that had the gateway address before keeps it; prune leaves the bridge too
  links.links.set('hostbr2', { kind: 'bridge', alias: '', addrs: ['10.81.0.1/24'] });
  await svc.create({ Name: 'adopt2', IPAM: { Config: [{ Subnet: '10.81.0.0/24' }] }, Options: { 'com.docker.network.bridge.name': 'hostbr2' } });
  assert.deepEqual((await svc.prune()).NetworksDeleted, ['adopt2']);
  assert.deepEqual(links.links.get('hostbr2')!.addrs, ['10.81.0.1/24']);
  assert.deepEqual(removed, []);
});

test('a non-bridge device as bridge.name is refused in dockerd\'s words, leaving no record and the device', async (t) => {
  const { svc, links } = await service(t);
  links.links.set('veth0', { kind: 'other', alias: '', addrs: [] });
  await assert.rejects(svc.create({ Name: 'v', Options: { 'com.docker.network.bridge.name': 'veth0' } }), (e: unknown) => kindOf(e) === 'invalid-argument' && (e as Error).message === 'existing interface veth0 is not a bridge');
  assert.equal(svc.tryGet('v'), undefined);
  assert.deepEqual(links.links.get('veth0'), { kind: 'other', alias: '', addrs: [] });
});

test('a bridge berth made that was replaced by a same-named one is left at rm; a vanished one is made again before an attach', async (t) => {
  const { svc, links, removed } = await service(t);
  const a = svc.get((await svc.create({ Name: 'a' })).Id);
  links.links.delete(a.bridge!);
  await svc.ensureBridge(a);
  assert.equal(links.links.get(a.bridge!)!.alias, `berth:tst:${a.id}`, 'made again, marked');
  links.links.set(a.bridge!, { kind: 'bridge', alias: 'someone else', addrs: [] });
  await svc.remove('a');
  assert.equal(links.links.get(a.bridge!)!.alias, 'someone else');
  // an adopted bridge that vanished is not made by berth (the bridge plugin would, and it stays the host's)
  links.links.set('hostbr', { kind: 'bridge', alias: '', addrs: [] });
  const b = svc.get((await svc.create({ Name: 'b', Options: { 'com.docker.network.bridge.name': 'hostbr' } })).Id);
  links.links.delete('hostbr');
  await svc.ensureBridge(b);
  assert.equal(links.links.has('hostbr'), false);
  assert.deepEqual(removed, []);
});

test('daemon start: the default bridge is made or adopted (a non-bridge refused); marked bridges of gone networks are swept, nothing else', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-nets-'));
  t.after(async () => { await rm(dir, { recursive: true, force: true }); });
  const links = new FakeLinks();
  const first = await service(t, [], { links, dir });
  const def = first.svc.get('bridge');
  assert.equal(def.bridgeCreated, true);
  assert.equal(links.links.get('tst0')!.alias, `berth:tst:${def.id}`);
  const kept = first.svc.get((await first.svc.create({ Name: 'kept' })).Id);
  first.db.close();
  // what a kill -9 between a record's delete and its bridge's (or a bridge's creation and its record) leaves
  const gone = 'f'.repeat(64);
  links.links.set('tst-orphan', { kind: 'bridge', alias: `berth:tst:${gone}`, addrs: [] });
  links.links.set('other-orphan', { kind: 'bridge', alias: `berth:other:${gone}`, addrs: [] }); // another daemon's prefix
  links.links.set('tst-unmarked', { kind: 'bridge', alias: '', addrs: [] });
  links.links.set('tst-dummy', { kind: 'other', alias: `berth:tst:${gone}`, addrs: [] });
  const again = await service(t, [], { links, dir });
  assert.deepEqual(links.removed, ['tst-orphan']);
  assert.equal(again.svc.get('bridge').bridgeCreated, true, 'the default bridge stays berth\'s across restarts');
  assert.ok(links.links.has(kept.bridge!) && links.links.has('tst0'));
  again.db.close();
  // -b naming the host's own bridge: adopted; naming another kind of device: the start fails in dockerd's words
  links.links.set('tst0', { kind: 'bridge', alias: '', addrs: [] });
  const adopted = await service(t, [], { links, dir });
  assert.equal(adopted.svc.get('bridge').bridgeCreated, false);
  adopted.db.close();
  links.links.set('tst0', { kind: 'other', alias: '', addrs: [] });
  await assert.rejects(service(t, [], { links, dir }), (e: unknown) => kindOf(e) === 'invalid-argument' && (e as Error).message === 'existing interface tst0 is not a bridge');
});

test('records of an older berth: a bridge under berth\'s generated name becomes berth\'s (and marked), a bridge.name one adopted', async (t) => {
  const { svc, links, db } = await service(t);
  const gen = svc.get((await svc.create({ Name: 'gen' })).Id);
  const named = svc.get((await svc.create({ Name: 'named', IPAM: { Config: [{ Subnet: '10.82.0.0/24' }] }, Options: { 'com.docker.network.bridge.name': 'custom0' } })).Id);
  const records = new NetworkRecords<NetworkRecord>(db);
  for (const n of [gen, named]) { const { bridgeCreated: _c, bridgeHadGateway: _g, ...old } = n; records.update(old); links.links.set(n.bridge!, { kind: 'bridge', alias: '', addrs: ['10.82.0.1/24'] }); }
  await svc.init();
  assert.equal(svc.get('gen').bridgeCreated, true);
  assert.equal(links.links.get(gen.bridge!)!.alias, `berth:tst:${gen.id}`);
  assert.deepEqual([svc.get('named').bridgeCreated, svc.get('named').bridgeHadGateway], [false, true]);
  await svc.remove('named');
  assert.deepEqual(links.links.get('custom0'), { kind: 'bridge', alias: '', addrs: ['10.82.0.1/24'] }, 'left exactly as it was');
});
