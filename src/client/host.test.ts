import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errdefs/errors.js';
import { DEFAULT_HOST, parseHost, resolveHost, selectHost } from './host.js';

test('selectHost precedence: flag, BERTH_HOST, DOCKER_HOST, default', () => {
  const cases: { flag?: string; env: Record<string, string>; want: string }[] = [
    { env: {}, want: DEFAULT_HOST },
    { env: { DOCKER_HOST: 'tcp://d:1' }, want: 'tcp://d:1' },
    { env: { DOCKER_HOST: 'tcp://d:1', BERTH_HOST: 'unix:///b.sock' }, want: 'unix:///b.sock' },
    { flag: 'tcp://f:2', env: { DOCKER_HOST: 'tcp://d:1', BERTH_HOST: 'unix:///b.sock' }, want: 'tcp://f:2' },
    { flag: '', env: { BERTH_HOST: '' , DOCKER_HOST: 'tcp://d:1' }, want: 'tcp://d:1' },
  ];
  for (const c of cases) assert.equal(selectHost(c.flag, c.env), c.want, JSON.stringify(c));
});

test('parseHost understands unix, tcp and http', () => {
  const cases: { in: string; want: unknown }[] = [
    { in: 'unix:///run/berth/berth.sock', want: { kind: 'unix', socketPath: '/run/berth/berth.sock', url: 'unix:///run/berth/berth.sock' } },
    { in: '/tmp/x.sock', want: { kind: 'unix', socketPath: '/tmp/x.sock', url: 'unix:///tmp/x.sock' } },
    { in: 'tcp://127.0.0.1:2375', want: { kind: 'tcp', hostname: '127.0.0.1', port: 2375, url: 'tcp://127.0.0.1:2375' } },
    { in: 'tcp://example.com', want: { kind: 'tcp', hostname: 'example.com', port: 2375, url: 'tcp://example.com:2375' } },
    { in: 'http://localhost:8080/', want: { kind: 'tcp', hostname: 'localhost', port: 8080, url: 'tcp://localhost:8080' } },
    { in: 'tcp://[::1]:9000', want: { kind: 'tcp', hostname: '::1', port: 9000, url: 'tcp://[::1]:9000' } },
  ];
  for (const c of cases) assert.deepEqual(parseHost(c.in), c.want, c.in);
});

test('parseHost rejects what it cannot dial', () => {
  for (const bad of ['ssh://me@host', 'unix://relative.sock', 'tcp://h:99999', 'nonsense', 'tcp://h:1/path']) {
    assert.throws(() => parseHost(bad), (err) => isKind(err, 'invalid-argument'), bad);
  }
});

test('resolveHost combines both', () => {
  assert.deepEqual(resolveHost(undefined, { BERTH_HOST: 'tcp://h:1' }), { kind: 'tcp', hostname: 'h', port: 1, url: 'tcp://h:1' });
});

test("TLS settings as the docker CLI reads them", async () => {
  const { resolveTls } = await import('./host.js');
  assert.equal(resolveTls({}, {}), undefined);
  assert.deepEqual(resolveTls({}, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }), { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true });
  assert.deepEqual(resolveTls({ tls: true }, { HOME: '/home/u' }), { ca: '/home/u/.docker/ca.pem', cert: '/home/u/.docker/cert.pem', key: '/home/u/.docker/key.pem', verify: false });
  assert.deepEqual(resolveTls({ tlsverify: true, tlscacert: '/a', tlscert: '/c', tlskey: '/k' }, {}), { ca: '/a', cert: '/c', key: '/k', verify: true });
});
