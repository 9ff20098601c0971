/**
 * Bad input gets a clear 4xx in Docker's format and leaves no record,
 * mount, process or directory behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, mountsUnder, processesMentioning } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

async function assertNothingLeft() {
  assert.deepEqual((await d.api('GET', '/containers/json?all=1')).json(), []);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'containers')), []);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'snapshots', 'rw')), []);
  assert.deepEqual(mountsUnder(d.root), []);
  assert.deepEqual(processesMentioning(join(d.root, 'exec', 'containers')), []);
}

const cases: { name: string; path: string; body: unknown; status: number; message: RegExp }[] = [
  { name: 'malformed JSON', path: '/v1.50/containers/create', body: '{"Image": "busybox",', status: 400, message: /invalid JSON/ },
  { name: 'empty body', path: '/v1.50/containers/create', body: '', status: 400, message: /invalid JSON/ },
  { name: 'JSON that is not an object', path: '/v1.50/containers/create', body: '[1,2]', status: 400, message: /invalid JSON/ },
  { name: 'unknown image', path: '/v1.50/containers/create', body: { Image: 'nosuch:img' }, status: 404, message: /^No such image: nosuch:img$/ },
  { name: 'invalid image reference', path: '/v1.50/containers/create', body: { Image: 'UPPER/Case' }, status: 400, message: /invalid reference format/ },
  { name: 'invalid container name', path: '/v1.50/containers/create?name=bad%20name!', body: { Image: 'busybox' }, status: 400, message: /Invalid container name \(bad name!\)/ },
  { name: 'memory below 6MB', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { Memory: 1024 } }, status: 400, message: /Minimum memory limit allowed is 6MB/ },
  { name: 'negative memory', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { Memory: -5 } }, status: 400, message: /memory/ },
  { name: 'memory of the wrong type', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { Memory: '1g' } }, status: 400, message: /Memory/ },
  { name: 'too many CPUs', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { NanoCpus: 1e12 } }, status: 400, message: /Range of CPUs is from 0.01 to/ },
  { name: 'no command', path: '/v1.50/containers/create', body: { Image: 'busybox', Entrypoint: [''], Cmd: [] }, status: 400, message: /no command specified/ },
  { name: 'relative WorkingDir', path: '/v1.50/containers/create', body: { Image: 'busybox', WorkingDir: 'rel' }, status: 400, message: /needs to be an absolute path/ },
  { name: 'bad restart policy', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, status: 400, message: /invalid restart policy/ },
  { name: 'AutoRemove with a restart policy', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }, status: 400, message: /AutoRemove/ },
  { name: 'healthcheck Interval below 1ms', path: '/v1.50/containers/create', body: { Image: 'busybox', Healthcheck: { Interval: 500_000, Timeout: 1e9, Retries: 1000 } }, status: 400, message: /^Interval in Healthcheck cannot be less than 1ms$/ },
  { name: 'negative healthcheck Interval', path: '/v1.50/containers/create', body: { Image: 'busybox', Healthcheck: { Interval: -10_000_000, Timeout: 1e9 } }, status: 400, message: /^Interval in Healthcheck cannot be less than 1ms$/ },
  { name: 'negative healthcheck Timeout', path: '/v1.50/containers/create', body: { Image: 'busybox', Healthcheck: { Interval: 1e9, Timeout: -100_000_000 } }, status: 400, message: /^Timeout in Healthcheck cannot be less than 1ms$/ },
  { name: 'negative healthcheck Retries', path: '/v1.50/containers/create', body: { Image: 'busybox', Healthcheck: { Interval: 1e9, Timeout: 1e9, Retries: -10 } }, status: 400, message: /^Retries in Healthcheck cannot be negative$/ },
  { name: 'healthcheck StartPeriod below 1ms', path: '/v1.50/containers/create', body: { Image: 'busybox', Healthcheck: { Interval: 1e9, StartPeriod: 100_000 } }, status: 400, message: /^StartPeriod in Healthcheck cannot be less than 1ms$/ },
  { name: 'a platform the image is not for', path: '/v1.50/containers/create?platform=linux/s390x', body: { Image: 'busybox' }, status: 400, message: /^image with reference busybox was found but does not match the specified platform: wanted linux\/s390x, actual: linux\// },
  { name: '--volumes-from a missing container', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { VolumesFrom: ['nosuchcontainer'] } }, status: 400, message: /^No such container: nosuchcontainer$/ },
  { name: 'unknown capability', path: '/v1.50/containers/create', body: { Image: 'busybox', HostConfig: { CapAdd: ['NOT_A_CAP'] } }, status: 400, message: /invalid capability/ },
];

for (const c of cases) {
  test(`create with ${c.name} → ${c.status}, nothing left`, async () => {
    const r = await d.api('POST', c.path, typeof c.body === 'string' ? Buffer.from(c.body) : c.body, { 'Content-Type': 'application/json' });
    assert.equal(r.status, c.status, r.body.toString());
    assert.match(r.headers['content-type'] as string, /application\/json/);
    assert.match(r.json<{ message: string }>().message, c.message);
    await assertNothingLeft();
  });
}

test('start failure (missing executable) → 400, no process or mount left, exit code 127 recorded', async () => {
  const cr = await d.api('POST', '/v1.50/containers/create?name=nocmd', { Image: 'busybox', Cmd: ['/no/such/binary'] });
  assert.equal(cr.status, 201);
  const st = await d.api('POST', '/v1.50/containers/nocmd/start');
  assert.equal(st.status, 400, st.body.toString());
  assert.match(st.json().message, /no such file or directory|not found/);
  const insp = (await d.api('GET', '/v1.50/containers/nocmd/json')).json();
  assert.equal(insp.State.Status, 'created');
  assert.equal(insp.State.ExitCode, 127);
  assert.deepEqual(mountsUnder(d.root), []);
  assert.equal((await d.api('DELETE', '/v1.50/containers/nocmd')).status, 204);
  await assertNothingLeft();
});

for (const cli of ['docker', 'berth'] as const) {
  test(`${cli} CLI: unknown flag and bad values fail with exit 125 and create nothing`, async () => {
    const run = (args: string[]) => (cli === 'docker' ? d.docker(args) : d.berth(args));
    const flag = await run(['run', '--no-such-flag', 'busybox', 'true']);
    assert.equal(flag.code, 125);
    assert.match(flag.stderr, /unknown flag: --no-such-flag/);
    const mem = await run(['run', '--memory', 'lots', 'busybox', 'true']);
    assert.equal(mem.code, 125);
    const cpus = await run(['run', '--cpus', '99', 'busybox', 'true']);
    assert.equal(cpus.code, 125);
    assert.match(cpus.stderr, /Range of CPUs is from 0.01 to/);
    await assertNothingLeft();
  });
}

test('name conflicts → 409 with Docker\'s message; the first container is untouched', async () => {
  assert.equal((await d.api('POST', '/v1.50/containers/create?name=dup', { Image: 'busybox' })).status, 201);
  const r = await d.api('POST', '/v1.50/containers/create?name=dup', { Image: 'busybox' });
  assert.equal(r.status, 409);
  assert.match(r.json().message, /^Conflict\. The container name "\/dup" is already in use by container "[a-f0-9]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.$/);
  assert.equal((await d.api('GET', '/containers/json?all=1')).json<unknown[]>().length, 1);
  assert.equal((await d.api('DELETE', '/containers/dup')).status, 204);
});

test('unknown containers → 404; state conflicts → 409 and 304', async () => {
  for (const [m, p] of [['GET', '/containers/nope/json'], ['POST', '/containers/nope/start'], ['POST', '/containers/nope/stop'], ['DELETE', '/containers/nope'], ['GET', '/containers/nope/logs?stdout=1']] as const) {
    const r = await d.api(m, `/v1.50${p}`);
    assert.equal(r.status, 404, `${m} ${p}`);
    assert.equal(r.json().message, 'No such container: nope');
  }
  const id = (await d.api('POST', '/v1.50/containers/create', { Image: 'busybox', Cmd: ['sleep', '300'] })).json().Id;
  assert.equal((await d.api('POST', `/v1.50/containers/${id}/stop`)).status, 304);
  assert.equal((await d.api('POST', `/v1.50/containers/${id}/kill`)).status, 409);
  assert.equal((await d.api('POST', `/v1.50/containers/${id}/start`)).status, 204);
  assert.equal((await d.api('POST', `/v1.50/containers/${id}/start`)).status, 304);
  const rm = await d.api('DELETE', `/v1.50/containers/${id}`);
  assert.equal(rm.status, 409);
  assert.match(rm.json().message, /^You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove$/);
  assert.equal((await d.api('POST', `/v1.50/containers/${id}/kill?signal=NOPE`)).status, 400);
  assert.equal((await d.api('DELETE', `/v1.50/containers/${id}?force=1`)).status, 204);
  await assertNothingLeft();
});

test('API versions: too new → 400; unknown routes → 404 JSON', async () => {
  const r = await d.api('GET', '/v9.99/version');
  assert.equal(r.status, 400);
  assert.match(r.json().message, /client version 9\.99 is too new/);
  const nf = await d.api('GET', '/v1.50/nothing/here');
  assert.equal(nf.status, 404);
  assert.equal(nf.json().message, 'page not found');
});
