/**
 * Two probes against berthd vs dockerd 20.10, and dockerd's results as the
 * reference:
 *
 * - bridge ownership: a bridge that existed before `network create -o
 *   com.docker.network.bridge.name=<it>` survives `network rm`, `prune`,
 *   daemon restarts and kill -9 (dockerd: BridgeIfaceCreator "user"); a
 *   veth or any other non-bridge device as bridge.name is refused in
 *   dockerd's words ("existing interface X is not a bridge") with nothing
 *   left; a bridge berth made exists from create on and goes with rm, as
 *   dockerd's br-<id>; one left behind by a crash is swept at start-up.
 * - the embedded DNS listens only at user networks' gateways: nothing
 *   answers on its port at 127.0.0.1 or the host's own address (dockerd's
 *   resolver lives inside the containers' namespaces), while names resolve
 *   inside containers across restarts, kill -9, connect and disconnect,
 *   and with a second daemon beside it.
 *
 * Every link made here carries NET_MARK, so the leftover check sees it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import * as dnsPacket from 'dns-packet';
import { TestDaemon, NET_MARK, linksNamed } from './harness.js';

const d = new TestDaemon();
const tag = Math.random().toString(36).slice(2, 7).replace(/[^a-z0-9]/g, '0');
const made: string[] = [];
/** `ip link add <args>`, remembered for the clean-up. */
function addLink(name: string, ...args: string[]): void { execFileSync('ip', ['link', 'add', name, ...args]); made.push(name); }
const has = (name: string) => existsSync(`/sys/class/net/${name}`);
const isBridge = (name: string) => existsSync(`/sys/class/net/${name}/bridge`);
const aliasOf = (name: string) => readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim();
const ipv4Of = (name: string) => (networkInterfaces()[name] ?? []).filter((a) => a.family === 'IPv4').map((a) => a.cidr);

before(async () => { await d.start(); await d.importBusybox(); });
after(async () => {
  await d.cleanup();
  for (const l of made) if (has(l)) execFileSync('ip', ['link', 'del', l]);
});

