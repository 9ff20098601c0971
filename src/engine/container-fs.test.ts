import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ContainerFs } from './container-fs.js';
import { absPathOf } from './container-archive.js';

const base = mkdtempSync(join(tmpdir(), 'berth-cfs-'));
after(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, 'rootfs');
const vol = join(base, 'vol');
mkdirSync(join(root, 'etc'), { recursive: true });
mkdirSync(join(root, 'data'), { recursive: true });
mkdirSync(join(vol, 'sub'), { recursive: true });
writeFileSync(join(root, 'etc', 'passwd'), 'x');
symlinkSync('/', join(root, 'toroot'));
symlinkSync('../../../../..', join(root, 'etc', 'up'));
symlinkSync('/etc', join(root, 'abs'));
symlinkSync('/data/sub', join(root, 'intovol'));
symlinkSync('/', join(vol, 'volroot'));
const fs = new ContainerFs(root, [{ destination: '/data', source: vol, readOnly: true }]);

test('resolve: links are container paths, clamped at the container root, mounts switch host roots', async () => {
  const cases: [string, boolean, string][] = [
    ['/toroot/etc/passwd', true, '/etc/passwd'],
    ['/etc/up/etc/passwd', true, '/etc/passwd'],
    ['/etc/up/up/etc', true, '/up/etc'],
    ['/abs/passwd', true, '/etc/passwd'],
    ['/abs', false, '/abs'],
    ['/abs', true, '/etc'],
    ['/../../..', true, '/'],
    ['/intovol/x', true, '/data/sub/x'],
    ['/data/volroot/etc', true, '/etc'],
  ];
  for (const [p, follow, want] of cases) assert.equal(await fs.resolve(p, { followLast: follow }), want, p);
  assert.equal(fs.hostPath('/data/sub/x'), join(vol, 'sub', 'x'));
  assert.equal(fs.hostPath('/etc/passwd'), join(root, 'etc', 'passwd'));
  assert.equal(fs.hostPath('/database'), join(root, 'database'), 'a prefix is not a mount');
  assert.equal(fs.readOnlyAt('/data/sub'), true);
  assert.equal(fs.readOnlyAt('/etc'), false);
});

test('absPathOf keeps a trailing /. or / (docker PreserveTrailingDotOrSeparator)', () => {
  const cases: [string, string][] = [['etc', '/etc'], ['/etc/', '/etc/'], ['/etc/.', '/etc/.'], ['/a//b/../c', '/a/c'], ['/', '/'], ['.', '/.']];
  for (const [p, want] of cases) assert.equal(absPathOf(p), want, p);
});
