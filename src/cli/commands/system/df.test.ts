import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryRows } from './df.js';
import type { DiskUsage } from '../../../api/types.js';

test('system df summary: docker formatter arithmetic for active and reclaimable', () => {
  const du = {
    LayersSize: 10_000_000,
    Images: [
      { Id: 'a', Size: 6_000_000, SharedSize: 2_000_000, Containers: 1 },
      { Id: 'b', Size: 6_000_000, SharedSize: 2_000_000, Containers: 0 },
    ],
    Containers: [{ State: 'running', SizeRw: 100 }, { State: 'exited', SizeRw: 300 }],
    Volumes: [{ Name: 'v1', UsageData: { Size: 1000, RefCount: 1 } }, { Name: 'v2', UsageData: { Size: 3000, RefCount: 0 } }, { Name: 'v3', UsageData: { Size: -1, RefCount: 0 } }],
    BuildCache: [{ ID: 'x', Size: 500, InUse: false }, { ID: 'y', Size: 1500, InUse: true }],
  } as unknown as DiskUsage;
  assert.deepEqual(summaryRows(du), [
    { Type: 'Images', TotalCount: '2', Active: '1', Size: '10MB', Reclaimable: '6MB (60%)' },
    { Type: 'Containers', TotalCount: '2', Active: '1', Size: '400B', Reclaimable: '300B (75%)' },
    { Type: 'Local Volumes', TotalCount: '3', Active: '1', Size: '4kB', Reclaimable: '3kB (75%)' },
    { Type: 'Build Cache', TotalCount: '2', Active: '1', Size: '2kB', Reclaimable: '500B' },
  ]);
  assert.deepEqual(summaryRows({}).map((r) => r.Reclaimable), ['0B', '0B', '0B', '0B']);
});
