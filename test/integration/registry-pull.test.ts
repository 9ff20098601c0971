/**
 * Pull from a real registry (the CNCF distribution registry on 127.0.0.1)
 * through berthd: the docker CLI's pull with progress, RepoDigests, up to
 * date on a second pull, `docker run` pulling a missing image after the
 * 404 on create, mirrors for docker.io, unknown tags leaving nothing behind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon } from './harness.js';
import { CncfRegistry, seedImage, seedIndex, type SeededImage } from './registry-harness.js';

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
  // the repository path inside the registry, without its host, as dockerd
  assert.equal(statuses[0], 'Pulling from tools/box');
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
  // Docker's wording, with the reference in its familiar form (registry host included)
  assert.equal(r.stderr.trim(), `Error response from daemon: manifest for ${reg.host}/library/busybox:nope not found: manifest unknown: manifest unknown`);
  const r2 = await d.docker(['pull', `${reg.host}/library/nothing-here`]);
  assert.notEqual(r2.code, 0);
  assert.match(r2.stderr, /not found|does not exist|unknown/i);
  const list = (await d.api('GET', '/images/json')).json<unknown[]>();
  assert.deepEqual(list, []);
});

test('with the registry as mirror for docker.io, `docker pull busybox` and `docker run busybox` work offline', async () => {
  const m = new TestDaemon();
  try {
    await m.start(['--registry-mirror', reg.url, '--insecure-registry', 'reg.example:5000']);
    const info = await m.docker(['info']);
    assert.match(info.stdout, new RegExp(`Registry Mirrors:\\s+${reg.url.replace(/[.]/g, '\\.')}/`));
    assert.match(info.stdout, /Insecure Registries:\s+(.|\n)*reg\.example:5000/);
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
  // push the built image: the base layer is mounted from library/busybox, the RUN layer is gzip'ed and uploaded
  const pushed = `${reg.host}/built/app:1`;
  await d.docker(['tag', 'built-on-pulled:1', pushed]);
  const push = await d.docker(['push', pushed]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Mounted from library\/busybox/);
  assert.match(push.stdout, /: Pushed/);
  await d.docker(['rmi', 'built-on-pulled:1', pushed, base]);
  assert.equal((await d.docker(['run', '--rm', pushed])).stdout.trim().split('\n').at(-1), 'built-from-pulled');
  await d.docker(['rmi', pushed]);
});

test('a multi-platform index: the host platform by default, --platform picks another', async () => {
  const amd = await seedImage(reg.url, 'multi/app', 'amd64-only', { cmd: ['echo', 'amd64-variant'] });
  const arm = await seedImage(reg.url, 'multi/app', 'arm64-only', { cmd: ['echo', 'arm64-variant'], architecture: 'arm64' });
  const indexDigest = await seedIndex(reg.url, 'multi/app', 'latest', [
    { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
  ]);
  const name = `${reg.host}/multi/app:latest`;
  const r = await d.docker(['pull', name]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Digest: ${indexDigest}`), 'the digest shown is the index digest');
  const inspect = JSON.parse((await d.docker(['image', 'inspect', name])).stdout)[0];
  assert.equal(inspect.Architecture, 'amd64');
  assert.deepEqual(inspect.RepoDigests, [`${reg.host}/multi/app@${indexDigest}`]);
  assert.equal((await d.docker(['run', '--rm', name])).stdout.trim(), 'amd64-variant');
  const a = await d.docker(['pull', '--platform', 'linux/arm64', name]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(JSON.parse((await d.docker(['image', 'inspect', name])).stdout)[0].Architecture, 'arm64');
  const none = await d.docker(['pull', '--platform', 'linux/s390x', name]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no matching manifest for linux\/s390x/);
  await d.docker(['rmi', '-f', name]);
  const left = (await d.api('GET', '/images/json')).json<{ Id: string }[]>();
  for (const i of left) await d.api('DELETE', `/images/${i.Id}?force=1`);
});

test('GET /distribution/{name}/json asks the registry for the manifest: descriptor and platforms, as dockerd 20.10 answers; 404 and 401 in the registry\'s words', async () => {
  const authReg = new CncfRegistry();
  const bcrypt = (await import('bcryptjs')).default;
  await authReg.start({ htpasswd: `tester:${bcrypt.hashSync('s3cret', 5)}\n` });
  try {
    const arm = await seedImage(reg.url, 'dist/multi', 'arm', { architecture: 'arm64' });
    const amd = await seedImage(reg.url, 'dist/multi', 'amd', { architecture: 'amd64' });
    const index = await seedIndex(reg.url, 'dist/multi', 'both', [{ image: amd, platform: { os: 'linux', architecture: 'amd64' } }, { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }]);
    const get = (ref: string, headers?: Record<string, string>) => d.api('GET', `/distribution/${ref}/json`, undefined, headers);
    // a Docker schema 2 manifest: dockerd reads its config for the platform
    let r = await get(`${reg.host}/library/busybox:latest`);
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(r.json(), { Descriptor: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: seeded.manifestDigest, size: seeded.manifest.length }, Platforms: [{ architecture: 'amd64', os: 'linux' }] });
    // no tag: latest; by digest: the same manifest
    assert.deepEqual((await get(`${reg.host}/library/busybox`)).json(), r.json());
    assert.deepEqual((await get(`${reg.host}/library/busybox@${seeded.manifestDigest}`)).json(), r.json());
    // an index: its entries' platforms (dockerd: [{"architecture":"amd64","os":"linux"},{"architecture":"arm64","os":"linux","variant":"v8"}])
    r = await get(`${reg.host}/dist/multi:both`);
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.json().Descriptor.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.equal(r.json().Descriptor.digest, index);
    assert.deepEqual(r.json().Platforms, [{ architecture: 'amd64', os: 'linux' }, { architecture: 'arm64', os: 'linux', variant: 'v8' }]);
    // an OCI manifest: dockerd 20.10 gives no platforms (null)
    r = await get(`${reg.host}/tools/box:1.0`);
    assert.equal(r.json().Descriptor.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(r.json().Platforms, null);
    // dockerd: 404 {"message":"manifest unknown: manifest unknown"} for an unknown tag or repository
    for (const ref of [`${reg.host}/library/busybox:nosuch`, `${reg.host}/nosuch/repo:1`]) {
      r = await get(ref);
      assert.equal(r.status, 404, ref);
      assert.equal(r.json().message, 'manifest unknown: manifest unknown');
    }
    // a registry that wants credentials: 401 without them or with wrong ones, 200 with the right ones in X-Registry-Auth
    // (dockerd 20.10 answers the no-credentials case of a basic-auth registry with a 500 'Head "…": no basic auth
    // credentials'; berth keeps it an unauthorized error, as dockerd does for token registries)
    await seedImage(authReg.url, 'private/x', '1', { headers: { authorization: `Basic ${Buffer.from('tester:s3cret').toString('base64')}` } });
    r = await get(`${authReg.host}/private/x:1`);
    assert.equal(r.status, 401, r.body.toString());
    const auth = (p: string) => ({ 'X-Registry-Auth': Buffer.from(JSON.stringify({ username: 'tester', password: p, serveraddress: authReg.host })).toString('base64url') });
    r = await get(`${authReg.host}/private/x:1`, auth('wrong'));
    assert.equal(r.status, 401, r.body.toString());
    assert.match(r.json().message, /unauthorized: authentication required/);
    r = await get(`${authReg.host}/private/x:1`, auth('s3cret'));
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(r.json().Platforms, [{ architecture: 'amd64', os: 'linux' }]);
    // nothing was pulled
    assert.equal((await d.api('GET', `/images/${authReg.host}/private/x:1/json`)).status, 404);
    // dockerd: "no manifest found for full image ID"; an unreachable registry is a 500
    assert.equal((await get('a'.repeat(64))).status, 400);
    r = await get('127.0.0.1:1/x/y:1');
    assert.equal(r.status, 500);
    assert.match(r.json().message, /127\.0\.0\.1:1/);
  } finally {
    await authReg.stop();
  }
});
