/**
 * Published ports on the default bridge, with the docker CLI and berth:
 * `run -p HOST:CTR` serves at localhost:HOST, at the host's own address and
 * from another container; random host ports, `-P`, udp, `port`, `ps`,
 * inspect's NetworkSettings; a taken port is refused at start with nothing
 * left behind; rm leaves no veth, DNAT rule or lease.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { TestDaemon, iptablesRulesMentioning, run, until, type RunResult } from './harness.js';
import { freePort, httpGet } from './net-helpers.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 3000 -h /www'];

function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

function leases(): string[] {
  const dir = join(d.dataRoot, 'network', 'ipam');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => readdirSync(join(dir, n)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)).map((f) => `${n}/${f}`));
}

function veths(): string[] {
  try { return readdirSync(`/sys/class/net/${d.bridge}/brif`); } catch { return []; }
}

for (const cliName of ['docker', 'berth'] as const) {
  const cli = (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult> => (cliName === 'docker' ? d.docker(args, opts) : d.berth(args, opts));

  test(`${cliName}: run --publish HOST:3000 serves at localhost, the host's address and from another container`, async () => {
    const port = await freePort();
    const name = `ena-${cliName}`;
    const r = await cli(['run', '--publish', `${port}:3000`, '--detach', '--name', name, 'busybox', ...HTTPD]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const page = await httpGet('127.0.0.1', port);
    assert.match(page, /^HTTP\/1\.[01] 200/);
    assert.match(page, new RegExp(`hello from ${id.slice(0, 12)}`));
    const curl = await run('curl', ['-sS', '--max-time', '5', `http://localhost:${port}`]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.equal(curl.stdout, `hello from ${id.slice(0, 12)}\n`);
    const addr = hostAddress();
    if (addr) assert.match(await httpGet(addr, port), /hello from/);

    // inspect, port, ps
    const ins = (await d.api('GET', `/containers/${name}/json`)).json();
    const ns = ins.NetworkSettings;
    assert.deepEqual(ns.Ports, { '3000/tcp': [{ HostIp: '0.0.0.0', HostPort: String(port) }] });
    assert.match(ns.IPAddress, /^10\.9[6-9]|^10\.1[01]\d\./);
    assert.equal(ns.Gateway, d.bip.split('/')[0]);
    assert.equal(ns.IPPrefixLen, 24);
    assert.match(ns.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.equal(ns.Networks.bridge.IPAddress, ns.IPAddress);
    assert.match(ns.Networks.bridge.NetworkID, /^[a-f0-9]{64}$/);
    assert.match(ns.SandboxKey, /netns/);
    const p = await cli(['port', name]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, `3000/tcp -> 0.0.0.0:${port}\n`);
    const p2 = await cli(['port', name, '3000']);
    assert.equal(p2.stdout, `0.0.0.0:${port}\n`);
    const ps = await cli(['ps', '--filter', `name=${name}`, '--format', '{{.Ports}}']);
    assert.equal(ps.stdout.trim(), `0.0.0.0:${port}->3000/tcp`);
    assert.match((await cli(['ps', '--filter', 'publish=3000', '--format', '{{.Names}}'])).stdout, new RegExp(`^${name}$`, 'm'));
    assert.doesNotMatch((await cli(['ps', '--filter', 'publish=3001', '--format', '{{.Names}}'])).stdout, new RegExp(name));
    assert.match((await cli(['ps', '--filter', 'network=bridge', '--format', '{{.Names}}'])).stdout, new RegExp(`^${name}$`, 'm'));

    // another container on the default bridge reaches it by address, and through the published port via the gateway
    const peer = await cli(['run', '--rm', 'busybox', 'sh', '-c', `for i in 1 2 3 4 5; do echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc ${ns.IPAddress} 3000 && exit 0; sleep 1; done; exit 1`]);
    assert.equal(peer.code, 0, peer.stderr);
    assert.match(peer.stdout, /hello from/);
    const hairpin = await cli(['run', '--rm', 'busybox', 'sh', '-c', `for i in 1 2 3 4 5; do echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc ${ns.Gateway} ${port} && exit 0; sleep 1; done; exit 1`]);
    assert.equal(hairpin.code, 0, hairpin.stderr);
    assert.match(hairpin.stdout, /hello from/);

    // the port is held: nobody else can bind it while the container publishes it
    await assert.rejects(new Promise<void>((resolve, reject) => { const s = createTcpServer(); s.once('error', reject); s.listen(port, '0.0.0.0', () => s.close(() => resolve())); }), /EADDRINUSE/);

    const rm = await cli(['rm', '-f', name]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(iptablesRulesMentioning(id), [], 'no NAT/DNAT rules of the container remain');
    assert.deepEqual(leases(), [], 'no address leases remain');
    assert.deepEqual(veths(), [], 'no veths remain on the bridge');
    await assert.rejects(httpGet('127.0.0.1', port, 500));
  });

  test(`${cliName}: random host ports (-p 3000, -P with EXPOSE), udp, inspect and port`, async () => {
    const name = `rnd-${cliName}`;
    const r = await cli(['run', '-d', '--name', name, '-p', '3000', '-p', '127.0.0.1::3000', '-p', '5353/udp', '--expose', '7000', '-P', 'busybox', ...HTTPD]);
    assert.equal(r.code, 0, r.stderr);
    const ports = (await d.api('GET', `/containers/${name}/json`)).json().NetworkSettings.Ports;
    const tcp = ports['3000/tcp'] as { HostIp: string; HostPort: string }[];
    assert.equal(tcp.length, 2);
    assert.deepEqual(tcp.map((b) => b.HostIp).sort(), ['0.0.0.0', '127.0.0.1']);
    for (const b of tcp) assert.ok(Number(b.HostPort) > 1024, b.HostPort);
    assert.match(await httpGet('127.0.0.1', Number(tcp[0].HostPort)), /hello from/);
    assert.match(await httpGet('127.0.0.1', Number(tcp[1].HostPort)), /hello from/);
    assert.equal(ports['5353/udp'].length, 1);
    assert.equal(ports['7000/tcp'].length, 1, '-P publishes --expose ports too');
    const p = await cli(['port', name, '5353/udp']);
    assert.equal(p.stdout.trim(), `0.0.0.0:${ports['5353/udp'][0].HostPort}`);
    assert.equal((await cli(['rm', '-f', name])).code, 0);
  });

  test(`${cliName}: a host port that is taken is refused at start, nothing left behind`, async () => {
    const blocker = createTcpServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '0.0.0.0', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const name = `taken-${cliName}`;
      const r = await cli(['run', '-d', '--name', name, '-p', `${port}:3000`, 'busybox', ...HTTPD]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`${port}.*(already allocated|in use)`));
      const ins = (await d.api('GET', `/containers/${name}/json`)).json();
      assert.equal(ins.State.Running, false);
      assert.deepEqual(ins.NetworkSettings.Ports, {});
      assert.deepEqual(leases(), []);
      assert.deepEqual(veths(), []);
      assert.deepEqual(iptablesRulesMentioning(ins.Id), [], 'no NAT/DNAT rules of the container');
      assert.deepEqual(readdirSync(join(d.execRoot, 'netns')).filter((n) => !n.startsWith('.')), []);
      assert.equal((await cli(['rm', name])).code, 0);
    } finally {
      blocker.close();
    }
  });

  test(`${cliName}: invalid port specs are refused with a clear error and no container`, async () => {
    for (const spec of ['abc:80', '80:xyz', '70000:80', '1.2.3:80:80', '80/icmp']) {
      const r = await cli(['create', '--name', `badp-${cliName}`, '-p', spec, 'busybox', 'true']);
      assert.notEqual(r.code, 0, spec);
      assert.match(r.stderr, /invalid|Invalid/, spec);
    }
    const list = (await d.api('GET', '/containers/json?all=1')).json<{ Names: string[] }[]>();
    assert.ok(!list.some((c) => c.Names.includes(`/badp-${cliName}`)));
  });
}

test('API: bad PortBindings are 400 with nothing created', async () => {
  const cases = [{ '3000/tcp': [{ HostPort: 'x' }] }, { 'x/tcp': [{ HostPort: '80' }] }, { '80/tcp': [{ HostIp: '300.1.1.1', HostPort: '80' }] }];
  for (const pb of cases) {
    const r = await d.api('POST', '/containers/create?name=badapi', { Image: 'busybox', Cmd: ['true'], HostConfig: { PortBindings: pb } });
    assert.equal(r.status, 400, JSON.stringify(pb) + r.body.toString());
    assert.ok(r.json().message);
  }
  assert.equal((await d.api('GET', '/containers/badapi/json')).status, 404);
});

test('a host port that a leftover iptables DNAT rule forwards is refused at start, naming the rule; nothing left behind', async () => {
  const port = await freePort();
  const chain = `${d.netPrefix}-FK`;
  execFileSync('iptables', ['-w', '-t', 'nat', '-N', chain]);
  try {
    execFileSync('iptables', ['-w', '-t', 'nat', '-A', chain, '-p', 'tcp', '-m', 'tcp', '--dport', String(port), '-j', 'DNAT', '--to-destination', '10.254.254.254:3000']);
    const r = await d.docker(['run', '-d', '--name', 'fwd', '-p', `${port}:3000`, 'busybox', ...HTTPD]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated: iptables nat chain ${chain} already forwards tcp port ${port} to 10\\.254\\.254\\.254:3000`));
    const ins = (await d.api('GET', '/containers/fwd/json')).json();
    assert.equal(ins.State.Running, false);
    assert.deepEqual(veths(), []);
    assert.deepEqual(leases(), []);
    assert.equal(await new Promise<boolean>((resolve) => { const s = createTcpServer(); s.once('error', () => resolve(false)); s.listen(port, '0.0.0.0', () => s.close(() => resolve(true))); }), true, 'the port is not held');
    // the same port on udp is not forwarded: that one starts
    assert.equal((await d.docker(['run', '-d', '--name', 'fwdu', '-p', `${port}:3000/udp`, 'busybox', 'sleep', '30'])).code, 0);
    assert.equal((await d.docker(['rm', '-f', 'fwdu'])).code, 0);
  } finally {
    execFileSync('iptables', ['-w', '-t', 'nat', '-F', chain]);
    execFileSync('iptables', ['-w', '-t', 'nat', '-X', chain]);
  }
  // with the rule gone the container starts and serves
  assert.equal((await d.docker(['start', 'fwd'])).code, 0);
  assert.match(await httpGet('127.0.0.1', port), /hello from/);
  assert.equal((await d.docker(['rm', '-f', 'fwd'])).code, 0);
});

test('exactly --publish 8000:3000 (the seed example), when 8000 is free on this host', async (t) => {
  const free = await new Promise<boolean>((resolve) => { const s = createTcpServer(); s.once('error', () => resolve(false)); s.listen(8000, '0.0.0.0', () => s.close(() => resolve(true))); });
  if (!free) { t.diagnostic('port 8000 is in use on this host; the random-port tests cover the same path'); return; }
  const r = await d.docker(['run', '--publish', '8000:3000', '--detach', '--name', 'ena', 'busybox', ...HTTPD]);
  if (r.code !== 0 && /already allocated/.test(r.stderr)) {
    // another engine (e.g. the main job's berthd, killed with its container) left a DNAT rule for 8000: berthd says so instead of publishing into it
    t.diagnostic(`port 8000 is taken: ${r.stderr.trim()}`);
    await d.docker(['rm', '-f', 'ena']);
    return;
  }
  assert.equal(r.code, 0, r.stderr);
  try {
    const curl = await run('curl', ['-sS', '--max-time', '5', '--retry', '5', '--retry-connrefused', '--retry-delay', '1', 'http://localhost:8000']);
    assert.equal(curl.code, 0, curl.stderr);
    assert.match(curl.stdout, /^hello from/);
  } finally {
    await d.docker(['rm', '-f', 'ena']);
  }
});

test('the container is reachable again after stop/start with its ports', async () => {
  const port = await freePort();
  assert.equal((await d.docker(['run', '-d', '--name', 'again', '-p', `${port}:3000`, 'busybox', ...HTTPD])).code, 0);
  assert.match(await httpGet('127.0.0.1', port), /hello from/);
  assert.equal((await d.docker(['stop', '-t', '1', 'again'])).code, 0);
  await until(() => leases().length === 0, 5000);
  assert.deepEqual(veths(), []);
  assert.equal((await d.docker(['start', 'again'])).code, 0);
  assert.match(await httpGet('127.0.0.1', port), /hello from/);
  assert.equal((await d.docker(['rm', '-f', 'again'])).code, 0);
});
