import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary, ImageSummary } from '../../api/types.js';
import { containerRow, ellipsis, formatPorts, goQuote, truncateId } from './container-row.js';
import { imageRows, splitRepoTag } from './image-row.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const ID = 'f'.repeat(12) + '0'.repeat(52);

const summary = (over: Partial<ContainerSummary>): ContainerSummary => ({
  Id: ID, Names: ['/web'], Image: 'busybox', ImageID: 'sha256:' + 'a'.repeat(64), Command: 'sh', Created: NOW / 1000 - 120,
  Ports: [], Labels: {}, State: 'running', Status: 'Up 2 minutes', HostConfig: {}, NetworkSettings: null, Mounts: [], ...over,
});

test('containerRow truncates and quotes like docker ps', () => {
  const cases: { name: string; over: Partial<ContainerSummary>; trunc: boolean; field: string; want: string }[] = [
    { name: 'short id', over: {}, trunc: true, field: 'ID', want: 'ffffffffffff' },
    { name: 'full id', over: {}, trunc: false, field: 'ID', want: ID },
    { name: 'command quoted', over: { Command: 'sh -c "echo hi"' }, trunc: true, field: 'Command', want: '"sh -c \\"echo hi\\""' },
    { name: 'command ellipsis', over: { Command: 'python -m http.server 8000' }, trunc: true, field: 'Command', want: '"python -m http.serv…"' },
    { name: 'command untruncated', over: { Command: 'python -m http.server 8000' }, trunc: false, field: 'Command', want: '"python -m http.server 8000"' },
    { name: 'created', over: {}, trunc: true, field: 'RunningFor', want: '2 minutes ago' },
    { name: 'names', over: { Names: ['/web', '/other/web'] }, trunc: true, field: 'Names', want: 'web' },
    { name: 'names no-trunc', over: { Names: ['/web', '/other/web'] }, trunc: false, field: 'Names', want: 'web,other/web' },
    { name: 'image by id', over: { Image: 'sha256:' + 'b'.repeat(64) }, trunc: true, field: 'Image', want: 'bbbbbbbbbbbb' },
    { name: 'image digest', over: { Image: 'busybox@sha256:' + 'c'.repeat(64) }, trunc: true, field: 'Image', want: 'busybox' },
    { name: 'labels sorted', over: { Labels: { b: '2', a: '1' } }, trunc: true, field: 'Labels', want: 'a=1,b=2' },
  ];
  for (const c of cases) assert.equal(containerRow(summary(c.over), { trunc: c.trunc, nowMs: NOW })[c.field], c.want, c.name);
});

test('formatPorts', () => {
  assert.equal(formatPorts([{ PrivatePort: 80, Type: 'tcp' }]), '80/tcp');
  assert.equal(formatPorts([
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
  ]), '53/udp, [::]:8080->80/tcp, 0.0.0.0:8080->80/tcp');
  assert.equal(formatPorts(null), '');
});

test('small helpers', () => {
  assert.equal(truncateId('sha256:' + 'a'.repeat(64)), 'aaaaaaaaaaaa');
  assert.equal(ellipsis('abc', 3), 'abc');
  assert.equal(ellipsis('abcd', 3), 'ab…');
  assert.equal(goQuote('a"b'), '"a\\"b"');
});

test('imageRows: one row per tag, <none> when untagged', () => {
  const img: ImageSummary = {
    Id: 'sha256:' + 'd'.repeat(64), ParentId: '', RepoTags: ['busybox:latest', 'localhost:5000/bb:1'], RepoDigests: [],
    Created: NOW / 1000 - 3 * 86400, Size: 4_270_000, SharedSize: -1, Labels: null, Containers: -1,
  };
  const rows = imageRows(img, { trunc: true, nowMs: NOW });
  assert.deepEqual(rows.map((r) => [r.Repository, r.Tag, r.ID, r.CreatedSince, r.Size]), [
    ['busybox', 'latest', 'dddddddddddd', '3 days ago', '4.27MB'],
    ['localhost:5000/bb', '1', 'dddddddddddd', '3 days ago', '4.27MB'],
  ]);
  const dangling = imageRows({ ...img, RepoTags: ['<none>:<none>'] }, { trunc: false, nowMs: NOW });
  assert.deepEqual([dangling[0].Repository, dangling[0].Tag, dangling[0].ID], ['<none>', '<none>', img.Id]);
});

test('splitRepoTag keeps registry ports in the repo', () => {
  assert.deepEqual(splitRepoTag('localhost:5000/a'), { repo: 'localhost:5000/a', tag: '<none>' });
  assert.deepEqual(splitRepoTag('a:b'), { repo: 'a', tag: 'b' });
});
