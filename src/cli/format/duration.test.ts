import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, timeAgo } from './duration.js';

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;

test('humanDuration matches go-units', () => {
  const cases: [number, string][] = [
    [0, 'Less than a second'], [999, 'Less than a second'], [S, '1 second'], [2 * S, '2 seconds'], [59 * S, '59 seconds'],
    [60 * S, 'About a minute'], [119 * S, 'About a minute'], [2 * M, '2 minutes'], [59 * M, '59 minutes'],
    [60 * M, 'About an hour'], [89 * M, 'About an hour'], [90 * M, '2 hours'], [47 * H, '47 hours'], [48 * H, '2 days'],
    [13 * D, '13 days'], [14 * D, '2 weeks'], [59 * D, '8 weeks'], [60 * D, '2 months'], [729 * D, '24 months'], [730 * D, '2 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test('timeAgo appends ago', () => {
  assert.equal(timeAgo(1_000_000, 1_000_000 + 2 * M), '2 minutes ago');
});
