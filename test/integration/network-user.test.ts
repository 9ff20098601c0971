/**
 * User-defined networks with the docker CLI and berth: create/ls/inspect/
 * rm/prune, name and alias resolution through the embedded DNS at
 * 127.0.0.11 (and forwarding to a fake upstream on loopback), isolation
 * between networks, --internal, --ip, connect/disconnect of a running
 * container, and bad input leaving nothing behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { TestDaemon, iptablesRulesMentioning, linksNamed, type RunResult } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const WEB = ['sh', '-c', 'echo "web $(hostname)" > /tmp/index.html; exec httpd -f -p 80 -h /tmp'];

/** Fetch http://host/ from a new container on `net` (retrying: the server may still be starting; busybox wget may crash). */
async function fetchFrom(cli: (a: string[]) => Promise<RunResult>, net: string, host: string, extra: string[] = []): Promise<RunResult> {
  // busybox wget segfaults now and then on this machine: plain HTTP over nc, body only
  const r = await cli(['run', '--rm', '--network', net, ...extra, 'busybox', 'sh', '-c', `for i in 1 2 3 4 5 6; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80 > /tmp/out && grep -q '^HTTP/1' /tmp/out && tail -n 1 /tmp/out && exit 0; sleep 1; done; exit 1`]);
  return r;
}

