/**
 * The API over TCP with mutual TLS (dockerd's --tlsverify): certificates
 * made here with openssl (a CA, a server certificate for 127.0.0.1, a client
 * certificate, and a client of another CA). The unmodified docker CLI
 * (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) and berth run containers through it,
 * attached stdin included; clients without a certificate, with one of
 * another CA, or speaking plain HTTP are turned away.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDaemon, run, DOCKER, BERTH } from './harness.js';
import { freePort } from './net-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-test-tls-'));
const d = new TestDaemon();
let port = 0;

function ssl(args: string[]): void { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); }

/** A key and a certificate signed by `ca`, for `cn`, with `ext` (extensions). */
function issue(name: string, ca: string, cn: string, ext: string): void {
  ssl(['genrsa', '-out', `${name}-key.pem`, '2048']);
  ssl(['req', '-new', '-key', `${name}-key.pem`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}-cert.pem`]);
}

/** A DOCKER_CERT_PATH directory with ca.pem, cert.pem and key.pem. */
function certPath(name: string, ca: string, client?: string): string {
  const p = join(dir, name);
  mkdirSync(p);
  copyFileSync(join(dir, `${ca}.pem`), join(p, 'ca.pem'));
  if (client) {
    copyFileSync(join(dir, `${client}-cert.pem`), join(p, 'cert.pem'));
    copyFileSync(join(dir, `${client}-key.pem`), join(p, 'key.pem'));
  }
  return p;
}

before(async () => {
  for (const ca of ['ca', 'otherca']) {
    ssl(['genrsa', '-out', `${ca}-key.pem`, '2048']);
    ssl(['req', '-x509', '-new', '-key', `${ca}-key.pem`, '-days', '2', '-subj', `/CN=berth test ${ca}`, '-out', `${ca}.pem`]);
  }
  issue('server', 'ca', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
  issue('stranger', 'otherca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  port = await freePort();
  await d.start(['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server-cert.pem'), '--tlskey', join(dir, 'server-key.pem')]);
  await d.importBusybox();
});
after(async () => {
  await d.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const tlsEnv = (certDir: string) => ({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, BERTH_HOST: '', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir, DOCKER_CONFIG: join(d.root, 'docker-config') });

test('the docker CLI with DOCKER_TLS_VERIFY runs containers over mutual TLS, attached stdin included', async () => {
  const env = tlsEnv(certPath('good', 'ca', 'client'));
  const v = await run(DOCKER, ['version', '--format', '{{.Server.Version}}'], { env });
  assert.equal(v.code, 0, v.stderr);
  const r = await run(DOCKER, ['run', '--rm', 'busybox', 'echo', 'over tls'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'over tls\n');
  const piped = await run(DOCKER, ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo end'], { env, input: 'through stdin\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout, 'through stdin\nend\n');
});

test('berth with DOCKER_TLS_VERIFY, and with --tlsverify flags', async () => {
  const certs = certPath('berth', 'ca', 'client');
  const r = await run(process.execPath, [BERTH, 'run', '--rm', 'busybox', 'echo', 'berth over tls'], { env: tlsEnv(certs) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'berth over tls\n');
  const flags = await run(process.execPath, [BERTH, '-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'cert.pem'), '--tlskey', join(certs, 'key.pem'), 'ps', '-a', '--format', '{{.ID}}'], { env: { BERTH_HOST: '', DOCKER_HOST: '' } });
  assert.equal(flags.code, 0, flags.stderr);
});

test('no client certificate, one from another CA, or plain HTTP: turned away', async () => {
  const noCert = await run(DOCKER, ['version', '--format', '{{.Server.Version}}'], { env: tlsEnv(certPath('nocert', 'ca')) });
  assert.notEqual(noCert.code, 0);
  const stranger = await run(DOCKER, ['ps'], { env: tlsEnv(certPath('stranger', 'ca', 'stranger')) });
  assert.notEqual(stranger.code, 0);
  assert.match(stranger.stderr, /certificate|tls|bad/i);
  const wrongServerCa = await run(DOCKER, ['ps'], { env: tlsEnv(certPath('wrongca', 'otherca', 'client')) });
  assert.notEqual(wrongServerCa.code, 0);
  assert.match(wrongServerCa.stderr, /certificate signed by unknown authority/);
  const plain = await run('curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${port}/_ping`]);
  assert.notEqual(plain.stdout, 'OK');
  const curlOk = await run('curl', ['-sS', '--max-time', '5', '--cacert', join(dir, 'ca.pem'), '--cert', join(dir, 'client-cert.pem'), '--key', join(dir, 'client-key.pem'), `https://127.0.0.1:${port}/_ping`]);
  assert.equal(curlOk.stdout, 'OK', curlOk.stderr);
  const curlNoCert = await run('curl', ['-sS', '--max-time', '5', '--cacert', join(dir, 'ca.pem'), `https://127.0.0.1:${port}/_ping`]);
  assert.notEqual(curlNoCert.stdout, 'OK');
  // the Unix socket is unaffected
  assert.equal((await d.api('GET', '/_ping')).body.toString(), 'OK');
});
