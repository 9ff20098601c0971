/**
 * A real application runtime in a berth container: the node:lts-slim base
 * image made from this machine's node, its libraries and npm
 * (test/fixtures/make-node-rootfs.sh), imported and run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, REPO } from './harness.js';

const d = new TestDaemon();
before(async () => {
  await d.start();
  const tarball = join(d.root, 'node.tar');
  execFileSync('sh', [join(REPO, 'test', 'fixtures', 'make-node-rootfs.sh'), tarball]);
  const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `ENV NODE_VERSION=${process.version.slice(1)}`, 'CMD ["node"]'];
  const r = await d.api('POST', `/images/create?fromSrc=-&repo=node&tag=lts-slim&${changes.map((c) => `changes=${encodeURIComponent(c)}`).join('&')}`, readFileSync(tarball));
  assert.equal(r.status, 200, r.body.toString());
});
after(async () => { await d.cleanup(); });

test('node runs in a container from node:lts-slim', async () => {
  const r = await d.docker(['run', '--rm', 'node:lts-slim', 'node', '-e', 'console.log(process.version, process.pid, require("os").userInfo().username)']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${process.version} 1 root\n`);
});

test('npm runs as the image\'s node user in its home directory', async () => {
  const r = await d.docker(['run', '--rm', '-u', 'node', '-w', '/home/node', 'node:lts-slim', 'sh', '-c', 'npm --version >/dev/null && npm init -y >/dev/null && node -p "require(\'./package.json\').name + \' \' + process.cwd()"']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'node /home/node\n');
});

test('an HTTP server in the container answers on its loopback', async () => {
  const script = 'require("http").createServer((q, s) => s.end("hello from node in berth")).listen(3000, () => require("http").get("http://127.0.0.1:3000", (r) => { let b = ""; r.on("data", (c) => b += c); r.on("end", () => { console.log(b); process.exit(0); }); }))';
  const r = await d.docker(['run', '--rm', 'node:lts-slim', 'node', '-e', script]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello from node in berth\n');
});
