/** builder/path-match tests — Go filepath.Match cases used by COPY globs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathMatch, hasGlob } from './path-match.js';

test('pathMatch follows filepath.Match', () => {
  const cases: [string, string, boolean][] = [
    ['*.js', 'server.js', true],
    ['*.js', 'lib/server.js', false],
    ['lib/*.js', 'lib/server.js', true],
    ['*', 'a/b', false],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[abc].txt', 'b.txt', true],
    ['[^abc].txt', 'b.txt', false],
    ['[^abc].txt', 'd.txt', true],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['\\*x', '*x', true],
    ['\\*x', 'ax', false],
    ['package*.json', 'package.json', true],
    ['package*.json', 'package-lock.json', true],
    ['a.b', 'axb', false],
  ];
  for (const [p, n, want] of cases) assert.equal(pathMatch(p, n), want, `${p} ~ ${n}`);
});

test('hasGlob and bad patterns', () => {
  assert.equal(hasGlob('a/b.txt'), false);
  assert.equal(hasGlob('a/*.txt'), true);
  assert.throws(() => pathMatch('[abc', 'a'), /syntax error in pattern/);
});
