/**
 * IPv6 on user-defined networks, with the docker CLI and berth: a network
 * with an IPv6 pool gives containers an IPv6 address beside the IPv4 one
 * (a requested one with --ip6, on run and on connect), they reach each other
 * over IPv6 and resolve each other's AAAA records at 127.0.0.11, inspect
 * shows the addresses as dockerd does, the subnet is masqueraded by
 * ip6tables, --ipv6 alone gets a ULA /64, and bad input gets dockerd's
 * errors and leaves nothing behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TestDaemon, iptablesRulesMentioning, type RunResult } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

// a ULA /48 of this run's: no two runs (or daemons) route the same subnet
const h = randomBytes(5).toString('hex');
const group = (x: string) => parseInt(x, 16).toString(16); // as berth prints it (RFC 5952: no leading zeros)
const ula = `fd${h.slice(0, 2)}:${group(h.slice(2, 6))}:${group(h.slice(6, 10))}`;
const WEB = ['sh', '-c', 'echo "web $(hostname)" > /tmp/index.html; exec httpd -f -p 80 -h /tmp'];

for (const cliName of ['docker', 'berth'] as const) {
  const cli = (args: string[]): Promise<RunResult> => (cliName === 'docker' ? d.docker(args) : d.berth(args));
  const net = `six-${cliName}`;
  const sub = cliName === 'docker' ? `${ula}:1` : `${ula}:2`;

  test(`${cliName}: containers on an IPv6 network get both families, reach and resolve each other over IPv6; inspect shows it`, async () => {
    const c = await cli(['network', 'create', '--ipv6', '--subnet', `${sub}::/64`, '--ip-range', `${sub}::/96`, '--gateway', `${sub}::ffff`, net]);
    assert.equal(c.code, 0, c.stderr);
    const n = (await d.api('GET', `/networks/${net}`)).json();
    assert.equal(n.EnableIPv6, true);
    assert.equal(n.IPAM.Config.length, 2);
    assert.match(n.IPAM.Config[0].Subnet, /^10\./, 'IPv4 from the default pools');
    assert.deepEqual(n.IPAM.Config[1], { Subnet: `${sub}::/64`, Gateway: `${sub}::ffff`, IPRange: `${sub}::/96` });

    const web = `web6-${cliName}`;
    const r = await cli(['run', '-d', '--name', web, '--network', net, '--ip6', `${sub}::f00d`, 'busybox', ...WEB]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const info = (await d.api('GET', `/containers/${web}/json`)).json();
    const ep = info.NetworkSettings.Networks[net];
    assert.equal(ep.GlobalIPv6Address, `${sub}::f00d`);
    assert.equal(ep.GlobalIPv6PrefixLen, 64);
    assert.equal(ep.IPv6Gateway, `${sub}::ffff`);
    assert.deepEqual(ep.IPAMConfig, { IPv6Address: `${sub}::f00d` });
    assert.match(ep.IPAddress, /^10\./, 'and an IPv4 address');
    const listed = (await d.api('GET', `/networks/${net}`)).json().Containers[id];
    assert.equal(listed.IPv6Address, `${sub}::f00d/64`);

    // from another container of the network: HTTP over IPv6, the AAAA record, the gateway, its own hosts line
    const probe = await cli(['run', '--rm', '--network', net, 'busybox', 'sh', '-c',
      `for i in 1 2 3 4 5; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${sub}::f00d 80 > /tmp/o && grep -q '^HTTP/1' /tmp/o && break; sleep 1; done; tail -n 1 /tmp/o; nslookup -type=AAAA ${web} 127.0.0.11; ping -6 -c 1 -W 3 ${sub}::ffff >/dev/null && echo GATEWAY; grep -c ${sub}:: /etc/hosts`]);
    assert.equal(probe.code, 0, probe.stderr);
    assert.match(probe.stdout, new RegExp(`^web ${id.slice(0, 12)}$`, 'm'), 'HTTP over IPv6');
    assert.match(probe.stdout, new RegExp(`Address:\\s+${sub}::f00d`), 'AAAA from the embedded DNS');
    assert.match(probe.stdout, /^GATEWAY$/m);
    assert.match(probe.stdout, /^1$/m, 'the container\'s IPv6 address in its /etc/hosts');

    // the subnet is masqueraded by ip6tables, as dockerd >= 27 does
    const masq = iptablesRulesMentioning(`${d.netPrefix}-POSTROUTING`).filter((x) => x.bin === 'ip6tables' && x.rule.includes(`-s ${sub}::/64`) && x.rule.includes('MASQUERADE'));
    assert.equal(masq.length, 1);

    // disconnect, connect with another --ip6 (docker-py's test_connect_with_ipv6_address)
    assert.equal((await cli(['network', 'disconnect', net, web])).code, 0);
    const conn = await cli(['network', 'connect', '--ip6', `${sub}::beef`, net, web]);
    assert.equal(conn.code, 0, conn.stderr);
    const again = (await d.api('GET', `/containers/${web}/json`)).json().NetworkSettings.Networks[net];
    assert.equal(again.GlobalIPv6Address, `${sub}::beef`);
    assert.equal(again.IPAMConfig.IPv6Address, `${sub}::beef`);
    const addr = await cli(['exec', web, 'ip', '-6', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addr.stdout, new RegExp(`inet6 ${sub}::beef/64 scope global`));

    assert.equal((await cli(['rm', '-f', web])).code, 0);
    assert.equal((await cli(['network', 'rm', net])).code, 0);
    assert.deepEqual(iptablesRulesMentioning(`${sub}::`), [], 'the ip6tables rules of the network went with it');
  });
}

test('an IPv6 subnet turns IPv6 on (dockerd >= 25); --ipv6 alone gets the next free /64 of the daemon\'s ULA /48', async () => {
  const a = await d.api('POST', '/networks/create', { Name: 'implied6', IPAM: { Config: [{ Subnet: `${ula}:3::1/64` }] } });
  assert.equal(a.status, 201, a.body.toString());
  assert.equal((await d.api('GET', '/networks/implied6')).json().EnableIPv6, true);
  // docker-py's test_create_with_ipv6_address: a container asking for an address of that subnet
  const c = await d.api('POST', '/containers/create?name=implied6c', { Image: 'busybox', Cmd: ['sleep', '30'], HostConfig: { NetworkMode: 'implied6' }, NetworkingConfig: { EndpointsConfig: { implied6: { IPAMConfig: { IPv6Address: `${ula}:3::f00d` } } } } });
  assert.equal(c.status, 201, c.body.toString());
  assert.equal((await d.api('POST', '/containers/implied6c/start')).status, 204);
  assert.equal((await d.api('GET', '/containers/implied6c/json')).json().NetworkSettings.Networks.implied6.GlobalIPv6Address, `${ula}:3::f00d`);
  assert.equal((await d.api('DELETE', '/containers/implied6c?force=1')).status, 204);

  const auto1 = await d.api('POST', '/networks/create', { Name: 'auto6a', EnableIPv6: true });
  const auto2 = await d.api('POST', '/networks/create', { Name: 'auto6b', EnableIPv6: true });
  assert.equal(auto1.status, 201);
  assert.equal(auto2.status, 201);
  const s1 = (await d.api('GET', '/networks/auto6a')).json().IPAM.Config[1].Subnet as string;
  const s2 = (await d.api('GET', '/networks/auto6b')).json().IPAM.Config[1].Subnet as string;
  assert.match(s1, /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/64$/);
  assert.equal(s2, s1.replace('::/64', ':1::/64'), 'the next /64 of the same /48');
  const r = await d.docker(['run', '--rm', '--network', 'auto6a', 'busybox', 'sh', '-c', 'ip -6 addr show dev eth0 scope global']);
  assert.match(r.stdout, new RegExp(`inet6 ${s1.replace('::/64', '::')}[0-9a-f]+/64`));
  for (const n of ['implied6', 'auto6a', 'auto6b']) assert.equal((await d.api('DELETE', `/networks/${n}`)).status, 204);
});

test('bad IPv6 input gets dockerd\'s errors and leaves nothing behind', async () => {
  assert.equal((await d.api('POST', '/networks/create', { Name: 'v6bad', EnableIPv6: true, IPAM: { Config: [{ Subnet: `${ula}:4::/64` }] } })).status, 201);
  assert.equal((await d.api('POST', '/networks/create', { Name: 'v4only' })).status, 201);
  const networksBefore = (await d.api('GET', '/networks')).json().length;
  const creates: [unknown, number, RegExp][] = [
    [{ Name: 'x1', IPAM: { Config: [{ Subnet: `${ula}:4::/80` }] } }, 403, /Pool overlaps with other one on this address space/],
    [{ Name: 'x2', IPAM: { Config: [{ Subnet: `${ula}:5::/64`, Gateway: `${ula}:6::1` }] } }, 400, /no matching subnet for gateway/],
    [{ Name: 'x3', IPAM: { Config: [{ Subnet: `${ula}:5::/64` }, { Subnet: `${ula}:6::/64` }] } }, 501, /more than one IPv6 subnet/],
    [{ Name: 'x4', IPAM: { Config: [{ Subnet: `${ula}:5::/64/3` }] } }, 400, /invalid CIDR address/],
    [{ Name: 'x5', EnableIPv6: 'yes' }, 400, /EnableIPv6/],
  ];
  for (const [body, status, re] of creates) {
    const r = await d.api('POST', '/networks/create', body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.body.toString()}`);
    assert.match(r.json().message, re);
  }
  assert.equal((await d.api('GET', '/networks')).json().length, networksBefore, 'no network half-made');

  const containersBefore = (await d.api('GET', '/containers/json?all=1')).json().length;
  const eps: [string, string, number, RegExp][] = [
    ['v4only', `${ula}:4::5`, 400, /does not have IPv6 enabled/],
    ['v6bad', `${ula}:9::5`, 400, /no configured subnet contains IP address/],
    ['v6bad', 'not-an-address', 400, /invalid IPv6 address/],
    ['v6bad', `${ula}:4::`, 400, /is the network address of subnet/],
    ['v6bad', `${ula}:4::1`, 400, /is the network's gateway/],
    ['bridge', `${ula}:4::5`, 400, /user specified IP address is supported on user defined networks only/],
  ];
  for (const [network, ip6, status, re] of eps) {
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { NetworkMode: network }, NetworkingConfig: { EndpointsConfig: { [network]: { IPAMConfig: { IPv6Address: ip6 } } } } });
    assert.equal(r.status, status, `${network} ${ip6}: ${r.body.toString()}`);
    assert.match(r.json().message, re);
  }
  assert.equal((await d.api('GET', '/containers/json?all=1')).json().length, containersBefore, 'no container half-made');

  // an address in use: the second start fails with 409 and the first keeps its address
  assert.equal((await d.docker(['run', '-d', '--name', 'holder6', '--network', 'v6bad', '--ip6', `${ula}:4::7`, 'busybox', 'sleep', '60'])).code, 0);
  const dup = await d.docker(['run', '--rm', '--network', 'v6bad', '--ip6', `${ula}:4::7`, 'busybox', 'true']);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /Address already in use/);
  assert.equal((await d.api('GET', '/containers/holder6/json')).json().NetworkSettings.Networks.v6bad.GlobalIPv6Address, `${ula}:4::7`);
  assert.equal((await d.docker(['rm', '-f', 'holder6'])).code, 0);
  for (const n of ['v6bad', 'v4only']) assert.equal((await d.api('DELETE', `/networks/${n}`)).status, 204);
});
