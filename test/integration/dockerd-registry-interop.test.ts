/**
 * Registry interoperability with a real dockerd (Debian's docker.io, a
 * throwaway instance): an image berthd pushes to the CNCF registry pulls and
 * runs on dockerd, and an image dockerd builds and pushes pulls and runs on
 * berthd, same digests both ways.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDaemon, TEST_PREFIX } from './harness.js';
import { ThrowawayDockerd, DOCKERD_PATH } from './dockerd-harness.js';
import { CncfRegistry } from './registry-harness.js';

if (!DOCKERD_PATH) throw new Error('dockerd is not installed: scripts/install-deps.sh installs docker.io');

const reg = new CncfRegistry();
const berth = new TestDaemon();
const dockerd = new ThrowawayDockerd();
const work = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}interop-`));

before(async () => {
  await reg.start();
  await berth.start();
  await berth.importBusybox();
  await dockerd.start();
});
after(async () => {
  await dockerd.cleanup();
  await berth.cleanup();
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
});

const digestOf = (out: string, tag: string) => new RegExp(`${tag}: digest: (sha256:[a-f0-9]{64})`).exec(out)?.[1];

test('an image berthd pushes pulls and runs on dockerd, with the same digest', async () => {
  const ref = `${reg.host}/interop/from-berth:1`;
  assert.equal((await berth.docker(['run', '--name', 'maker', 'busybox', 'sh', '-c', 'echo made by berth > /origin'])).code, 0);
  assert.equal((await berth.docker(['commit', 'maker', ref])).code, 0);
  const push = await berth.docker(['push', ref]);
  assert.equal(push.code, 0, push.stderr);
  const digest = digestOf(push.stdout, '1');
  assert.ok(digest, push.stdout);

  const pull = await dockerd.docker(['pull', ref]);
  assert.equal(pull.code, 0, pull.stderr + dockerd.log.slice(-2000));
  assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
  const run = await dockerd.docker(['run', '--rm', ref, 'cat', '/origin']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'made by berth\n');
  assert.match((await dockerd.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref])).stdout, new RegExp(digest!));
  await berth.docker(['rm', 'maker']);
});

test('an image dockerd builds and pushes pulls and runs on berthd, with the same digest', async () => {
  const base = `${reg.host}/interop/from-berth:1`;
  const ref = `${reg.host}/interop/from-dockerd:2`;
  writeFileSync(join(work, 'Dockerfile'), `FROM ${base}\nRUN echo built by dockerd > /built\nENV MADE_BY=dockerd\nCMD ["sh", "-c", "cat /origin /built; echo $MADE_BY"]\n`);
  const build = await dockerd.docker(['build', '-t', ref, work], { timeoutMs: 120000 });
  assert.equal(build.code, 0, build.stderr + dockerd.log.slice(-2000));
  const push = await dockerd.docker(['push', ref]);
  assert.equal(push.code, 0, push.stderr);
  const digest = digestOf(push.stdout, '2');
  assert.ok(digest, push.stdout);

  const pull = await berth.docker(['pull', ref]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
  const run = await berth.docker(['run', '--rm', ref]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'made by berth\nbuilt by dockerd\ndockerd\n');
  const inspect = JSON.parse((await berth.docker(['image', 'inspect', ref])).stdout)[0];
  assert.deepEqual(inspect.RepoDigests, [`${reg.host}/interop/from-dockerd@${digest}`]);
  // the base layer is shared: berthd already had it from its own image
  assert.match(pull.stdout, /Already exists/);
});
