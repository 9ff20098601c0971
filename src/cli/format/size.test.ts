import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoG, humanSize } from './size.js';

test('humanSize matches go-units HumanSizeWithPrecision(n, 3)', () => {
  const cases: [number, string][] = [
    [0, '0B'], [1, '1B'], [999, '999B'], [1000, '1kB'], [1234, '1.23kB'], [4270000, '4.27MB'],
    [4_261_376, '4.26MB'], [77_800_000, '77.8MB'], [1_000_000_000, '1GB'], [1_500_000_000_000, '1.5TB'],
    [999_500, '1e+03kB'], [10_000_000, '10MB'], [123_456_789, '123MB'],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
});

test('formatGoG follows Go %g', () => {
  const cases: [number, number, string][] = [[4.0, 3, '4'], [4.10, 3, '4.1'], [1234.5, 3, '1.23e+03'], [0.5, 3, '0.5'], [99.95, 3, '100']];
  for (const [v, p, want] of cases) assert.equal(formatGoG(v, p), want, `${v}`);
});
