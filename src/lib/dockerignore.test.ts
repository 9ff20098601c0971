/** lib/dockerignore tests — Docker's .dockerignore rules through the matcher. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIgnoreMatcher, parseDockerignore } from './dockerignore.js';

test('parseDockerignore drops comments and blanks', () => {
  assert.deepEqual(parseDockerignore('# c\n\nnode_modules\r\n  *.log  \n'), ['node_modules', '*.log']);
});

test('matching follows Docker: dirs exclude their contents, ** crosses dirs, ! re-includes, last match wins', () => {
  const m = createIgnoreMatcher(['node_modules', '**/*.log', '!keep.log', 'tmp/*', 'secret.txt']);
  const cases: [string, boolean][] = [
    ['node_modules', true], ['node_modules/x/index.js', true], ['a.log', true], ['deep/dir/b.log', true],
    ['keep.log', false], ['tmp/x', true], ['tmp', false], ['secret.txt', true], ['src/secret.txt', false], ['server.js', false],
  ];
  for (const [p, want] of cases) assert.equal(m.ignores(p), want, p);
  assert.equal(m.hasExceptions, true);
  assert.equal(createIgnoreMatcher(['a']).hasExceptions, false);
});
