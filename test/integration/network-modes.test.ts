/**
 * Network modes and the /etc files: --network none / host / container:<id>,
 * --hostname, --add-host (with host-gateway), --dns, --dns-search,
 * --dns-option, with both CLIs; network prune; events.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { TestDaemon, type RunResult } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

for (const cliName of ['docker', 'berth'] as const) {
  const cli = (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult> => (cliName === 'docker' ? d.docker(args, opts) : d.berth(args, opts));
  const sh = async (flags: string[], script: string) => {
    const r = await cli(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    return r.stdout;
  };

  test(`${cliName}: --network none has loopback only; inspect shows the none network`, async () => {
    assert.equal(await sh(['--network', 'none'], 'ls /sys/class/net | tr "\\n" " "'), 'lo ');
    const r = await cli(['run', '-d', '--name', `none-${cliName}`, '--network', 'none', 'busybox', 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    const ns = (await d.api('GET', `/containers/none-${cliName}/json`)).json().NetworkSettings;
    assert.deepEqual(Object.keys(ns.Networks), ['none']);
    assert.equal(ns.IPAddress, '');
    assert.equal((await cli(['rm', '-f', `none-${cliName}`])).code, 0);
  });

  test(`${cliName}: --network host sees the host's interfaces and hostname`, async () => {
    const out = await sh(['--network', 'host'], 'ls /sys/class/net; echo ---; hostname');
    const [ifaces, name] = out.split('---\n');
    // other suites add and remove bridges meanwhile: compare with the host's stable interfaces
    const seen = ifaces.trim().split('\n');
    const uplink = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000')?.[0];
    assert.ok(seen.includes('lo'));
    if (uplink) assert.ok(seen.includes(uplink), `the host's uplink ${uplink} is visible`);
    assert.ok(seen.filter((i) => readdirSync('/sys/class/net').includes(i)).length >= Math.min(2, seen.length), 'host interfaces visible');
    assert.equal(name.trim(), hostname());
    const warn = await cli(['create', '--name', `hostp-${cliName}`, '--network', 'host', '-p', '80:80', 'busybox', 'true']);
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /Published ports are discarded when using host network mode/);
    assert.equal((await cli(['rm', `hostp-${cliName}`])).code, 0);
  });

  test(`${cliName}: --network container:<name> shares the other container's namespace`, async () => {
    const web = `shared-${cliName}`;
    const r = await cli(['run', '-d', '--name', web, '--hostname', `web-${cliName}`, 'busybox', 'sh', '-c', 'echo shared > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']);
    assert.equal(r.code, 0, r.stderr);
    const out = await sh(['--network', `container:${web}`], 'for i in 1 2 3 4 5; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 127.0.0.1 8080 | tail -n 1 | grep shared && break; sleep 1; done; hostname; ip -4 addr show eth0 | grep -o "inet [0-9.]*"');
    const ip = (await d.api('GET', `/containers/${web}/json`)).json().NetworkSettings.IPAddress;
    assert.equal(out, `shared\nweb-${cliName}\ninet ${ip}\n`);
    const id = (await d.api('GET', `/containers/${web}/json`)).json().Id;
    const joined = await cli(['create', '--name', `joined-${cliName}`, '--network', `container:${web}`, 'busybox', 'true']);
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal((await d.api('GET', `/containers/joined-${cliName}/json`)).json().HostConfig.NetworkMode, `container:${id}`);
    for (const [flags, re] of [[['-p', '80:80'], /port publishing/], [['--hostname', 'x'], /hostname/], [['--dns', '1.1.1.1'], /dns/]] as [string[], RegExp][]) {
      const bad = await cli(['create', '--network', `container:${web}`, ...flags, 'busybox', 'true']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, re);
    }
    const missing = await cli(['create', '--network', 'container:nosuchcontainer', 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /No such container/);
    for (const c of [`joined-${cliName}`, web]) assert.equal((await cli(['rm', '-f', c])).code, 0);
  });

  test(`${cliName}: --hostname, --add-host (host-gateway), --dns, --dns-search, --dns-option in /etc files`, async () => {
    const out = await sh(['--hostname', 'box1', '--add-host', 'db.local:10.1.2.3', '--add-host', 'gw.local:host-gateway', '--dns', '10.9.9.9', '--dns-search', 'a.example', '--dns-search', 'b.example', '--dns-option', 'ndots:2'],
      'hostname; cat /etc/hosts; echo ---; cat /etc/resolv.conf');
    const [hostsPart, resolv] = out.split('---\n');
    const [name, ...hosts] = hostsPart.split('\n');
    assert.equal(name, 'box1');
    assert.match(hosts.join('\n'), /^10\.1\.2\.3\s+db\.local$/m);
    assert.match(hosts.join('\n'), new RegExp(`^${d.bip.split('/')[0].replace(/\./g, '\\.')}\\s+gw\\.local$`, 'm'));
    assert.match(hosts.join('\n'), /^10\.\d+\.\d+\.\d+\s+box1$/m, 'the container\'s own address');
    assert.equal(resolv, 'search a.example b.example\nnameserver 10.9.9.9\noptions ndots:2\n');
  });
  test(`${cliName}: --link NAME:ALIAS on the default bridge: /etc/hosts, Docker's link variables, reachable by alias; refusals`, async () => {
    const web = `lweb-${cliName}`;
    const httpd = ['sh', '-c', 'mkdir -p /www && echo "hello linked" > /www/index.html && exec httpd -f -p 3000 -h /www'];
    assert.equal((await cli(['run', '-d', '--name', web, '--expose', '3000', '-e', 'SECRET=s3', 'busybox', ...httpd])).code, 0);
    try {
      const ins = (await d.api('GET', `/containers/${web}/json`)).json();
      const ip = ins.NetworkSettings.IPAddress;
      const self = `linker-${cliName}`;
      const out = await sh(['--name', self, '--link', `${web}:db`], 'grep -w db /etc/hosts; env | grep ^DB_ | sort; for i in 1 2 3 4 5; do echo -e "GET / HTTP/1.0\\r\\n\\r\\n" | nc db 3000 && exit 0; sleep 1; done');
      const lines = out.split('\n');
      assert.equal(lines[0], `${ip}\tdb ${ins.Id.slice(0, 12)} ${web}`);
      for (const v of [`DB_ENV_SECRET=s3`, `DB_NAME=/${self}/db`, `DB_PORT=tcp://${ip}:3000`, `DB_PORT_3000_TCP=tcp://${ip}:3000`, `DB_PORT_3000_TCP_ADDR=${ip}`, 'DB_PORT_3000_TCP_PORT=3000', 'DB_PORT_3000_TCP_PROTO=tcp']) {
        assert.ok(lines.includes(v), `${v} in ${out}`);
      }
      assert.match(out, /hello linked/);
      // stored as dockerd shows it; a stopped target refuses the start
      const held = `held-${cliName}`;
      assert.equal((await cli(['create', '--name', held, '--link', web, 'busybox', 'true'])).code, 0);
      assert.deepEqual((await d.api('GET', `/containers/${held}/json`)).json().HostConfig.Links, [`/${web}:/${held}/${web}`]);
      assert.equal((await cli(['stop', '-t', '0', web])).code, 0);
      const refused = await cli(['start', held]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, new RegExp(`Cannot link to a non running container: /${web} AS /${held}/${web}`));
      await cli(['rm', held]);
    } finally {
      await cli(['rm', '-f', web]);
    }
    const missing = await cli(['create', '--link', 'nope', 'busybox', 'true']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /could not get container for nope/);
    assert.doesNotMatch(missing.stderr, /Unable to find image/);
  });

  test(`${cliName}: --link on a user-defined network is a DNS alias for the linking container only (no variables, no hosts line), as dockerd 20.10`, async () => {
    const net = `lnet-${cliName}`;
    const web = `uweb-${cliName}`;
    assert.equal((await cli(['network', 'create', net])).code, 0);
    try {
      assert.equal((await cli(['run', '-d', '--name', web, '--network', net, '--expose', '80', '-e', 'SECRET=s3', 'busybox', 'sleep', '300'])).code, 0);
      const ip = (await d.api('GET', `/containers/${web}/json`)).json().NetworkSettings.Networks[net].IPAddress as string;
      // dockerd 20.10: `docker run --network n --link web:db` → nslookup db answers web's address; no DB_* variables, no db line in /etc/hosts
      // (-w: the hosts file's own line names the container's hex ID, which may hold "db")
      const r = await cli(['run', '--rm', '--network', net, '--link', `${web}:db`, 'busybox', 'sh', '-c', 'nslookup db; nslookup db.' + net + '; echo ENV; env | grep -c ^DB_; grep -cw db /etc/hosts']);
      assert.equal(r.code, 1, r.stderr + r.stdout); // the last grep -c counts 0 lines: exit 1
      const [dns, env] = r.stdout.split('ENV\n');
      assert.equal(dns.match(new RegExp(`^Address: ${ip.replace(/\./g, '\\.')}$`, 'gm'))?.length, 2, dns);
      assert.equal(env, '0\n0\n');
      // a container without the link does not get the alias (dockerd: NXDOMAIN)
      const other = await cli(['run', '--rm', '--network', net, 'busybox', 'nslookup', 'db']);
      assert.notEqual(other.code, 0);
      assert.match(other.stdout, /can't find db/);
    } finally {
      await cli(['rm', '-f', web]);
      await cli(['network', 'rm', net]);
    }
  });

  test(`${cliName}: --mac-address sets eth0's address (default bridge and a user network), kept across restarts; bad or conflicting values refused`, async () => {
    const mac = cliName === 'docker' ? '92:d0:c6:0a:29:33' : '02:42:ac:11:ff:01';
    assert.equal(await sh(['--mac-address', mac], 'cat /sys/class/net/eth0/address'), `${mac}\n`);
    const net = `macnet-${cliName}`;
    assert.equal((await cli(['network', 'create', net])).code, 0);
    const name = `mac-${cliName}`;
    try {
      assert.equal((await cli(['run', '-d', '--name', name, '--network', net, '--mac-address', mac.toUpperCase(), 'busybox', 'sleep', '60'])).code, 0);
      const ins = (await d.api('GET', `/containers/${name}/json`)).json();
      assert.equal(ins.NetworkSettings.Networks[net].MacAddress, mac);
      assert.equal((await cli(['exec', name, 'cat', '/sys/class/net/eth0/address'])).stdout, `${mac}\n`);
      assert.equal((await cli(['restart', '-t', '0', name])).code, 0);
      assert.equal((await cli(['exec', name, 'cat', '/sys/class/net/eth0/address'])).stdout, `${mac}\n`);
    } finally {
      await cli(['rm', '-f', name]);
      await cli(['network', 'rm', net]);
    }
    const none = await cli(['create', '--network', 'none', '--mac-address', mac, 'busybox', 'true']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /conflicting options: mac-address and the network mode/);
    // the tuning plugin's saved state goes with the attachment
    assert.deepEqual(readdirSync(`${d.dataRoot}/network/tuning`, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name), []);
  });

}

test('API: an invalid or multicast MAC address is 400 with nothing created', async () => {
  for (const mac of ['zz:zz:zz:zz:zz:zz', '92:d0:c6:0a:29', '01:00:5e:00:00:01']) {
    const r = await d.api('POST', '/containers/create?name=badmac', { Image: 'busybox', Cmd: ['true'], NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: mac } } } });
    assert.equal(r.status, 400, mac);
    assert.match(r.json().message, /invalid MAC address/);
    const old = await d.api('POST', '/containers/create?name=badmac', { Image: 'busybox', Cmd: ['true'], MacAddress: mac });
    assert.equal(old.status, 400, mac);
  }
  assert.equal((await d.api('GET', '/containers/badmac/json')).status, 404);
});


test('network prune removes unused custom networks only; events for create/connect/disconnect/destroy', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  for (const n of ['keep-me', 'drop-me', 'drop-too']) assert.equal((await d.docker(['network', 'create', n])).code, 0);
  assert.equal((await d.docker(['run', '-d', '--name', 'user1', '--network', 'keep-me', 'busybox', 'sleep', '60'])).code, 0);
  assert.equal((await d.docker(['network', 'connect', 'drop-too', 'user1'])).code, 0);
  assert.equal((await d.docker(['network', 'disconnect', 'drop-too', 'user1'])).code, 0);
  const pr = await d.docker(['network', 'prune', '-f']);
  assert.equal(pr.code, 0, pr.stderr);
  assert.match(pr.stdout, /^Deleted Networks:\n/);
  assert.deepEqual(pr.stdout.trim().split('\n').slice(1).sort(), ['drop-me', 'drop-too']);
  const names = (await d.api('GET', '/networks')).json<{ Name: string }[]>().map((n) => n.Name).sort();
  assert.deepEqual(names, ['bridge', 'host', 'keep-me', 'none']);
  assert.equal((await d.docker(['rm', '-f', 'user1'])).code, 0);
  const bp = await d.berth(['network', 'prune', '--force']);
  assert.equal(bp.code, 0, bp.stderr);
  assert.equal(bp.stdout, 'Deleted Networks:\nkeep-me\n');
  const ev = await d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  assert.equal(ev.code, 0, ev.stderr);
  const lines = ev.stdout.trim().split('\n');
  for (const want of ['create keep-me', 'create drop-me', 'connect drop-too', 'disconnect drop-too', 'destroy drop-me', 'destroy drop-too', 'connect keep-me', 'destroy keep-me']) assert.ok(lines.includes(want), `${want} in ${ev.stdout}`);
});