test('network rm leaves a bridge berth did not create (bridge.name of an existing bridge), across restarts and kill -9; prune too — as dockerd 20.10', async () => {
  const foreign = `${NET_MARK}-r${tag}`;
  addLink(foreign, 'type', 'bridge');
  const c = await d.docker(['network', 'create', '-o', `com.docker.network.bridge.name=${foreign}`, '--subnet', d.subnet(10), 'adopt']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(aliasOf(foreign), '', 'an adopted bridge is not marked as berth\'s');
  const run = await d.docker(['run', '-d', '--name', 'onforeign', '--network', 'adopt', 'busybox', 'sleep', '600']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readdirSync(`/sys/class/net/${foreign}/brif`).length, 1, 'the container is on the host\'s bridge');
  const gw = `${d.subnet(10).split('.').slice(0, 3).join('.')}.1/24`;
  assert.deepEqual(ipv4Of(foreign), [gw], 'the bridge plugin gave it the gateway');
  await d.stop();
  await d.start();
  assert.ok(isBridge(foreign), 'kept across a restart');
  await d.crash();
  await d.start();
  assert.ok(isBridge(foreign), 'kept across kill -9');
  assert.equal((await d.docker(['rm', '-f', 'onforeign'])).code, 0);
  const rm = await d.docker(['network', 'rm', 'adopt']);
  assert.equal(rm.code, 0, rm.stderr);
  // dockerd 20.10 keeps the bridge and leaves the gateway address on it; berth keeps it and takes back the address it gave
  assert.ok(isBridge(foreign), 'network rm leaves the host\'s bridge');
  assert.deepEqual(ipv4Of(foreign), []);
  assert.equal((await d.docker(['network', 'create', '-o', `com.docker.network.bridge.name=${foreign}`, 'adopt2'])).code, 0);
  const prune = await d.docker(['network', 'prune', '-f']);
  assert.match(prune.stdout, /adopt2/);
  assert.ok(isBridge(foreign), 'network prune leaves it too');

  // a bridge berth makes exists from create on, carries berth's mark, and goes with rm (dockerd's br-<id> likewise)
  const own = await d.docker(['network', 'create', 'own']);
  assert.equal(own.code, 0, own.stderr);
  const id = own.stdout.trim();
  const ownBridge = linksNamed(`${d.netPrefix}-`).find((l) => id.startsWith(l.slice(d.netPrefix.length + 1)));
  assert.ok(ownBridge && isBridge(ownBridge), `no bridge for ${id}`);
  assert.equal(aliasOf(ownBridge), `berth:${d.netPrefix}:${id}`);
  await d.crash();
  await d.start();
  assert.ok(isBridge(ownBridge), 'berth\'s bridge of a live network is kept at start-up');
  assert.equal((await d.docker(['network', 'rm', 'own'])).code, 0);
  assert.equal(has(ownBridge), false);
});

test('a veth (or any non-bridge device) as bridge.name is refused in dockerd\'s words, with no record and the device kept', async () => {
  const veth = `${NET_MARK}-v${tag}`;
  const peer = `${NET_MARK}-w${tag}`;
  const dummy = `${NET_MARK}-u${tag}`;
  addLink(veth, 'type', 'veth', 'peer', 'name', peer);
  addLink(dummy, 'type', 'ifb'); // no dummy module on every host; ifb is another non-bridge kind
  made.push(peer);
  for (const dev of [veth, dummy]) {
    // dockerd 20.10: 500 {"message":"existing interface <dev> is not a bridge"}; berth: the same words as a 400 (bad input)
    const r = await d.api('POST', '/networks/create', { Name: `nb-${dev}`, Options: { 'com.docker.network.bridge.name': dev } });
    assert.equal(r.status, 400, r.body.toString());
    assert.deepEqual(r.json(), { message: `existing interface ${dev} is not a bridge` });
    const cli = await d.docker(['network', 'create', '-o', `com.docker.network.bridge.name=${dev}`, `nbc-${dev}`]);
    assert.equal(cli.code, 1);
    assert.equal(cli.stderr, `Error response from daemon: existing interface ${dev} is not a bridge\n`);
    assert.ok(has(dev) && !isBridge(dev), `${dev} is left as it was`);
    assert.equal(aliasOf(dev), '');
  }
  assert.ok(has(peer), 'the veth pair is whole');
  await d.stop();
  await d.start();
  const names = (await d.api('GET', '/networks')).json<{ Name: string }[]>().map((n) => n.Name);
  assert.deepEqual(names.filter((n) => n.startsWith('nb')), [], 'nothing recorded');
  assert.ok(has(veth) && has(dummy), 'still there after a restart');
});

test('start-up sweep: a bridge berth marked for a network that is gone (what a kill -9 mid-rm leaves) goes; unmarked, other daemons\' and the default bridge stay', async () => {
  const orphan = `${d.netPrefix}-o${tag}`.slice(0, 15);
  const unmarked = `${d.netPrefix}-n${tag}`.slice(0, 15);
  const otherPrefix = `${NET_MARK}-q${tag}`;
  for (const l of [orphan, unmarked, otherPrefix]) addLink(l, 'type', 'bridge');
  execFileSync('ip', ['link', 'set', 'dev', orphan, 'alias', `berth:${d.netPrefix}:${'e'.repeat(64)}`]);
  execFileSync('ip', ['link', 'set', 'dev', otherPrefix, 'alias', `berth:${NET_MARK}zzzzz:${'e'.repeat(64)}`]);
  await d.crash();
  await d.start();
  assert.equal(has(orphan), false, 'the orphan of berth\'s is swept');
  assert.ok(isBridge(unmarked) && isBridge(otherPrefix), 'bridges berth cannot prove its own are kept');
  assert.ok(isBridge(d.bridge), 'the default bridge is never deleted (dockerd keeps docker0)');
  const def = (await d.api('GET', '/networks/bridge')).json();
  assert.equal(aliasOf(d.bridge), `berth:${d.netPrefix}:${def.Id}`, 'made by berth at start, marked');
});

// ---- the embedded DNS ---------------------------------------------------------------

interface Bound { proto: 'udp' | 'tcp'; ip: string; port: number }

/** The UDP sockets and listening TCP sockets process `pid` holds (from its fds and its /proc/net tables). */
function socketsOf(pid: number): Bound[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try { const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`)); if (m) inodes.add(m[1]); } catch { /* closed meanwhile */ }
  }
  const out: Bound[] = [];
  for (const proto of ['udp', 'tcp'] as const) {
    for (const line of readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]) || (proto === 'tcp' && f[3] !== '0A')) continue;
      const [hex, port] = f[1].split(':');
      const n = parseInt(hex, 16);
      out.push({ proto, ip: [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.'), port: parseInt(port, 16) });
    }
  }
  return out;
}

/** The host's own address on the interface of its default route (its "main" address). */
function hostMainAddress(): string {
  const line = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000');
  const ifname = line?.[0];
  const addr = (ifname && (networkInterfaces()[ifname] ?? []).find((a) => a.family === 'IPv4')?.address)
    ?? Object.entries(networkInterfaces()).flatMap(([n, as]) => (n.startsWith(NET_MARK) ? [] : (as ?? []))).find((a) => a.family === 'IPv4' && !a.internal)?.address;
  assert.ok(addr, 'the host has an external IPv4 address');
  return addr;
}

const query = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'example.org' }] });
function udpAsk(host: string, port: number): Promise<string> {
  const s = createSocket('udp4');
  return new Promise<string>((resolve) => {
    const done = (r: string) => { clearTimeout(t); s.close(); resolve(r); };
    const t = setTimeout(() => done('no answer'), 1500);
    s.on('message', (m) => done(`answer ${(dnsPacket.decode(m) as unknown as { rcode: string }).rcode}`));
    s.on('error', (e) => done((e as NodeJS.ErrnoException).code ?? e.message));
    s.connect(port, host, () => s.send(query));
  });
}
function tcpConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = connect({ host, port });
    c.setTimeout(1500, () => { c.destroy(); resolve('timeout'); });
    c.on('connect', () => { c.destroy(); resolve('connected'); });
    c.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
  });
}

const gatewayOf = async (t: TestDaemon, net: string) => (await t.api('GET', `/networks/${net}`)).json().IPAM.Config[0].Gateway as string;
const ipOn = async (t: TestDaemon, c: string, net: string) => (await t.api('GET', `/containers/${c}/json`)).json().NetworkSettings.Networks[net].IPAddress as string;
const dnsPort = (t: TestDaemon) => Number(readFileSync(`${t.execRoot}/dns-port`, 'utf8'));
/** berthd's sockets on its DNS port, as "proto ip" sorted. */
const dnsSockets = (t: TestDaemon) => socketsOf(t.pid!).filter((s) => s.port === dnsPort(t)).map((s) => `${s.proto} ${s.ip}`).sort();
const at = (ips: string[]) => ips.flatMap((ip) => [`tcp ${ip}`, `udp ${ip}`]).sort();

async function resolves(t: TestDaemon, from: string, name: string, ip: string): Promise<void> {
  const r = await t.docker(['exec', from, 'nslookup', name, '127.0.0.11']);
  assert.match(r.stdout, new RegExp(`Address:\\s+${ip.replace(/\./g, '\\.')}`), `${from} → ${name}: ${r.stdout}${r.stderr}`);
}

test('the embedded DNS listens only at user networks\' gateways, not at 127.0.0.1 or the host\'s address; names resolve across restart, kill -9, connect and disconnect', async () => {
  for (const n of ['dnsa', 'dnsb']) assert.equal((await d.docker(['network', 'create', n])).code, 0);
  for (const [name, net] of [['weba', 'dnsa'], ['asker', 'dnsa'], ['webb', 'dnsb'], ['roamer', 'bridge']]) {
    const r = await d.docker(['run', '-d', '--name', name, '--network', net, 'busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
  }
  const [gwA, gwB] = [await gatewayOf(d, 'dnsa'), await gatewayOf(d, 'dnsb')];
  const port = dnsPort(d);
  const sandbox = (await d.api('GET', '/containers/asker/json')).json().NetworkSettings.SandboxKey as string;
  const dnat = execFileSync('nsenter', [`--net=${sandbox}`, '--', 'iptables', '-w', '-t', 'nat', '-S', 'BERTH-DNS-OUT']).toString();
  assert.match(dnat, new RegExp(`-d 127\\.0\\.0\\.11/32 -p udp .*--to-destination ${gwA.replace(/\./g, '\\.')}:${port}`), '127.0.0.11 goes to the gateway listener');

  assert.deepEqual(dnsSockets(d), at([gwA, gwB]), 'one UDP + TCP listener per user network, at its gateway');
  assert.deepEqual(socketsOf(d.pid!).filter((s) => s.ip === '0.0.0.0'), [], 'berthd holds no wildcard socket');
  const main = hostMainAddress();
  for (const host of ['127.0.0.1', main]) {
    // dockerd 20.10: its resolver is inside the containers' namespaces, so nothing answers on the host
    assert.doesNotMatch(await udpAsk(host, port), /^answer/, `udp ${host}:${port}`);
    assert.equal(await tcpConnect(host, port), 'ECONNREFUSED', `tcp ${host}:${port}`);
  }
  assert.equal(await udpAsk(gwA, port), 'answer REFUSED', 'the host is no container: refused at the gateway');

  const ipA = await ipOn(d, 'weba', 'dnsa');
  await resolves(d, 'asker', 'weba', ipA);
  await d.stop();
  await d.start();
  await resolves(d, 'asker', 'weba', ipA);
  assert.deepEqual(dnsSockets(d), at([gwA, gwB]), 'listeners re-adopted after a restart');
  await d.crash();
  await d.start();
  await resolves(d, 'asker', 'weba', ipA);
  assert.deepEqual(dnsSockets(d), at([gwA, gwB]), 'and after kill -9');

  // connect a running container on the default bridge to dnsb, then to dnsa, and disconnect it from dnsb
  assert.equal((await d.docker(['network', 'connect', 'dnsb', 'roamer'])).code, 0);
  const ipB = await ipOn(d, 'webb', 'dnsb');
  await resolves(d, 'roamer', 'webb', ipB);
  assert.equal((await d.docker(['network', 'connect', 'dnsa', 'roamer'])).code, 0);
  assert.equal((await d.docker(['network', 'disconnect', 'dnsb', 'roamer'])).code, 0);
  await resolves(d, 'roamer', 'weba', ipA);
  // the network's listener closes with it
  assert.equal((await d.docker(['rm', '-f', 'webb'])).code, 0);
  assert.equal((await d.docker(['network', 'rm', 'dnsb'])).code, 0);
  assert.deepEqual(dnsSockets(d), at([gwA]));
  assert.equal((await d.docker(['rm', '-f', 'weba', 'asker', 'roamer'])).code, 0);
  assert.equal((await d.docker(['network', 'rm', 'dnsa'])).code, 0);
  assert.deepEqual(dnsSockets(d), []);
});

test('two daemons side by side: each resolves its own names, each listens only at its own gateways', async () => {
  const d2 = new TestDaemon();
  try {
    await d2.start();
    await d2.importBusybox();
    for (const t of [d, d2]) {
      assert.equal((await t.docker(['network', 'create', 'side'])).code, 0);
      for (const name of ['srv', 'ask']) assert.equal((await t.docker(['run', '-d', '--name', name, '--network', 'side', 'busybox', 'sleep', '600'])).code, 0);
    }
    for (const t of [d, d2]) {
      await resolves(t, 'ask', 'srv', await ipOn(t, 'srv', 'side'));
      assert.deepEqual(dnsSockets(t), at([await gatewayOf(t, 'side')]));
    }
    assert.notEqual(await gatewayOf(d, 'side'), await gatewayOf(d2, 'side'));
  } finally {
    await d2.cleanup();
    await d.docker(['rm', '-f', 'srv', 'ask']);
    await d.docker(['network', 'rm', 'side']);
  }
});