for (const cliName of ['docker', 'berth'] as const) {
  const cli = (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult> => (cliName === 'docker' ? d.docker(args, opts) : d.berth(args, opts));
  const n1 = `front-${cliName}`;
  let linksBefore: string[] = [];
  const n2 = `back-${cliName}`;

  test(`${cliName}: two containers on a user network reach each other by name and alias; not across networks`, async () => {
    linksBefore = linksNamed(d.netPrefix);
    assert.equal((await cli(['network', 'create', n1])).code, 0);
    assert.equal((await cli(['network', 'create', '--label', `tier=back-${cliName}`, n2])).code, 0);
    const ls = await cli(['network', 'ls']);
    assert.match(ls.stdout, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/m);
    for (const n of [n1, n2, 'bridge', 'host', 'none']) assert.match(ls.stdout, new RegExp(`^[0-9a-f]{12}\\s+${n}\\s+(bridge|host|null)\\s+local$`, 'm'));
    const filtered = await cli(['network', 'ls', '--filter', `label=tier=back-${cliName}`, '--format', '{{.Name}}']);
    assert.equal(filtered.stdout, `${n2}\n`);

    const web = `web-${cliName}`;
    const r = await cli(['run', '-d', '--name', web, '--network', n1, '--network-alias', `www-${cliName}`, 'busybox', ...WEB]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const byName = await fetchFrom(cli, n1, web);
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(byName.stdout, `web ${id.slice(0, 12)}\n`);
    assert.equal((await fetchFrom(cli, n1, `www-${cliName}`)).stdout, `web ${id.slice(0, 12)}\n`, 'alias');
    assert.equal((await fetchFrom(cli, n1, id.slice(0, 12))).stdout, `web ${id.slice(0, 12)}\n`, 'short ID');

    const resolv = await cli(['run', '--rm', '--network', n1, 'busybox', 'cat', '/etc/resolv.conf']);
    assert.match(resolv.stdout, /^nameserver 127\.0\.0\.11$/m);
    const ns = await cli(['run', '--rm', '--network', n1, 'busybox', 'nslookup', web, '127.0.0.11']);
    const ip = (await d.api('GET', `/containers/${web}/json`)).json().NetworkSettings.Networks[n1].IPAddress as string;
    assert.match(ns.stdout, new RegExp(`Address:\\s+${ip.replace(/\./g, '\\.')}`));

    // from the other network: the name does not resolve, and the address is not reachable
    // --dns 127.0.0.1: the unknown name is forwarded to nothing on loopback, never outside this machine
    const other = await cli(['run', '--rm', '--network', n2, '--dns', '127.0.0.1', 'busybox', 'sh', '-c', `nslookup ${web} 127.0.0.11; echo; nc -w 2 ${ip} 80 </dev/null && echo REACHED`]);
    assert.doesNotMatch(other.stdout, new RegExp(`Address:\\s+${ip.replace(/\./g, '\\.')}`));
    assert.match(other.stdout, /NXDOMAIN|can't find|SERVFAIL/);
    assert.doesNotMatch(other.stdout, /REACHED/);
    // nor from the default bridge (no embedded DNS there, as in Docker)
    const fromBridge = await cli(['run', '--rm', 'busybox', 'sh', '-c', `nc -w 2 ${ip} 80 </dev/null && echo REACHED; cat /etc/resolv.conf`]);
    assert.doesNotMatch(fromBridge.stdout, /REACHED|127\.0\.0\.11/);

    // inspect: the network lists the container; the container its endpoint with DNS names
    const net = (await d.api('GET', `/networks/${n1}`)).json();
    assert.equal(net.Containers[id].Name, web);
    assert.equal(net.Containers[id].IPv4Address, `${ip}/24`);
    const ep = (await d.api('GET', `/containers/${web}/json`)).json().NetworkSettings.Networks[n1];
    assert.deepEqual(ep.Aliases, [`www-${cliName}`]);
    assert.deepEqual(ep.DNSNames, [web, id.slice(0, 12), `www-${cliName}`]);
    assert.equal(ep.NetworkID, net.Id);

    // rm while in use → 409; after the container goes, rm works and the bridge goes with it
    const busy = await cli(['network', 'rm', n1]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /has active endpoints/);
    const status = await d.api('DELETE', `/networks/${n1}`);
    assert.equal(status.status, 409);
    assert.equal((await cli(['rm', '-f', web])).code, 0);
    assert.deepEqual(iptablesRulesMentioning(id), []);
    const rm = await cli(['network', 'rm', n1, n2]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout, `${n1}\n${n2}\n`);
    assert.equal((await d.api('GET', `/networks/${n1}`)).status, 404);
    assert.deepEqual(linksNamed(d.netPrefix).filter((l) => l !== d.bridge && !linksBefore.includes(l)), [], 'no bridge of the removed networks remains');
  });

  test(`${cliName}: --subnet/--gateway/--ip-range, --ip, --internal, connect and disconnect a running container`, async () => {
    const subnet = d.subnet(cliName === 'docker' ? 5 : 6);
    const base = subnet.split('.').slice(0, 3).join('.');
    const n = `fixed-${cliName}`;
    const c = await cli(['network', 'create', '--subnet', subnet, '--gateway', `${base}.254`, '--ip-range', `${base}.128/25`, n]);
    assert.equal(c.code, 0, c.stderr);
    const ins = (await d.api('GET', `/networks/${n}`)).json();
    assert.deepEqual(ins.IPAM.Config, [{ Subnet: subnet, Gateway: `${base}.254`, IPRange: `${base}.128/25` }]);
    const auto = await cli(['run', '--rm', '--network', n, 'busybox', 'sh', '-c', 'ip -4 addr show eth0 | grep inet; ip route']);
    assert.match(auto.stdout, new RegExp(`inet ${base}\\.(12[89]|1[3-9]\\d|2[0-5]\\d)/24`), 'address from the ip range');
    assert.match(auto.stdout, new RegExp(`default via ${base}\\.254`));
    const fixed = await cli(['run', '-d', '--name', `fixedip-${cliName}`, '--network', n, '--ip', `${base}.7`, 'busybox', ...WEB]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal((await d.api('GET', `/containers/fixedip-${cliName}/json`)).json().NetworkSettings.Networks[n].IPAddress, `${base}.7`);
    const dup = await cli(['run', '--rm', '--network', n, '--ip', `${base}.7`, 'busybox', 'true']);
    assert.notEqual(dup.code, 0, 'the same --ip twice');

    // --internal: no default route, no way out
    const ni = `int-${cliName}`;
    assert.equal((await cli(['network', 'create', '--internal', ni])).code, 0);
    assert.equal((await d.api('GET', `/networks/${ni}`)).json().Internal, true);
    const internal = await cli(['run', '--rm', '--network', ni, 'busybox', 'sh', '-c', `ip route; nc -w 2 ${base}.7 80 </dev/null && echo REACHED`]);
    assert.doesNotMatch(internal.stdout, /default/);
    assert.doesNotMatch(internal.stdout, /REACHED/);

    // connect a running container on the default bridge to the network: it gets eth1 and reaches the web server by name
    const cl = `client-${cliName}`;
    assert.equal((await cli(['run', '-d', '--name', cl, 'busybox', 'sleep', '300'])).code, 0);
    const conn = await cli(['network', 'connect', '--alias', `cl-${cliName}`, n, cl]);
    assert.equal(conn.code, 0, conn.stderr);
    const inside = await cli(['run', '--rm', '--network', `container:${cl}`, 'busybox', 'sh', '-c', `ip -4 addr show eth1 | grep -c inet; for i in 1 2 3 4 5; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 fixedip-${cliName} 80 | tail -n 1 | grep web && exit 0; sleep 1; done`]);
    assert.match(inside.stdout, /^1\nweb /, inside.stderr);
    const eps = (await d.api('GET', `/containers/${cl}/json`)).json().NetworkSettings.Networks;
    assert.deepEqual(Object.keys(eps).sort(), ['bridge', n].sort());
    assert.equal((await cli(['network', 'connect', n, cl])).code, 1, 'connecting twice is refused');
    const disc = await cli(['network', 'disconnect', n, cl]);
    assert.equal(disc.code, 0, disc.stderr);
    const after = await cli(['run', '--rm', '--network', `container:${cl}`, 'busybox', 'sh', '-c', 'ls /sys/class/net | sort | tr "\\n" " "']);
    assert.equal(after.stdout, 'eth0 lo ');
    assert.deepEqual(Object.keys((await d.api('GET', `/containers/${cl}/json`)).json().NetworkSettings.Networks), ['bridge']);

    for (const x of [cl, `fixedip-${cliName}`]) assert.equal((await cli(['rm', '-f', x])).code, 0);
    assert.equal((await cli(['network', 'rm', n, ni])).code, 0);
  });

  test(`${cliName}: --aux-address is shown and never handed out; --link-local-ip goes on the interface and into inspect`, async () => {
    const subnet = d.subnet(7); // the pool's last /24: each CLI's network is gone before the next one's
    const base = subnet.split('.').slice(0, 3).join('.');
    const n = `aux-${cliName}`;
    const aux = ['a', 'b', 'c', 'd', 'e'].map((k, i) => ['--aux-address', `${k}=${base}.${i + 1}`]).flat();
    const c = await cli(['network', 'create', '--subnet', subnet, '--gateway', `${base}.254`, '--ip-range', `${base}.0/28`, ...aux, n]);
    assert.equal(c.code, 0, c.stderr);
    const cl = `auxc-${cliName}`;
    try {
      assert.deepEqual((await d.api('GET', `/networks/${n}`)).json().IPAM.Config, [{ Subnet: subnet, Gateway: `${base}.254`, IPRange: `${base}.0/28`, AuxiliaryAddresses: { a: `${base}.1`, b: `${base}.2`, c: `${base}.3`, d: `${base}.4`, e: `${base}.5` } }]);
      // the range's first free host after the five reserved ones (dockerd gives the same)
      const r = await cli(['run', '-d', '--name', `aux1-${cliName}`, '--network', n, '--link-local-ip', '169.254.8.8', 'busybox', 'sleep', '300']);
      assert.equal(r.code, 0, r.stderr);
      const ep = (await d.api('GET', `/containers/aux1-${cliName}/json`)).json().NetworkSettings.Networks[n];
      assert.equal(ep.IPAddress, `${base}.6`);
      assert.deepEqual(ep.IPAMConfig, { LinkLocalIPs: ['169.254.8.8'] });
      const addrs = await cli(['exec', `aux1-${cliName}`, 'ip', '-4', 'addr', 'show', 'eth0']);
      assert.match(addrs.stdout, /inet 169\.254\.8\.8\/16 /);
      assert.match(addrs.stdout, new RegExp(`inet ${base.replace(/\./g, '\\.')}\\.6/24 `));
      // an auxiliary address asked for as --ip is taken already
      const taken = await cli(['run', '--rm', '--network', n, '--ip', `${base}.3`, 'busybox', 'true']);
      assert.notEqual(taken.code, 0);
      assert.match(taken.stderr, /already in use/i);
      // on the default bridge too (docker-py's test_create_with_linklocal_ips), and through connect
      const dflt = await cli(['run', '--rm', '--link-local-ip', '169.254.9.9', 'busybox', 'ip', '-4', 'addr', 'show', 'eth0']);
      assert.match(dflt.stdout, /inet 169\.254\.9\.9\/16 /, dflt.stderr);
      assert.equal((await cli(['run', '-d', '--name', cl, 'busybox', 'sleep', '300'])).code, 0);
      const conn = await cli(['network', 'connect', '--link-local-ip', '169.254.10.10', n, cl]);
      assert.equal(conn.code, 0, conn.stderr);
      assert.match((await cli(['exec', cl, 'ip', '-4', 'addr', 'show', 'eth1'])).stdout, /inet 169\.254\.10\.10\/16 /);
      const bad = await cli(['run', '--rm', '--link-local-ip', 'not-an-ip', 'busybox', 'true']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /invalid link-local IP address/);
    } finally {
      for (const x of [cl, `aux1-${cliName}`]) await cli(['rm', '-f', x]);
      assert.equal((await cli(['network', 'rm', n])).code, 0);
    }
  });

  test(`${cliName}: bad network input is refused with a clear error and nothing created`, async () => {
    const before = (await d.api('GET', '/networks')).json<unknown[]>().length;
    const links = linksNamed(d.netPrefix).length;
    const taken = `dup-${cliName}`;
    assert.equal((await cli(['network', 'create', '--subnet', d.subnet(cliName === 'docker' ? 3 : 4), taken])).code, 0);
    const cases: [string[], RegExp][] = [
      [['network', 'create', taken], /already exists/],
      [['network', 'create', 'bridge'], /already exists/],
      [['network', 'create', '--subnet', d.subnet(cliName === 'docker' ? 3 : 4), `ovl-${cliName}`], /overlaps/],
      [['network', 'create', '--subnet', 'not-a-subnet', `bad-${cliName}`], /invalid/],
      [['network', 'create', '--subnet', '10.1.2.0/24', '--gateway', '10.9.9.9', `gw-${cliName}`], /no matching subnet/],
      [['network', 'create', '-d', 'overlay', `ov-${cliName}`], /not supported/],
      [['network', 'create', '-d', 'nosuchdriver', `nd-${cliName}`], /not found/],
      [['network', 'rm', 'nosuchnet'], /not found/],
      [['network', 'rm', 'bridge'], /pre-defined/],
      [['network', 'connect', 'nosuchnet', 'nosuchcontainer'], /not found/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, re, args.join(' '));
    }
    // --pull never: the CLIs answer a 404 on create by pulling the image (as with dockerd); no test reaches outside
    const run = await cli(['run', '--rm', '--pull', 'never', '--network', 'nosuchnet', 'busybox', 'true']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /network nosuchnet not found/);
    assert.equal((await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { NetworkMode: 'nosuchnet' } })).status, 404);
    const ipOnBridge = await cli(['run', '--rm', '--ip', '10.1.2.3', 'busybox', 'true']);
    assert.notEqual(ipOnBridge.code, 0);
    assert.match(ipOnBridge.stderr, /user defined networks only/);
    assert.equal((await cli(['network', 'rm', taken])).code, 0);
    assert.equal((await d.api('GET', '/networks')).json<unknown[]>().length, before);
    assert.equal(linksNamed(d.netPrefix).length, links);
  });
}

test('API: network create errors are 4xx with Docker-style messages', async () => {
  const cases: [unknown, number, RegExp][] = [
    [{}, 400, /name/],
    [{ Name: 'bad name!' }, 400, /invalid network name/],
    [{ Name: 'x1', IPAM: { Config: [{ Subnet: '10.0.0.0/33' }] } }, 400, /invalid/],
    [{ Name: 'x2', Driver: 'host' }, 403, /only one instance/],
    [{ Name: 'x3', EnableIPv4: false, EnableIPv6: true }, 501, /IPv6-only/],
    [{ Name: 'x4', IPAM: { Config: [{ Subnet: '10.0.0.0/24', AuxiliaryAddresses: { a: '10.0.1.1' } }] } }, 400, /auxiliary address a=10\.0\.1\.1.*not in subnet 10\.0\.0\.0\/24/],
    [{ Name: 'x5', IPAM: { Config: [{ Subnet: '10.0.0.0/24', AuxiliaryAddresses: { a: 'nope' } }] } }, 400, /invalid auxiliary address a=nope/],
  ];
  for (const [body, status, re] of cases) {
    const r = await d.api('POST', '/networks/create', body);
    assert.equal(r.status, status, JSON.stringify(body) + r.body.toString());
    assert.match(r.json().message, re);
  }
  const list = (await d.api('GET', '/networks')).json<{ Name: string }[]>().map((n) => n.Name);
  for (const n of ['x1', 'x2', 'x3', 'x4', 'x5']) assert.ok(!list.includes(n));
});

test('embedded DNS forwards other names to the container\'s resolvers (a fake one on loopback), and refuses strangers', async () => {
  const fakeIp = `127.77.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
  const fake = createSocket('udp4');
  fake.on('message', (m, rinfo) => {
    const q = dnsPacket.decode(m);
    const name = q.questions?.[0]?.name ?? '';
    const answers = name === 'outside.example' && q.questions?.[0]?.type === 'A' ? [{ name, type: 'A' as const, ttl: 60, data: '192.0.2.77' }] : [];
    fake.send(dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => fake.bind(53, fakeIp, () => resolve()));
  try {
    assert.equal((await d.docker(['network', 'create', 'fwd'])).code, 0);
    const r = await d.docker(['run', '--rm', '--network', 'fwd', '--dns', fakeIp, '--dns-search', 'corp.example', '--dns-option', 'timeout:3', 'busybox', 'sh', '-c', 'cat /etc/resolv.conf; nslookup outside.example 127.0.0.11']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nameserver 127\.0\.0\.11$/m);
    assert.match(r.stdout, /^search corp\.example$/m);
    assert.match(r.stdout, /^options .*timeout:3/m);
    assert.match(r.stdout, /Address:\s+192\.0\.2\.77/);
    // a query from the host (not a container) to the network's listener at its gateway is refused
    const gw = (await d.api('GET', '/networks/fwd')).json().IPAM.Config[0].Gateway as string;
    const port = Number((await import('node:fs')).readFileSync(`${d.execRoot}/dns-port`, 'utf8'));
    const s = createSocket('udp4');
    const reply = await new Promise<dnsPacket.Packet>((resolve, reject) => {
      s.on('message', (m) => resolve(dnsPacket.decode(m)));
      setTimeout(() => reject(new Error('no answer')), 3000);
      s.send(dnsPacket.encode({ type: 'query', id: 9, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'example.org' }] }), port, gw);
    }).finally(() => s.close());
    assert.equal((reply as unknown as { rcode: string }).rcode, 'REFUSED');
  } finally {
    fake.close();
    await d.docker(['network', 'rm', 'fwd']);
  }
});
