/**
 * A container's filesystem as data, through the unmodified docker CLI:
 * `diff` (A/C/D from the overlay upper dir, runtime mount points left
 * out), `commit` with `--change` (a new layer + config, parent recorded),
 * `export` (the merged filesystem as a tar), `history`, `image prune`
 * (dangling vs -a) and `builder prune`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { TestDaemon } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

test('diff, commit --change, history and export of a container', async () => {
  const run = await d.docker(['run', '--name', 'berth-tb-c1', 'busybox', 'sh', '-c', 'mkdir /data && echo hi > /data/f && rm /bin/vi && echo extra >> /etc/passwd && rm -rf /home/user && mkdir /home/user']);
  assert.equal(run.code, 0, run.stderr);
  const diff = await d.docker(['diff', 'berth-tb-c1']);
  assert.equal(diff.code, 0, diff.stderr);
  assert.deepEqual(diff.stdout.trim().split('\n'), ['C /bin', 'D /bin/vi', 'A /data', 'A /data/f', 'C /etc', 'C /etc/passwd', 'C /home', 'C /home/user']);

  const commit = await d.docker(['commit', '-m', 'my change', '-a', 'tester', '-c', 'ENV COMMITTED=yes', '-c', 'CMD ["cat", "/data/f"]', 'berth-tb-c1', 'berth-tb-committed:1']);
  assert.equal(commit.code, 0, commit.stderr);
  assert.match(commit.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const out = await d.docker(['run', '--rm', 'berth-tb-committed:1']);
  assert.equal(out.stdout, 'hi\n');
  const check = await d.docker(['run', '--rm', 'berth-tb-committed:1', 'sh', '-c', 'echo $COMMITTED; ls /bin/vi 2>&1 | head -1; tail -1 /etc/passwd; ls -ld /home/user | cut -c1-10']);
  assert.equal(check.stdout, 'yes\nls: /bin/vi: No such file or directory\nextra\ndrwxr-xr-x\n');
  const inspect = JSON.parse((await d.docker(['image', 'inspect', 'berth-tb-committed:1'])).stdout)[0];
  assert.equal(inspect.Author, 'tester');
  assert.equal(inspect.Comment, 'my change');
  assert.match(inspect.Parent, /^sha256:/);
  assert.equal(inspect.RootFS.Layers.length, 2);
  assert.equal(inspect.Container, undefined, 'API 1.50 (the docker CLI\'s): no Container/ContainerConfig, as dockerd >= 25');
  // docker-py 5's test_commit at the API version of dockerd 20.10: the committed container and its config
  const old = (await d.api('GET', '/v1.41/images/berth-tb-committed:1/json')).json();
  const cid = (await d.api('GET', '/containers/berth-tb-c1/json')).json().Id;
  assert.equal(old.Container, cid);
  assert.equal(old.ContainerConfig.Image, 'busybox');
  assert.deepEqual(old.ContainerConfig.Cmd, ['sh', '-c', 'mkdir /data && echo hi > /data/f && rm /bin/vi && echo extra >> /etc/passwd && rm -rf /home/user && mkdir /home/user']);

  const hist = await d.docker(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Comment}}', 'berth-tb-committed:1']);
  assert.equal(hist.code, 0, hist.stderr);
  const lines = hist.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.equal(lines[0], `${commit.stdout.trim()}|sh -c mkdir /data && echo hi > /data/f && rm /bin/vi && echo extra >> /etc/passwd && rm -rf /home/user && mkdir /home/user|my change`);
  assert.match(lines[1], /^sha256:[0-9a-f]{64}\|\|Imported from -$/);

  const tarPath = join(d.root, 'export.tar');
  const exp = await d.docker(['export', '-o', tarPath, 'berth-tb-c1']);
  assert.equal(exp.code, 0, exp.stderr);
  const names = execFileSync('tar', ['-tf', tarPath]).toString().split('\n');
  assert.ok(names.includes('data/f'), 'new file exported');
  assert.ok(names.includes('bin/busybox'));
  assert.ok(!names.includes('bin/vi'), 'deleted file not exported');
  assert.equal(execFileSync('tar', ['-xOf', tarPath, 'data/f']).toString(), 'hi\n');
  await d.docker(['rm', 'berth-tb-c1']);
});

test('export of a running container does not descend into /proc or /sys', async () => {
  const r = await d.docker(['run', '-d', '--name', 'berth-tb-c2', 'busybox', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  const tarPath = join(d.root, 'export2.tar');
  const exp = await d.docker(['export', '-o', tarPath, 'berth-tb-c2']);
  assert.equal(exp.code, 0, exp.stderr);
  const names = execFileSync('tar', ['-tf', tarPath]).toString().split('\n');
  assert.ok(names.includes('proc/'));
  assert.ok(!names.some((n) => n.startsWith('proc/') && n !== 'proc/'), 'nothing from inside /proc');
  assert.ok(!names.some((n) => n.startsWith('sys/') && n !== 'sys/'));
  await d.docker(['rm', '-f', 'berth-tb-c2']);
});

test('image prune removes dangling images, -a every unused one; builder prune forgets the cache', async () => {
  const ctx = mkdtempSync(join(d.root, 'ctx-'));
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo one > /one\nCMD ["cat", "/one"]\n');
  const first = await d.docker(['build', '-q', '-t', 'berth-tb-pr:1', ctx]);
  assert.equal(first.code, 0, first.stderr);
  // a rebuild under the same tag with a change leaves the old image dangling
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo two > /two\nCMD ["cat", "/two"]\n');
  const second = await d.docker(['build', '-q', '-t', 'berth-tb-pr:1', ctx]);
  assert.equal(second.code, 0, second.stderr);
  const dangling = await d.docker(['images', '-q', '--filter', 'dangling=true', '--no-trunc']);
  assert.equal(dangling.stdout.trim(), first.stdout.trim());
  const pr = await d.docker(['image', 'prune', '-f']);
  assert.equal(pr.code, 0, pr.stderr);
  assert.match(pr.stdout, new RegExp(`deleted: ${first.stdout.trim()}`));
  assert.match(pr.stdout, /Total reclaimed space: /);
  assert.equal((await d.api('GET', `/images/${first.stdout.trim()}/json`)).status, 404);
  assert.equal((await d.api('GET', '/images/berth-tb-pr:1/json')).status, 200, 'tagged images stay');

  // cache works, then builder prune forgets it
  const cached = await d.docker(['build', '-t', 'berth-tb-pr:1', ctx]);
  assert.match(cached.stdout, /Using cache/);
  const bp = await d.docker(['builder', 'prune', '-f']);
  assert.equal(bp.code, 0, bp.stderr);
  const again = await d.docker(['build', '-t', 'berth-tb-pr:1', ctx]);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /Using cache/);

  const used = await d.docker(['create', '--name', 'berth-tb-user', 'busybox', 'true']);
  assert.equal(used.code, 0, used.stderr);
  const all = await d.docker(['image', 'prune', '-a', '-f']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /untagged: berth-tb-pr:1/);
  assert.equal((await d.api('GET', '/images/berth-tb-pr:1/json')).status, 404);
  assert.equal((await d.api('GET', '/images/busybox/json')).status, 200, 'an image a container uses stays');
  await d.docker(['rm', 'berth-tb-user']);
});

test('commit freezes a running container while taking its layer (pause/unpause events), --pause=false does not', async () => {
  const r = await d.docker(['run', '-d', '--name', 'commit-live', 'busybox', 'sh', '-c', 'echo live > /live; exec sleep 300']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const since = (Date.now() / 1000).toFixed(3);
  const c1 = await d.docker(['commit', 'commit-live', 'commit-live:paused']);
  assert.equal(c1.code, 0, c1.stderr);
  const c2 = await d.docker(['commit', '--pause=false', 'commit-live', 'commit-live:unpaused']);
  assert.equal(c2.code, 0, c2.stderr);
  const until = (Date.now() / 1000 + 0.001).toFixed(3);
  const ev = await d.api('GET', `/events?since=${since}&until=${until}&filters=${encodeURIComponent(JSON.stringify({ container: [id], event: ['pause', 'unpause'] }))}`);
  const actions = ev.body.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).Action);
  assert.deepEqual(actions, ['pause', 'unpause'], 'one freeze, for the first commit only');
  assert.equal((await d.api('GET', '/containers/commit-live/json')).json().State.Status, 'running');
  assert.equal((await d.docker(['run', '--rm', 'commit-live:paused', 'cat', '/live'])).stdout, 'live\n');
  assert.equal((await d.docker(['rm', '-f', 'commit-live'])).code, 0);
  assert.equal((await d.docker(['rmi', 'commit-live:paused', 'commit-live:unpaused'])).code, 0);
});
