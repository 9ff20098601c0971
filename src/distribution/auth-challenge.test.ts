import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges, tokenUrl, repositoryScope } from './auth-challenge.js';

test('parseChallenges', () => {
  const cases: [string | string[] | undefined, unknown][] = [
    [undefined, []],
    ['Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } }]],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['Basic realm=simple', [{ scheme: 'basic', params: { realm: 'simple' } }]],
    ['Bearer realm="a\\"b", error="invalid_token"', [{ scheme: 'bearer', params: { realm: 'a"b', error: 'invalid_token' } }]],
    [['Basic realm="x"', 'Bearer realm="y"'], [{ scheme: 'basic', params: { realm: 'x' } }, { scheme: 'bearer', params: { realm: 'y' } }]],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseChallenges(input), want, String(input));
});

test('tokenUrl merges the challenge scope with requested scopes', () => {
  const u = tokenUrl({ scheme: 'bearer', params: { realm: 'https://a/token', service: 'reg', scope: 'repository:x:pull' } }, [repositoryScope('x', ['pull', 'push']), 'repository:x:pull']);
  assert.equal(u.origin + u.pathname, 'https://a/token');
  assert.equal(u.searchParams.get('service'), 'reg');
  assert.deepEqual(u.searchParams.getAll('scope'), ['repository:x:pull,push', 'repository:x:pull']);
});
