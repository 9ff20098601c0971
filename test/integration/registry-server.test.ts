/**
 * berth's own registry server (`berth registry serve`, a separate process):
 * berthd pushes to and pulls from it through the docker CLI, skopeo copies
 * to and from it, token auth (the Docker Bearer flow with its /token
 * endpoint) and htpasswd, TLS with a given certificate, and `berth registry
 * gc` after a manifest delete.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { TestDaemon, TEST_PREFIX, BERTH, run, sleep } from './harness.js';
import { freePort, http } from './registry-harness.js';

const dir = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}berthreg-`));
const servers: ChildProcess[] = [];
let d: TestDaemon;

async function serve(name: string, extra: string[] = []): Promise<{ host: string; root: string; scheme: string }> {
  const port = await freePort();
  const root = join(dir, name);
  const child = spawn(process.execPath, [BERTH, 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', root, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const end = Date.now() + 15000;
  while (!out.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`registry serve failed: ${out}`);
    await sleep(30);
  }
  return { host: `127.0.0.1:${port}`, root, scheme: out.includes('https://') ? 'https' : 'http' };
}

before(async () => {
  d = new TestDaemon();
  await d.start();
});
after(async () => {
  await d?.cleanup();
  for (const s of servers) if (s.exitCode === null) { s.kill('SIGTERM'); await new Promise((r) => s.once('exit', r)); }
  rmSync(dir, { recursive: true, force: true });
});

test('docker push/pull through berthd to berth registry serve; skopeo copies both ways; gc', async () => {
  const reg = await serve('plain');
  const name = `${reg.host}/lib/bb:1`;
  await d.importBusybox(name);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /1: digest: sha256:[a-f0-9]{64}/);
  assert.equal((await d.docker(['rmi', name])).code, 0);
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal((await d.docker(['run', '--rm', name, 'echo', 'from-berth-registry'])).stdout.trim(), 'from-berth-registry');

  // skopeo: out of berth's registry into an OCI layout, and back into another repository
  const layout = join(dir, 'layout');
  const out = await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${name}`, `oci:${layout}:bb`], { timeoutMs: 60000 });
  assert.equal(out.code, 0, out.stderr);
  const back = await run('skopeo', ['copy', '--dest-tls-verify=false', '--format', 'oci', `oci:${layout}:bb`, `docker://${reg.host}/copied/bb:2`], { timeoutMs: 60000 });
  assert.equal(back.code, 0, back.stderr);
  const inspect = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/copied/bb:2`]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.equal(JSON.parse(inspect.stdout).Layers.length, 1);
  const tags = await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${reg.host}/copied/bb`]);
  assert.deepEqual(JSON.parse(tags.stdout).Tags, ['2']);
  // the OCI-format copy pulls and runs on berthd
  const pull2 = await d.docker(['run', '--rm', `${reg.host}/copied/bb:2`, 'echo', 'skopeo-copied']);
  assert.equal(pull2.stdout.trim().split('\n').at(-1), 'skopeo-copied', pull2.stderr);

  // delete the copied manifest; gc removes what only it referenced, nothing of lib/bb
  const man = await http(`http://${reg.host}/v2/copied/bb/manifests/2`, 'GET', undefined, { accept: 'application/vnd.oci.image.manifest.v1+json' });
  const digest = String(man.headers['docker-content-digest']);
  assert.equal((await http(`http://${reg.host}/v2/copied/bb/manifests/${digest}`, 'DELETE')).status, 202);
  const gc = await run(process.execPath, [BERTH, 'registry', 'gc', '--root', reg.root]);
  assert.equal(gc.code, 0, gc.stderr);
  assert.match(gc.stdout, new RegExp(`deleted ${digest}`));
  assert.equal((await http(`http://${reg.host}/v2/copied/bb/manifests/${digest}`)).status, 404);
  await d.docker(['rmi', name]);
  assert.equal((await d.docker(['pull', name])).code, 0, 'lib/bb survives gc');
  await d.docker(['rmi', name, `${reg.host}/copied/bb:2`]);
});

test('token auth: docker login then push/pull with Bearer tokens from the server\'s /token', async () => {
  const htpasswd = join(dir, 'htpasswd');
  writeFileSync(htpasswd, `alice:${bcrypt.hashSync('wonder', 5)}\n`);
  const reg = await serve('token', ['--auth', 'token', '--htpasswd', htpasswd]);
  const probe = await http(`http://${reg.host}/v2/`);
  assert.equal(probe.status, 401);
  assert.match(String(probe.headers['www-authenticate']), /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="berth-registry"/);
  const name = `${reg.host}/secure/bb:1`;
  await d.importBusybox(name);
  const anon = await d.docker(['push', name]);
  assert.notEqual(anon.code, 0);
  const login = await d.docker(['login', '-u', 'alice', '--password-stdin', reg.host], { input: 'wonder\n' });
  assert.equal(login.code, 0, login.stderr);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  await d.docker(['rmi', name]);
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  await d.docker(['logout', reg.host]);
  await d.docker(['rmi', name]);
});

test('TLS with a given certificate: berthd pulls over https (loopback registries skip verification, as dockerd)', async () => {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const reg = await serve('tls', ['--tls-cert', cert, '--tls-key', key]);
  assert.equal(reg.scheme, 'https');
  const name = `${reg.host}/tls/bb:1`;
  await d.importBusybox(name);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  await d.docker(['rmi', name]);
  assert.equal((await d.docker(['pull', name])).code, 0);
  const sk = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${name}`]);
  assert.equal(sk.code, 0, sk.stderr);
  await d.docker(['rmi', name]);
  assert.ok(readdirSync(join(reg.root, 'blobs', 'blobs', 'sha256')).length >= 3);
});
