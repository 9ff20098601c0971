import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { familiarFromCanonical, familiarString, normalizeRef, parseReference } from './reference.js';

const D64 = 'sha256:' + 'a'.repeat(64);

test('normalizeRef gives the canonical tagged form', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x'],
    ['me/app:1', 'docker.io/me/app:1'],
    ['me/team/app', 'docker.io/me/team/app:latest'],
    ['localhost/x', 'localhost/x:latest'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['localhost:5000/a/b:v2', 'localhost:5000/a/b:v2'],
    ['quay.io/org/img:Tag_1.0-rc', 'quay.io/org/img:Tag_1.0-rc'],
    ['[::1]:5000/x', '[::1]:5000/x:latest'],
    // a bare "host:port" is a name with a tag, as in Docker
    ['localhost:5000', 'docker.io/library/localhost:5000'],
    [`busybox@${D64}`, `docker.io/library/busybox@${D64}`],
    [`busybox:1@${D64}`, `docker.io/library/busybox:1@${D64}`],
    ['a__b-c/e---f.g', 'docker.io/a__b-c/e---f.g:latest'],
  ];
  for (const [input, want] of cases) assert.equal(normalizeRef(input), want, input);
});

test('parseReference splits domain, path, tag and digest', () => {
  assert.deepEqual(parseReference('localhost:5000/a/b:v2'), { domain: 'localhost:5000', path: 'a/b', tag: 'v2', digest: undefined });
  assert.deepEqual(parseReference(`x@${D64}`), { domain: 'docker.io', path: 'library/x', tag: undefined, digest: D64 });
});

test('invalid references are invalid-argument INVALID_REFERENCE', () => {
  const cases: { input: string; message?: RegExp }[] = [
    { input: '' },
    { input: ':tag' },
    { input: 'busybox:' },
    { input: 'a b' },
    { input: 'busybox@sha256:abc' },
    { input: `busybox@sha256:${'A'.repeat(64)}` },
    { input: 'busybox:' + 'x'.repeat(129) },
    { input: '-busybox' },
    { input: 'busybox/' },
    { input: 'a//b' },
    { input: 'Busybox', message: /^invalid reference format: repository name \(library\/Busybox\) must be lowercase$/ },
    { input: 'me/App:1', message: /must be lowercase/ },
    { input: 'x'.repeat(300), message: /invalid reference format/ },
  ];
  for (const c of cases) {
    assert.throws(() => parseReference(c.input), (err: unknown) => {
      assert.ok(err instanceof BerthError, c.input);
      assert.equal(err.code, 'INVALID_REFERENCE', c.input);
      assert.equal(err.kind, 'invalid-argument');
      if (c.message) assert.match(err.message, c.message, c.input);
      return true;
    }, c.input);
  }
});

test('tags of exactly 128 characters are allowed', () => {
  assert.equal(parseReference('busybox:' + 'x'.repeat(128)).tag, 'x'.repeat(128));
});

test('familiar forms are what Docker prints', () => {
  const cases: [string, string][] = [
    ['docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/me/app:1', 'me/app:1'],
    ['docker.io/library/a/b:1', 'library/a/b:1'],
    ['localhost:5000/x:y', 'localhost:5000/x:y'],
    ['quay.io/library/x:1', 'quay.io/library/x:1'],
    [`docker.io/library/busybox@${D64}`, `busybox@${D64}`],
  ];
  for (const [canonical, want] of cases) {
    assert.equal(familiarFromCanonical(canonical), want, canonical);
    assert.equal(familiarString(parseReference(canonical)), want, canonical);
  }
});
