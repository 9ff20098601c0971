/** Engine API details: ping/version/info, logs framing and options, wait conditions, list filters, ID prefixes. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { decodeFrames } from '../../src/api/stdcopy.js';
import { TestDaemon, sleep, until } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const create = async (body: object, name?: string) => {
  const r = await d.api('POST', `/v1.50/containers/create${name ? `?name=${name}` : ''}`, { Image: 'busybox', ...body });
  assert.equal(r.status, 201, r.body.toString());
  return r.json<{ Id: string }>().Id;
};

test('/_ping (GET and HEAD) carries API-Version; /version and /info describe the daemon', async () => {
  for (const method of ['GET', 'HEAD']) {
    const r = await d.api(method, '/_ping');
    assert.equal(r.status, 200);
    assert.equal(r.headers['api-version'], '1.50');
    assert.equal(r.headers['ostype'], 'linux');
    assert.equal(r.body.toString(), method === 'GET' ? 'OK' : '');
  }
  for (const prefix of ['', '/v1.41', '/v1.50']) {
    const v = (await d.api('GET', `${prefix}/version`)).json();
    assert.equal(v.ApiVersion, '1.50');
    assert.equal(v.Os, 'linux');
  }
  const info = (await d.api('GET', '/info')).json();
  assert.equal(info.Images, 1);
  assert.equal(info.DockerRootDir, d.dataRoot);
  assert.equal(info.DefaultRuntime, 'runc');
  const dv = await d.docker(['version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(dv.stdout.trim(), '1.50');
});

test('logs: 8-byte multiplexed frames, tail, timestamps, since/until', async () => {
  const id = await create({ Cmd: ['sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; sleep 0.05; echo err$i >&2; sleep 0.05; done'] });
  const waited = d.api("POST", `/containers/${id}/wait?condition=next-exit`);
  await d.api('POST', `/containers/${id}/start`);
  assert.equal((await waited).json().StatusCode, 0);
  const r = await d.api('GET', `/containers/${id}/logs?stdout=1&stderr=1`);
  assert.equal(r.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  const { frames, rest } = decodeFrames(r.body);
  assert.equal(rest.length, 0);
  const out = frames.filter((f) => f.stream === 1).map((f) => f.data.toString()).join('');
  const err = frames.filter((f) => f.stream === 2).map((f) => f.data.toString()).join('');
  assert.equal(out, 'out1\nout2\nout3\nout4\nout5\n');
  assert.equal(err, 'err1\nerr2\nerr3\nerr4\nerr5\n');
  // As in Docker, tail counts lines of both streams before the stream filter applies.
  const both = decodeFrames((await d.api('GET', `/containers/${id}/logs?stdout=1&stderr=1&tail=2`)).body).frames;
  assert.deepEqual(both.map((f) => [f.stream, f.data.toString()]), [[1, 'out5\n'], [2, 'err5\n']]);
  const onlyOut = decodeFrames((await d.api('GET', `/containers/${id}/logs?stdout=1&tail=4`)).body).frames;
  assert.deepEqual(onlyOut.map((f) => f.data.toString()), ['out4\n', 'out5\n']);
  const ts = decodeFrames((await d.api('GET', `/containers/${id}/logs?stdout=1&timestamps=1&tail=2`)).body).frames[0].data.toString();
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out5\n$/);
  const future = (await d.api('GET', `/containers/${id}/logs?stdout=1&since=${Math.floor(Date.now() / 1000) + 60}`)).body;
  assert.equal(future.length, 0);
  const past = (await d.api('GET', `/containers/${id}/logs?stdout=1&until=1`)).body;
  assert.equal(past.length, 0, 'nothing was logged before 1970-01-01T00:00:01Z');
  assert.equal((await d.api('GET', `/containers/${id}/logs`)).status, 400);
  const cli = await d.docker(['logs', '--tail', '2', id]);
  assert.equal(cli.stdout, 'out5\n');
  assert.equal(cli.stderr, 'err5\n');
});

test('logs follow streams until the container exits', async () => {
  const id = await create({ Cmd: ['sh', '-c', 'echo a; sleep 1; echo b'] });
  await d.api('POST', `/containers/${id}/start`);
  const t0 = Date.now();
  const r = await d.docker(['logs', '-f', id]);
  assert.equal(r.stdout, 'a\nb\n');
  assert.ok(Date.now() - t0 >= 500, 'follow waited for the second line');
});

test('wait conditions: not-running returns at once for a stopped container; removed waits for rm', async () => {
  const id = await create({ Cmd: ['true'] });
  const nr = await d.api('POST', `/containers/${id}/wait?condition=not-running`);
  assert.deepEqual(nr.json(), { StatusCode: 0 });
  const removed = d.api('POST', `/containers/${id}/wait?condition=removed`);
  await sleep(100);
  await d.api('DELETE', `/containers/${id}`);
  assert.equal((await removed).status, 200);
  assert.equal((await d.api('POST', `/containers/${id}/wait?condition=bogus`)).status, 400);
});

test('list: all, filters by name, label, status, id; short-ID prefix lookup', async () => {
  const a = await create({ Cmd: ['sleep', '300'], Labels: { tier: 'web', env: 'prod' } }, 'flt-a');
  const b = await create({ Cmd: ['true'], Labels: { tier: 'db' } }, 'flt-b');
  await d.api('POST', `/containers/${a}/start`);
  const q = async (f: object, all = true) => (await d.api('GET', `/containers/json?all=${all ? 1 : 0}&filters=${encodeURIComponent(JSON.stringify(f))}`)).json<{ Id: string; Names: string[]; State: string }[]>().map((c) => c.Names[0]).sort();
  assert.deepEqual(await q({}, false), ['/flt-a']);
  assert.deepEqual(await q({ name: ['flt-'] }), ['/flt-a', '/flt-b']);
  assert.deepEqual(await q({ label: ['tier=web'] }), ['/flt-a']);
  assert.deepEqual(await q({ label: { tier: true } }), ['/flt-a', '/flt-b']);
  assert.deepEqual(await q({ label: ['tier=web', 'env=prod'] }), ['/flt-a']);
  assert.deepEqual(await q({ status: ['created'] }), ['/flt-b']);
  assert.deepEqual(await q({ status: ['running'] }), ['/flt-a']);
  assert.deepEqual(await q({ id: [b.slice(0, 10)] }), ['/flt-b']);
  assert.equal((await d.api('GET', `/containers/json?filters=${encodeURIComponent('{"status":["sleeping"]}')}`)).status, 400);
  const byPrefix = await d.api('GET', `/containers/${a.slice(0, 8)}/json`);
  assert.equal(byPrefix.json().Id, a);
  const ps = await d.docker(['ps', '-a', '-q', '--filter', 'label=tier=db', '--no-trunc']);
  assert.equal(ps.stdout.trim(), b);
  await d.api('DELETE', `/containers/${a}?force=1`);
  await d.api('DELETE', `/containers/${b}`);
});

test('list filters in the forms dockerode sends: limit without all includes stopped containers, valueless and valued labels, the map form, on every list', async () => {
  // dockerode's #labelsAndFilters: two created (never started) containers, listed with limit=3 and no all —
  // dockerd 20.10 (daemon/list.go) leaves stopped containers out only when neither all nor a limit is given
  await create({ Cmd: ['true'], Labels: { 'dockerode-test-label': '' } }, 'dl-1');
  await create({ Cmd: ['true'], Labels: { 'dockerode-test-label': '', 'dockerode-test-value-label': 'assigned' } }, 'dl-2');
  const q = async (filters: string, extra = 'limit=3') => (await d.api('GET', `/containers/json?${extra}&filters=${encodeURIComponent(filters)}`)).json<{ Names: string[] }[]>().map((c) => c.Names[0]).sort();
  assert.deepEqual(await q('{"label": ["dockerode-test-label"]}'), ['/dl-1', '/dl-2']);
  assert.deepEqual(await q('{"label": ["dockerode-test-label", "dockerode-test-value-label=assigned"]}'), ['/dl-2']);
  assert.deepEqual(await q(JSON.stringify({ label: { 'dockerode-test-label': true, 'dockerode-test-value-label=assigned': true } })), ['/dl-2']);
  // dockerd's filters.FromJSON keeps a map's keys whatever their boolean
  assert.deepEqual(await q(JSON.stringify({ label: { 'dockerode-test-value-label=assigned': false } })), ['/dl-2']);
  assert.deepEqual(await q('{"label": ["dockerode-test-label="]}'), ['/dl-1', '/dl-2'], 'k= matches the empty value');
  assert.deepEqual(await q('{"label": ["dockerode-test-value-label=other"]}'), []);
  assert.deepEqual(await q('{"label": ["dockerode-test-label"]}', 'limit=1'), ['/dl-2'], 'the newest first');
  assert.deepEqual(await q('{"label": ["dockerode-test-label"]}', 'all=0'), [], 'no all, no limit: running ones only');
  // the other lists share the parser: the map form filters images, volumes and networks too
  assert.equal((await d.api('POST', '/volumes/create', { Name: 'dl-vol', Labels: { 'dl.k': 'v' } })).status, 201);
  assert.equal((await d.api('POST', '/networks/create', { Name: 'dl-net', Labels: { 'dl.k': 'v' } })).status, 201);
  const map = encodeURIComponent(JSON.stringify({ label: { 'dl.k=v': true } }));
  assert.deepEqual((await d.api('GET', `/volumes?filters=${map}`)).json().Volumes.map((v: { Name: string }) => v.Name), ['dl-vol']);
  assert.deepEqual((await d.api('GET', `/networks?filters=${map}`)).json().map((n: { Name: string }) => n.Name), ['dl-net']);
  assert.deepEqual((await d.api('GET', `/images/json?filters=${map}`)).json(), []);
  assert.equal((await d.api('GET', `/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: { busybox: true } }))}`)).json().length, 1);
  await d.api('DELETE', '/volumes/dl-vol');
  await d.api('DELETE', '/networks/dl-net');
  for (const n of ['dl-1', 'dl-2']) await d.api('DELETE', `/containers/${n}`);
});

test('attach over a hijacked connection (Upgrade: tcp) streams output until exit', async () => {
  const id = await create({ Cmd: ['sh', '-c', 'echo one; echo two >&2'] });
  const chunks: Buffer[] = [];
  const ended = new Promise<number>((resolve, reject) => {
    const req = request({ socketPath: d.sock, method: 'POST', path: `/v1.50/containers/${id}/attach?stream=1&stdout=1&stderr=1`, headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    req.on('upgrade', (res, socket, head) => {
      if (head.length) chunks.push(head);
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => resolve(res.statusCode ?? 0));
      void d.api('POST', `/containers/${id}/start`);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(await ended, 101);
  const frames = decodeFrames(Buffer.concat(chunks)).frames;
  assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [[1, 'one\n'], [2, 'two\n']]);
  await until(async () => (await d.api('GET', `/containers/${id}/json`)).json().State.Status === 'exited');
  await d.api('DELETE', `/containers/${id}`);
});

test('restart policy on-failure:2 restarts twice, then stays exited', async () => {
  const id = await create({ Cmd: ['sh', '-c', 'exit 1'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } });
  await d.api('POST', `/containers/${id}/start`);
  await until(async () => (await d.api('GET', `/containers/${id}/json`)).json().RestartCount === 2, 15000);
  await sleep(1500);
  const insp = (await d.api('GET', `/containers/${id}/json`)).json();
  assert.equal(insp.RestartCount, 2);
  assert.equal(insp.State.Status, 'exited');
  assert.equal(insp.State.ExitCode, 1);
  await d.api('DELETE', `/containers/${id}?force=1`);
});
