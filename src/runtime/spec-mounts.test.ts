import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTmpfsOptions, specMounts } from './spec-mounts.js';

test('mergeTmpfsOptions: later flags replace their opposites, later values replace earlier ones', () => {
  const cases: [string[], string[]][] = [
    [['noexec', 'nosuid', 'nodev', 'exec'], ['nosuid', 'nodev', 'exec']],
    [['noexec', 'size=1m', 'size=2m'], ['noexec', 'size=2m']],
    [['rw', 'ro'], ['ro']],
    [['noexec', '', ' mode=1777 '], ['noexec', 'mode=1777']],
  ];
  for (const [input, want] of cases) assert.deepEqual(mergeTmpfsOptions(input), want, input.join(','));
});

test('specMounts: binds and tmpfs as dockerd writes them, parents first', () => {
  assert.deepEqual(specMounts([
    { kind: 'bind', source: '/v/b', destination: '/a/b', readOnly: false },
    { kind: 'tmpfs', destination: '/t', readOnly: true, tmpfsData: 'size=1m,exec' },
    { kind: 'bind', source: '/h', destination: '/a', readOnly: true, propagation: 'rshared', nonRecursive: true },
  ]), [
    { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m', 'exec', 'ro'] },
    { destination: '/a', type: 'bind', source: '/h', options: ['bind', 'rshared', 'ro'] },
    { destination: '/a/b', type: 'bind', source: '/v/b', options: ['rbind', 'rprivate'] },
  ]);
});
