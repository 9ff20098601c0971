import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rebaseName } from './local-tar.js';
import { splitCpArg } from '../commands/container/cp.js';

test('rebaseName renames the top entry as docker CopyTo does', () => {
  const cases: [string, string, string, string][] = [
    ['dir', 'dir', 'new', 'new'],
    ['dir/a/b', 'dir', 'new', 'new/a/b'],
    ['dir2/a', 'dir', 'new', 'dir2/a'],
    ['.', '.', 'new', 'new'],
    ['./x/y', '.', 'new', 'new/x/y'],
    ['file.txt', 'file.txt', 'renamed.txt', 'renamed.txt'],
    // a whole root, as dockerd (and berthd) name it, and as older berthd did
    ['/', '/', 'new', 'new'],
    ['/bin/sh', '/', 'new', 'new/bin/sh'],
    ['./etc/hosts', '/', 'new', 'new/etc/hosts'],
  ];
  for (const [name, from, to, want] of cases) assert.equal(rebaseName(name, from, to), want, `${name} ${from}→${to}`);
});

test('splitCpArg: container:path vs local paths', () => {
  assert.deepEqual(splitCpArg('c1:/etc'), { container: 'c1', path: '/etc' });
  assert.deepEqual(splitCpArg('c1:'), { container: 'c1', path: '' });
  assert.deepEqual(splitCpArg('/abs:with:colons'), { path: '/abs:with:colons' });
  assert.deepEqual(splitCpArg('./rel:x'), { path: './rel:x' });
  assert.deepEqual(splitCpArg('plain'), { path: 'plain' });
  assert.deepEqual(splitCpArg('-'), { path: '-' });
});
