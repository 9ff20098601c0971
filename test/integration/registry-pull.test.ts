/**
 * Pull from a real registry (the CNCF distribution registry on 127.0.0.1)
 * through berthd: the docker CLI's pull with progress, RepoDigests, up to
 * date on a second pull, `docker run` pulling a missing image after the
 * 404 on create, mirrors for docker.io, unknown tags leaving nothing behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon } from './harness.js';
import { CncfRegistry, seedImage, type SeededImage } from './registry-harness.js';

const reg = new CncfRegistry();
let d: TestDaemon;
let seeded: SeededImage;

before(async () => {
  await reg.start();
  seeded = await seedImage(reg.url, 'library/busybox', 'latest');
  await seedImage(reg.url, 'tools/box', '1.0', { mediaType: 'oci', cmd: ['echo', 'from-oci'] });
  d = new TestDaemon();
  await d.start();
});
after(async () => {
  await d?.cleanup();
  await reg.stop();
});

test('docker pull 127.0.0.1:PORT/library/busybox draws per-layer progress and records the repo digest', async () => {
  const name = `${reg.host}/library/busybox`;
  const r = await d.docker(['pull', name]);
  assert.equal(r.code, 0, r.stderr);
  const layer = seeded.layerDigests[0].slice(7, 19);
  assert.match(r.stdout, new RegExp(`${layer}: Pull complete`));
  assert.match(r.stdout, new RegExp(`Digest: ${seeded.manifestDigest}`));
  assert.match(r.stdout, new RegExp(`Status: Downloaded newer image for ${name}:latest`));
  const inspect = JSON.parse((await d.docker(['image', 'inspect', name])).stdout)[0];
  assert.equal(inspect.Id, seeded.configDigest);
  assert.deepEqual(inspect.RepoDigests, [`${name}@${seeded.manifestDigest}`]);
  assert.deepEqual(inspect.RepoTags, [`${name}:latest`]);
  const out = await d.docker(['run', '--rm', name, 'echo', 'pulled-and-ran']);
  assert.equal(out.stdout.trim(), 'pulled-and-ran', out.stderr);

  const evs = await d.api('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent(JSON.stringify({ type: ['image'], event: ['pull'] }))}`);
  const pulls = evs.body.toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(pulls.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes.name]), [['pull', `${name}:latest`, name]]);

  const again = await d.docker(['pull', name]);
  assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${name}:latest`));

  // by digest
  const byDigest = await d.docker(['pull', `${name}@${seeded.manifestDigest}`]);
  assert.equal(byDigest.code, 0, byDigest.stderr);
  // rmi of the tag also drops the digest reference, then the image
  const rmi = await d.docker(['rmi', name]);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.match(rmi.stdout, /Deleted: sha256:/);
  assert.equal((await d.docker(['image', 'inspect', name])).code, 1);
});

test('the raw API streams Docker\'s JSON progress messages', async () => {
  const r = await d.api('POST', `/v1.50/images/create?fromImage=${encodeURIComponent(`${reg.host}/tools/box`)}&tag=1.0`);
  assert.equal(r.status, 200);
  const msgs = r.body.toString().trim().split(/\r?\n/).map((l) => JSON.parse(l));
  const statuses = msgs.map((m) => m.status);
  assert.equal(statuses[0], 'Pulling from tools/box'.replace('tools', `${reg.host}/tools`));
  for (const s of ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) assert.ok(statuses.includes(s), `missing ${s}: ${statuses}`);
  const dl = msgs.find((m) => m.status === 'Downloading');
  assert.equal(typeof dl.progressDetail.total, 'number');
  assert.ok(dl.id && dl.id.length === 12);
  assert.match(statuses.at(-1), /^Status: Downloaded newer image for /);
  const run = await d.docker(['run', '--rm', `${reg.host}/tools/box:1.0`]);
  assert.equal(run.stdout.trim(), 'from-oci');
  await d.docker(['rmi', `${reg.host}/tools/box:1.0`]);
});

test('docker run of an image that is not present pulls it (after the 404 on create)', async () => {
  const name = `${reg.host}/library/busybox:latest`;
  const r = await d.docker(['run', '--rm', name, 'echo', 'auto-pulled']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Unable to find image .* locally/);
  assert.equal(r.stdout.trim().split('\n').at(-1), 'auto-pulled');
  await d.docker(['rmi', name]);
});

test('an unknown tag or repository fails clearly and leaves no image', async () => {
  const r = await d.docker(['pull', `${reg.host}/library/busybox:nope`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /manifest for .*busybox:nope not found|not found/);
  const r2 = await d.docker(['pull', `${reg.host}/library/nothing-here`]);
  assert.notEqual(r2.code, 0);
  assert.match(r2.stderr, /not found|does not exist|unknown/i);
  const list = (await d.api('GET', '/images/json')).json<unknown[]>();
  assert.deepEqual(list, []);
});

test('with the registry as mirror for docker.io, `docker pull busybox` and `docker run busybox` work offline', async () => {
  const m = new TestDaemon();
  try {
    await m.start(['--registry-mirror', reg.url]);
    const r = await m.docker(['pull', 'busybox']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Status: Downloaded newer image for busybox:latest/);
    const inspect = JSON.parse((await m.docker(['image', 'inspect', 'busybox'])).stdout)[0];
    assert.deepEqual(inspect.RepoDigests, [`busybox@${seeded.manifestDigest}`]);
    await m.docker(['rmi', 'busybox']);
    const run = await m.docker(['run', '--rm', 'busybox', 'echo', 'mirror-ok']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'mirror-ok');
  } finally {
    await m.cleanup();
  }
});

test('docker build FROM an image that is only in the registry pulls it', async () => {
  const base = `${reg.host}/library/busybox:latest`;
  assert.equal((await d.docker(['image', 'inspect', base])).code, 1, 'not present before the build');
  const r = await d.docker(['build', '-q', '-t', 'built-on-pulled:1', '-'], { input: `FROM ${base}\nRUN echo built-from-pulled > /f\nCMD ["cat", "/f"]\n`, timeoutMs: 120000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse((await d.docker(['image', 'inspect', base])).stdout)[0].RepoDigests, [`${reg.host}/library/busybox@${seeded.manifestDigest}`]);
  assert.equal((await d.docker(['run', '--rm', 'built-on-pulled:1'])).stdout.trim(), 'built-from-pulled');
  await d.docker(['rmi', 'built-on-pulled:1', base]);
});
