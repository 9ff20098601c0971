/**
 * Engine API behaviours as dockerd's own API tests (and docker-py's suite)
 * check them: the spec defaults a container gets (sysctls, NIS domain name),
 * `update` of PidsLimit and of the restart policy, the "restarting" state,
 * dockerd's wording for removing a running or restarting container, legacy
 * link names (list, `rm --link`), exec framing chosen by the start request,
 * commit of a container that just exited, valueless Env entries, network
 * names with spaces, forced disconnects, and build's stderr, --cache-from
 * and --add-host.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon, until, sleep } from './harness.js';
import { hijack, demux } from './hijack-client.js';
import { tarOf } from './tar-helpers.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const V = '/v1.41';
async function create(name: string, body: Record<string, unknown>): Promise<string> {
  const r = await d.api('POST', `${V}/containers/create?name=${name}`, { Image: 'busybox', ...body });
  assert.equal(r.status, 201, r.body.toString());
  return r.json<{ Id: string }>().Id;
}
async function runDetached(name: string, body: Record<string, unknown>): Promise<string> {
  const id = await create(name, body);
  const s = await d.api('POST', `${V}/containers/${id}/start`);
  assert.equal(s.status, 204, s.body.toString());
  return id;
}
async function execOut(id: string, cmd: string[]): Promise<string> {
  const e = await d.api('POST', `${V}/containers/${id}/exec`, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const r = await d.api('POST', `${V}/exec/${e.json<{ Id: string }>().Id}/start`, { Detach: false, Tty: false });
  return demux(r.body).stdout.toString();
}
const inspect = async (id: string) => (await d.api('GET', `${V}/containers/${id}/json`)).json();
const rmf = (id: string) => d.api('DELETE', `${V}/containers/${id}?force=1`);

test("Docker's default sysctls in a private network namespace, none on the host's; the NIS domain name (TestNISDomainname)", async () => {
  const id = await runDetached('sysctl1', { Cmd: ['sleep', '60'], Hostname: 'foobar', Domainname: 'baz.cyphar.com' });
  assert.equal(await execOut(id, ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']), '0\n');
  assert.equal(await execOut(id, ['cat', '/proc/sys/net/ipv4/ping_group_range']), '0\t2147483647\n');
  assert.equal(await execOut(id, ['cat', '/proc/sys/kernel/hostname']), 'foobar\n');
  assert.equal(await execOut(id, ['cat', '/proc/sys/kernel/domainname']), 'baz.cyphar.com\n');
  assert.equal(await execOut(id, ['hostname', '-f']), 'foobar.baz.cyphar.com\n');
  // an unprivileged user binds port 80 without NET_BIND_SERVICE
  const nc = await d.api('POST', `${V}/containers/${id}/exec`, { Cmd: ['sh', '-c', 'nc -l -p 80 & sleep 0.3; netstat -ltn | grep -c ":80 "'], User: '1000', AttachStdout: true });
  assert.equal(demux((await d.api('POST', `${V}/exec/${nc.json<{ Id: string }>().Id}/start`, {})).body).stdout.toString(), '1\n');
  // the client's own sysctl wins
  const own = await runDetached('sysctl2', { Cmd: ['sleep', '60'], HostConfig: { Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '100' } } });
  assert.equal(await execOut(own, ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']), '100\n');
  const host = await runDetached('sysctl3', { Cmd: ['sleep', '60'], HostConfig: { NetworkMode: 'host' } });
  assert.equal(await execOut(host, ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']), (await import('node:fs')).readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  for (const c of [id, own, host]) await rmf(c);
});

test('update PidsLimit: a new limit takes effect, 0 / -1 / -2 lift it (pids.max "max", recorded 0) (TestUpdatePidsLimit)', async () => {
  const id = await runDetached('pids1', { Cmd: ['sleep', '60'], HostConfig: { PidsLimit: 32 } });
  const pidsMax = () => execOut(id, ['cat', '/sys/fs/cgroup/pids/pids.max']).then((s) => s.trim()).catch(() => '');
  const cgroupFile = (await execOut(id, ['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'])).trim();
  assert.equal(cgroupFile, '32');
  for (const [v, cg, rec] of [[16, '16', 16], [0, 'max', 0], [24, '24', 24], [-1, 'max', 0], [8, '8', 8], [-2, 'max', 0]] as const) {
    const u = await d.api('POST', `${V}/containers/${id}/update`, { PidsLimit: v });
    assert.equal(u.status, 200, u.body.toString());
    assert.equal(await pidsMax(), cg, `PidsLimit ${v}`);
    assert.equal((await inspect(id)).HostConfig.PidsLimit, rec, `PidsLimit ${v}`);
  }
  await rmf(id);
});

test('update of the restart policy counts on: a container "restarting" between runs, RestartCount reaches the new maximum (TestUpdateRestartPolicy)', async () => {
  const id = await runDetached('rp1', { Cmd: ['sh', '-c', 'sleep 1 && false'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } } });
  const u = await d.api('POST', `${V}/containers/${id}/update`, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 } });
  assert.equal(u.status, 200, u.body.toString());
  const seen = new Set<string>();
  const final = await until(async () => { const i = await inspect(id); seen.add(i.State.Status); return i.State.Status === 'exited' ? i : undefined; }, 60_000, 50);
  assert.equal(final.RestartCount, 5);
  assert.equal(final.HostConfig.RestartPolicy.MaximumRetryCount, 5);
  assert.ok(seen.has('restarting'), [...seen].join(','));
  await rmf(id);
});

test('restarting: listed, start is 304, rm without force is 409 in dockerd\'s words, stop ends it as exited', async () => {
  const id = await runDetached('rs1', { Cmd: ['sh', '-c', 'exit 3'], HostConfig: { RestartPolicy: { Name: 'always' } } });
  // the back-off doubles: after a few runs it waits long enough to be seen
  await until(async () => (await inspect(id)).State.Status === 'restarting' && (await inspect(id)).RestartCount >= 3, 30_000, 20);
  const st = await inspect(id);
  assert.equal(st.State.Restarting, true);
  const list = (await d.api('GET', `${V}/containers/json`)).json<{ Id: string; State: string }[]>();
  assert.ok(list.some((c) => c.Id === id), 'a restarting container is listed without all');
  const rm = await d.api('DELETE', `${V}/containers/${id}`);
  if (rm.status !== 409) assert.fail(`rm of a restarting container: ${rm.status} ${rm.body.toString()}`);
  assert.match(rm.json<{ message: string }>().message, new RegExp(`^You cannot remove a (restarting|running) container ${id}\\. Stop the container before attempting removal or force remove$`));
  const stop = await d.api('POST', `${V}/containers/${id}/stop?t=1`);
  assert.equal(stop.status, 204, stop.body.toString());
  const after = await inspect(id);
  assert.equal(after.State.Status, 'exited');
  await sleep(1500);
  assert.equal((await inspect(id)).State.Status, 'exited', 'no restart after a stop');
  await rmf(id);
});

test("DELETE of a running container without force: 409 with dockerd's message (docker-py's test_api_error_parses_json)", async () => {
  const id = await runDetached('rm1', { Cmd: ['sleep', '60'] });
  const r = await d.api('DELETE', `${V}/containers/rm1`);
  assert.equal(r.status, 409);
  assert.equal(r.json<{ message: string }>().message, `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);
  await rmf(id);
});

test('legacy links: the list names the linked container under its link name (TestLinksContainerNames); rm --link removes only the link', async () => {
  const a = await runDetached('first_links', { Cmd: ['sleep', '60'] });
  const b = await runDetached('second_links', { Cmd: ['sleep', '60'], HostConfig: { Links: ['first_links:first_links'] } });
  const list = (await d.api('GET', `${V}/containers/json?filters=${encodeURIComponent(JSON.stringify({ name: ['first_links'] }))}`)).json<{ Names: string[] }[]>();
  assert.equal(list.length, 1);
  assert.deepEqual(list[0].Names, ['/first_links', '/second_links/first_links']);
  const cli = await d.docker(['ps', '--no-trunc', '--filter', 'name=first_links', '--format', '{{.Names}}']);
  assert.equal(cli.stdout.trim(), 'first_links,second_links/first_links');
  assert.equal((await d.api('DELETE', `${V}/containers/first_links?link=1`)).status, 400);
  const nosuch = await d.api('DELETE', `${V}/containers/second_links/nosuch?link=1`);
  assert.equal(nosuch.status, 404, nosuch.body.toString());
  const rm = await d.api('DELETE', `${V}/containers/second_links/first_links?link=1`);
  assert.equal(rm.status, 204, rm.body.toString());
  const all = (await d.api('GET', `${V}/containers/json?all=1`)).json<{ Id: string; Names: string[] }[]>();
  assert.ok(!all.some((c) => c.Names.includes('/second_links/first_links')));
  assert.deepEqual(all.filter((c) => c.Id === a || c.Id === b).length, 2, 'both containers stay');
  assert.equal((await inspect(b)).HostConfig.Links, null);
  for (const c of [a, b]) await rmf(c);
});

test('exec: the start request\'s Tty picks raw or multiplexed output, whatever the exec was created with (docker-py ExecDemuxTest)', async () => {
  const id = await runDetached('ex1', { Cmd: ['cat'], OpenStdin: true });
  const mk = async () => (await d.api('POST', `${V}/containers/${id}/exec`, { Cmd: ['printf', 'yay, interactive exec!'], Tty: true, AttachStdout: true, AttachStderr: true })).json<{ Id: string }>().Id;
  // docker-py: a TTY exec started without Tty reads stdcopy frames
  const framed = await hijack(d.sock, `${V}/exec/${await mk()}/start`, JSON.stringify({ Detach: false, Tty: false }));
  assert.match(framed.head, /multiplexed-stream/);
  const out = await framed.closed;
  assert.equal(out[0], 1, 'a stdout frame header');
  assert.equal(out.readUInt32BE(4), 'yay, interactive exec!'.length);
  assert.equal(demux(out).stdout.toString(), 'yay, interactive exec!');
  // the docker CLI's exec -t: raw
  const raw = await hijack(d.sock, `${V}/exec/${await mk()}/start`, JSON.stringify({ Detach: false, Tty: true }));
  assert.match(raw.head, /raw-stream/);
  assert.equal((await raw.closed).toString(), 'yay, interactive exec!');
  await rmf(id);
});

test('commit of a container that exits while the commit begins (docker-py CommitTest): no 409, the file is in the image', async () => {
  for (let i = 0; i < 3; i++) {
    const id = await runDetached(`cm${i}`, { Cmd: ['touch', '/test'] });
    const r = await d.api('POST', `${V}/commit?container=${id}`);
    assert.equal(r.status, 201, r.body.toString());
    const img = r.json<{ Id: string }>().Id;
    const c = await runDetached(`cmcheck${i}`, { Image: img, Cmd: ['sleep', '30'] });
    assert.equal(await execOut(c, ['sh', '-c', 'test -e /test && echo yes']), 'yes\n');
    for (const x of [id, c]) await rmf(x);
    await d.api('DELETE', `${V}/images/${img}`);
  }
});

test('Env: a valueless entry is recorded as given and unsets the image\'s, the process gets none of it', async () => {
  const id = await runDetached('env1', { Cmd: ['sleep', '30'], Env: ['Foo', 'Other=one', 'Blank=', 'PATH'] });
  const env = (await inspect(id)).Config.Env as string[];
  assert.ok(env.includes('Foo') && env.includes('Other=one') && env.includes('Blank='), env.join(' '));
  const out = await execOut(id, ['env']);
  assert.doesNotMatch(out, /^Foo/m);
  assert.match(out, /^Other=one$/m);
  assert.match(out, /^Blank=$/m);
  await rmf(id);
});

test('networks: a name with a space is created and removed; a forced disconnect of a container not connected is refused', async () => {
  const n = await d.api('POST', `${V}/networks/create`, { Name: 'test 01' });
  assert.equal(n.status, 201, n.body.toString());
  const nid = n.json<{ Id: string }>().Id;
  assert.equal((await d.api('GET', `${V}/networks/${encodeURIComponent('test 01')}`)).json<{ Id: string }>().Id, nid);
  const id = await runDetached('nd1', { Cmd: ['sleep', '30'] });
  assert.equal((await d.api('POST', `${V}/networks/${nid}/connect`, { Container: id })).status, 200);
  assert.equal((await d.api('POST', `${V}/networks/${nid}/disconnect`, { Container: id, Force: true })).status, 200);
  const again = await d.api('POST', `${V}/networks/${nid}/disconnect`, { Container: id, Force: true });
  assert.equal(again.status, 403, again.body.toString());
  assert.match(again.json<{ message: string }>().message, /is not connected to network test 01/);
  // force forgives a container that is gone
  assert.equal((await d.api('POST', `${V}/networks/${nid}/disconnect`, { Container: 'no-such-container', Force: true })).status, 200);
  await rmf(id);
  assert.equal((await d.api('DELETE', `${V}/networks/${encodeURIComponent('test 01')}`)).status, 204);
  assert.equal((await d.api('POST', `${V}/networks/create`, { Name: 'a/b' })).status, 400);
});

async function build(query: string, dockerfile: string): Promise<{ lines: { stream?: string; error?: string; aux?: { ID: string } }[]; id?: string }> {
  const r = await d.api('POST', `${V}/build?${query}`, await tarOf({ Dockerfile: dockerfile }), { 'Content-Type': 'application/x-tar' });
  assert.equal(r.status, 200, r.body.toString());
  const lines = r.body.toString().split('\r\n').filter(Boolean).map((l) => JSON.parse(l));
  return { lines, id: lines.find((l) => l.aux)?.aux?.ID };
}

test('build: RUN stderr comes wrapped in red as dockerd\'s builder writes it (docker-py test_build_stderr_data)', async () => {
  const snippet = 'Ancient Temple (Mystic Oriental Dream ~ Ancient Temple)';
  const { lines, id } = await build('nocache=1', `FROM busybox\nRUN sh -c ">&2 echo '${snippet}'"\n`);
  assert.ok(lines.some((l) => l.stream === `\x1b[91m${snippet}\n\x1b[0m`), JSON.stringify(lines));
  await d.api('DELETE', `${V}/images/${id}`);
});

test('build --cache-from: only those images and their ancestors are a cache; an unknown one means no cache (docker-py test_build_with_cache_from)', async () => {
  const df = 'FROM busybox\nENV FOO=bar\nRUN touch baz\nRUN touch bax\n';
  await build('t=cf1', df);
  const cached = (ls: { stream?: string }[]) => ls.filter((l) => l.stream?.includes('Using cache')).length;
  assert.equal(cached((await build(`t=cf2&cachefrom=${encodeURIComponent('["cf1"]')}`, df)).lines), 3);
  assert.equal((await d.api('DELETE', `${V}/images/cf2`)).status, 200);
  assert.equal(cached((await build(`t=cf2&cachefrom=${encodeURIComponent('["nosuchtag"]')}`, df)).lines), 0);
  assert.equal(cached((await build('t=cf3', df)).lines), 3, 'without --cache-from the local cache is used');
  for (const t of ['cf1', 'cf2', 'cf3']) await d.api('DELETE', `${V}/images/${t}`);
});

test('build --add-host: RUN steps resolve the extra hosts (docker-py test_build_with_extra_hosts)', async () => {
  const { lines, id } = await build(`t=eh1&extrahosts=${encodeURIComponent('extrahost.local.test:127.0.0.1')}&extrahosts=${encodeURIComponent('hello.world.test:127.0.0.1')}`,
    'FROM busybox\nRUN ping -c1 hello.world.test\nRUN ping -c1 extrahost.local.test\nRUN cp /etc/hosts /hosts-file\n');
  assert.ok(!lines.some((l) => l.error), JSON.stringify(lines.filter((l) => l.error)));
  const c = await runDetached('ehcheck', { Image: id, Cmd: ['sleep', '30'] });
  const hosts = await execOut(c, ['cat', '/hosts-file']);
  assert.match(hosts, /127\.0\.0\.1\s+extrahost\.local\.test/);
  assert.match(hosts, /127\.0\.0\.1\s+hello\.world\.test/);
  await rmf(c);
  await d.api('DELETE', `${V}/images/eh1`);
});

test('JSON field names in any case, as Go decodes them (docker-py sends "detachKeys")', async () => {
  const id = await runDetached('jc1', { Cmd: ['sleep', '30'] });
  const e = await d.api('POST', `${V}/containers/${id}/exec`, { cmd: ['true'], detachKeys: 'ctrl-p', tty: true });
  assert.equal(e.status, 201, e.body.toString());
  const info = (await d.api('GET', `${V}/exec/${e.json<{ Id: string }>().Id}/json`)).json();
  assert.equal(info.DetachKeys, 'ctrl-p');
  assert.equal(info.ProcessConfig.entrypoint, 'true');
  assert.equal(info.ProcessConfig.tty, true);
  await rmf(id);
});
