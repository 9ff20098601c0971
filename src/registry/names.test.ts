import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkName, checkDigest, checkReference } from './names.js';

test('checkName accepts the OCI grammar and refuses traversal', () => {
  for (const ok of ['a', 'library/busybox', 'a.b/c-d/e__f', 'x/y/z/w']) assert.equal(checkName(ok), ok);
  for (const bad of ['', '../etc', 'a/../../b', '/abs', 'a//b', 'A', 'a/', 'a/.', '..', 'a/..', 'a\\b', 'a%2f..', 'x'.repeat(256)]) {
    assert.throws(() => checkName(bad), { code: 'NAME_INVALID' }, bad);
  }
});

test('checkDigest and checkReference', () => {
  const d = `sha256:${'a'.repeat(64)}`;
  assert.equal(checkDigest(d), d);
  for (const bad of [undefined, '', 'sha256:xyz', `sha256:${'A'.repeat(64)}`, 'md5:abc', `sha256:${'a'.repeat(63)}`]) assert.throws(() => checkDigest(bad), { code: 'DIGEST_INVALID' }, String(bad));
  assert.deepEqual(checkReference('latest'), { tag: 'latest' });
  assert.deepEqual(checkReference(d), { digest: d });
  assert.throws(() => checkReference('-bad'), { code: 'MANIFEST_INVALID' });
});
