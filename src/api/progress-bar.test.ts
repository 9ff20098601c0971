import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSize, progressBar } from './progress-bar.js';

test('humanSize', () => {
  const cases: [number, string][] = [[0, '0B'], [999, '999B'], [1000, '1kB'], [1234567, '1.23MB'], [2_500_000_000, '2.5GB']];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
});

test('progressBar', () => {
  assert.equal(progressBar(0, 100).length, 52 + 1 + 18);
  assert.match(progressBar(50, 100), /^\[={25}> {24}\]\s+50B\/100B$/);
  assert.match(progressBar(100, 100), /^\[={50}\]/);
  assert.equal(progressBar(1234), '1.23kB');
});
