import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authKey, registryOf, storeAuth, getAuth, removeAuth, registryAuthHeader } from './docker-config.js';

test('registryOf and authKey', () => {
  const refs: [string, string][] = [['busybox', 'docker.io'], ['me/app:1', 'docker.io'], ['127.0.0.1:5000/x/y', '127.0.0.1:5000'], ['localhost/a', 'localhost'], ['quay.io/a/b@sha256:00', 'quay.io']];
  for (const [n, want] of refs) assert.equal(registryOf(n), want, n);
  const keys: [string | undefined, string][] = [[undefined, 'https://index.docker.io/v1/'], ['docker.io', 'https://index.docker.io/v1/'], ['https://index.docker.io/v1/', 'https://index.docker.io/v1/'], ['http://127.0.0.1:5000/', '127.0.0.1:5000'], ['reg:5000', 'reg:5000']];
  for (const [s, want] of keys) assert.equal(authKey(s), want, String(s));
});

test('store, read, header and remove credentials, keeping other config keys', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { DOCKER_CONFIG: dir };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ psFormat: 'x', auths: { other: { auth: 'b3RoZXI6cA==' } } }));
  storeAuth(env, 'http://127.0.0.1:5000', 'user', 'p:ss');
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.equal(cfg.psFormat, 'x');
  assert.equal(cfg.auths['127.0.0.1:5000'].auth, Buffer.from('user:p:ss').toString('base64'));
  assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o600);
  assert.deepEqual(getAuth(env, '127.0.0.1:5000'), { username: 'user', password: 'p:ss', serveraddress: '127.0.0.1:5000' });
  assert.deepEqual(JSON.parse(Buffer.from(registryAuthHeader(env, '127.0.0.1:5000/a/b:1')!, 'base64url').toString()).username, 'user');
  assert.equal(registryAuthHeader(env, 'busybox'), undefined);
  assert.equal(removeAuth(env, '127.0.0.1:5000'), true);
  assert.equal(removeAuth(env, '127.0.0.1:5000'), false);
  assert.ok(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).auths.other);
});
