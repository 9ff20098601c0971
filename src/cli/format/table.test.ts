import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignTabs, renderTable } from './table.js';

test('alignTabs pads like tabwriter(10, 1, 3)', () => {
  const cases: { in: string[]; want: string }[] = [
    { in: [], want: '' },
    { in: ['a'], want: 'a\n' },
    { in: ['a\tb'], want: 'a         b\n' },
    { in: ['REPOSITORY\tTAG', 'busybox\tlatest'], want: 'REPOSITORY   TAG\nbusybox      latest\n' },
    { in: ['x\t\ty'], want: 'x                   y\n' },
  ];
  for (const c of cases) assert.equal(alignTabs(c.in), c.want, JSON.stringify(c.in));
});

test('renderTable gives docker ps headers their docker spacing', () => {
  const out = renderTable(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
    [['0123456789ab', 'busybox', '"sh"', '2 minutes ago', 'Up 2 minutes', '', 'web']],
  );
  assert.equal(
    out,
    'CONTAINER ID   IMAGE     COMMAND   CREATED         STATUS         PORTS     NAMES\n' +
    '0123456789ab   busybox   "sh"      2 minutes ago   Up 2 minutes             web\n',
  );
});
