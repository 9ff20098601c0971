/**
 * Push and login against the CNCF distribution registry with htpasswd
 * (bcrypt) basic auth: `docker login` through POST /auth, credentials in
 * DOCKER_CONFIG/config.json, `docker push` of an imported image (its plain
 * tar layer gzip'ed on the way), re-push ("Layer already exists"),
 * cross-repository mount, pull back and run; the berth CLI's login, push,
 * pull and logout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { TestDaemon } from './harness.js';
import { CncfRegistry, http } from './registry-harness.js';

const reg = new CncfRegistry();
let d: TestDaemon;
const basic = { authorization: `Basic ${Buffer.from('tester:s3cret').toString('base64')}` };

before(async () => {
  await reg.start({ htpasswd: `tester:${bcrypt.hashSync('s3cret', 5)}\n` });
  d = new TestDaemon();
  await d.start();
});
after(async () => {
  await d?.cleanup();
  await reg.stop();
});

test('docker login / push / pull against a registry with basic auth', async () => {
  const name = `${reg.host}/me/busybox:1`;
  await d.importBusybox(name);

  const anon = await d.docker(['push', name]);
  assert.notEqual(anon.code, 0);
  assert.match(anon.stderr + anon.stdout, /no basic auth credentials|unauthorized|authentication required/i);

  const wrong = await d.docker(['login', '-u', 'tester', '--password-stdin', reg.host], { input: 'nope\n' });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /unauthorized|incorrect/i);
  const login = await d.docker(['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n' });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);
  const cfg = JSON.parse(readFileSync(join(d.env.DOCKER_CONFIG, 'config.json'), 'utf8'));
  assert.equal(Buffer.from(cfg.auths[reg.host].auth, 'base64').toString(), 'tester:s3cret');

  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /The push refers to repository \[127\.0\.0\.1:\d+\/me\/busybox\]/);
  assert.match(push.stdout, /: Pushed/);
  const m = /1: digest: (sha256:[a-f0-9]{64}) size: (\d+)/.exec(push.stdout);
  assert.ok(m, push.stdout);

  // what the registry holds: a schema2 manifest with a gzip layer whose tar is the imported one
  const man = await http(`${reg.url}/v2/me/busybox/manifests/1`, 'GET', undefined, { ...basic, accept: 'application/vnd.docker.distribution.manifest.v2+json' });
  assert.equal(man.status, 200);
  assert.equal(man.headers['docker-content-digest'], m[1]);
  const manifest = JSON.parse(man.body.toString());
  assert.equal(manifest.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  const blob = await http(`${reg.url}/v2/me/busybox/blobs/${manifest.layers[0].digest}`, 'GET', undefined, basic);
  assert.deepEqual([blob.body[0], blob.body[1]], [0x1f, 0x8b]);
  const inspect = JSON.parse((await d.docker(['image', 'inspect', name])).stdout)[0];
  assert.deepEqual(inspect.RepoDigests, [`${reg.host}/me/busybox@${m[1]}`]);

  const evs = await d.api('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent(JSON.stringify({ event: ['push'] }))}`);
  assert.deepEqual(evs.body.toString().trim().split('\n').map((l) => JSON.parse(l).Actor.ID), [name]);

  const again = await d.docker(['push', name]);
  assert.match(again.stdout, /Layer already exists/);
  assert.match(again.stdout, new RegExp(`1: digest: ${m[1]}`));

  // another repository of the same registry: the layer is mounted, not uploaded
  await d.docker(['tag', name, `${reg.host}/other/copy:2`]);
  const mount = await d.docker(['push', `${reg.host}/other/copy:2`]);
  assert.equal(mount.code, 0, mount.stderr);
  assert.match(mount.stdout, /Mounted from me\/busybox|Layer already exists/);

  await d.docker(['rmi', name, `${reg.host}/other/copy:2`]);
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  const run = await d.docker(['run', '--rm', name, 'echo', 'round-trip']);
  assert.equal(run.stdout.trim(), 'round-trip', run.stderr);

  const logout = await d.docker(['logout', reg.host]);
  assert.equal(logout.code, 0);
  assert.equal(JSON.parse(readFileSync(join(d.env.DOCKER_CONFIG, 'config.json'), 'utf8')).auths[reg.host], undefined);
  const denied = await d.docker(['pull', `${reg.host}/me/busybox:1`]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /pull access denied|unauthorized|authentication required/i);
  await d.docker(['rmi', name]);
});

test('berth login / push / pull / logout', async () => {
  const name = `${reg.host}/berth/box:2`;
  await d.importBusybox(name);
  const login = await d.berth(['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n' });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);
  const push = await d.berth(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /2: digest: sha256:[a-f0-9]{64} size: \d+/);
  await d.berth(['rmi', name]);
  const pull = await d.berth(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /Already exists|Pull complete/);
  assert.match(pull.stdout, /Status: Downloaded newer image for/);
  const logout = await d.berth(['logout', reg.host]);
  assert.match(logout.stdout, /Removing login credentials/);
  assert.ok(existsSync(join(d.env.DOCKER_CONFIG, 'config.json')));
  await d.berth(['rmi', name]);
  const denied = await d.berth(['pull', name]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /pull access denied|unauthorized|authentication required/i);
});

for (const cliName of ['docker', 'berth'] as const) {
  test(`${cliName}: push --all-tags pushes every local tag of the repository; pull --all-tags fetches every tag`, async () => {
    const cli = (args: string[], opts?: { input?: string }) => (cliName === 'docker' ? d.docker(args, opts) : d.berth(args, opts));
    const repo = `${reg.host}/all/${cliName}`;
    await d.importBusybox(`${repo}:a`);
    assert.equal((await d.docker(['tag', `${repo}:a`, `${repo}:b`])).code, 0);
    // a different image for :c (one more layer)
    assert.equal((await d.docker(['run', '--name', `allc-${cliName}`, `${repo}:a`, 'sh', '-c', 'echo tag-c > /c'])).code, 0);
    assert.equal((await d.docker(['commit', `allc-${cliName}`, `${repo}:c`])).code, 0);
    assert.equal((await d.docker(['rm', `allc-${cliName}`])).code, 0);
    // another repository's tag is not pushed with it
    assert.equal((await d.docker(['tag', `${repo}:a`, `${reg.host}/all/elsewhere:z`])).code, 0);
    assert.equal((await cli(['login', '-u', 'tester', '--password-stdin', reg.host], { input: 's3cret\n' })).code, 0);
    try {
      const withTag = await cli(['push', '--all-tags', `${repo}:a`]);
      assert.notEqual(withTag.code, 0);
      assert.match(withTag.stderr, /tag can't be used with --all-tags\/-a/);

      const push = await cli(['push', '--all-tags', repo]);
      assert.equal(push.code, 0, push.stderr);
      const digests: Record<string, string> = {};
      for (const tag of ['a', 'b', 'c']) {
        const m = new RegExp(`^${tag}: digest: (sha256:[a-f0-9]{64}) size: \\d+`, 'm').exec(push.stdout);
        assert.ok(m, `${tag} in ${push.stdout}`);
        digests[tag] = m[1];
      }
      assert.equal(digests.a, digests.b, 'two tags of one image: one manifest');
      assert.notEqual(digests.a, digests.c);
      const list = await http(`${reg.url}/v2/all/${cliName}/tags/list`, 'GET', undefined, basic);
      assert.deepEqual(JSON.parse(list.body.toString()).tags.sort(), ['a', 'b', 'c']);
      assert.equal((await http(`${reg.url}/v2/all/elsewhere/tags/list`, 'GET', undefined, basic)).status, 404);

      assert.equal((await d.docker(['rmi', `${repo}:a`, `${repo}:b`, `${repo}:c`])).code, 0);
      const pull = await cli(['pull', '--all-tags', repo]);
      assert.equal(pull.code, 0, pull.stderr);
      assert.match(pull.stdout, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/all\//);
      const tags = (await d.docker(['images', repo, '--format', '{{.Tag}} {{.ID}}'])).stdout.trim().split('\n').sort();
      assert.deepEqual(tags.map((l) => l.split(' ')[0]), ['a', 'b', 'c']);
      assert.equal(tags[0].split(' ')[1], tags[1].split(' ')[1]);
      assert.equal((await d.docker(['run', '--rm', `${repo}:c`, 'cat', '/c'])).stdout, 'tag-c\n');
      const withTagPull = await cli(['pull', '-a', `${repo}:a`]);
      assert.notEqual(withTagPull.code, 0);
      assert.match(withTagPull.stderr, /tag can't be used with --all-tags\/-a/);
    } finally {
      await d.docker(['rmi', '-f', `${repo}:a`, `${repo}:b`, `${repo}:c`, `${reg.host}/all/elsewhere:z`]);
      await cli(['logout', reg.host]);
    }
  });
}

test('API: a pull of a repository the registry does not know is a clear 404', async () => {
  const auth = Buffer.from(JSON.stringify({ username: 'tester', password: 's3cret' })).toString('base64url');
  const r = await d.api('POST', `/images/create?fromImage=${encodeURIComponent(`${reg.host}/nothing/here`)}`, undefined, { 'X-Registry-Auth': auth });
  // listing the tags fails before any progress message: the error has its own status
  assert.equal(r.status, 404, r.body.toString());
  // dockerd names the repository in its familiar form, registry host included
  assert.equal(r.json().message, `repository ${reg.host}/nothing/here not found: name unknown: repository name not known to registry`);
});
