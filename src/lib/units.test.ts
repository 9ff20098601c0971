import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { humanDuration, parseGoDuration, parseRamSize } from './units.js';

const K = 1024;

test('parseRamSize: base-1024 units', () => {
  const cases: [string, number][] = [
    ['0', 0], ['100', 100], ['100b', 100], ['1k', K], ['1K', K], ['1kb', K], ['512m', 512 * K * K], ['512MB', 512 * K * K],
    ['1g', K ** 3], ['2G', 2 * K ** 3], ['1t', K ** 4], ['1p', K ** 5], ['1.5k', 1536], ['0.5g', K ** 3 / 2], [' 6m ', 6 * K * K],
  ];
  for (const [input, want] of cases) assert.equal(parseRamSize(input), want, input);
});

test('parseRamSize rejects garbage', () => {
  for (const input of ['', 'abc', '-1', '1x', 'm', '1 2', '1kk']) {
    assert.throws(() => parseRamSize(input), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument', input);
  }
});

test('parseGoDuration: Go duration syntax to milliseconds', () => {
  const cases: [string, number][] = [
    ['30s', 30_000], ['1m30s', 90_000], ['1h', 3_600_000], ['1h2m3s', 3_723_000], ['500ms', 500], ['1.5s', 1500],
    ['2000us', 2], ['1000000ns', 1], ['10', 10_000], ['0s', 0],
  ];
  for (const [input, want] of cases) assert.equal(parseGoDuration(input), want, input);
  for (const input of ['', 's', '1x', '1s ', '-1s', '1d']) assert.throws(() => parseGoDuration(input), BerthError, input);
});

test('humanDuration matches go-units HumanDuration', () => {
  const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;
  const cases: [number, string][] = [
    [0, 'Less than a second'], [999, 'Less than a second'], [S, '1 second'], [2 * S, '2 seconds'], [59 * S, '59 seconds'],
    [60 * S, 'About a minute'], [119 * S, 'About a minute'], [2 * M, '2 minutes'], [59 * M, '59 minutes'],
    [60 * M, 'About an hour'], [89 * M, 'About an hour'], [90 * M, '2 hours'], [47 * H, '47 hours'],
    [48 * H, '2 days'], [13 * D, '13 days'], [14 * D, '2 weeks'], [59 * D, '8 weeks'], [60 * D, '2 months'],
    [364 * D, '12 months'], [730 * D, '2 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});
