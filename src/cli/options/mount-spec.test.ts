import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absolutizeVolumeFlag, parseMountFlag } from './mount-spec.js';


/** The error's own message matches (assert.throws' RegExp form tests "Name: message"). */
function throwsMsg(fn: () => unknown, re: RegExp, what?: string): void {
  assert.throws(fn, (e: Error) => { assert.match(e.message, re, what); return true; });
}

test('parseMountFlag: docker CLI --mount syntax', () => {
  const cases: [string, unknown][] = [
    ['type=bind,src=/a,dst=/b,readonly', { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true }],
    ['type=bind,source=/a,target=/b,ro=false,bind-propagation=rshared,bind-nonrecursive', { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: false, BindOptions: { Propagation: 'rshared', NonRecursive: true } }],
    ['src=v,destination=/d,volume-nocopy,volume-label=a=b,volume-driver=local,volume-opt=type=tmpfs', { Type: 'volume', Source: 'v', Target: '/d', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs' } } } }],
    ['type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770', { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 } }],
  ];
  for (const [v, want] of cases) assert.deepEqual(parseMountFlag(v), want, v);
  const bad: [string, RegExp][] = [
    ['type=bind,src=/a', /^target is required$/],
    ['type=bind,src=/a,dst=/b,colour=red', /^unexpected key 'colour' in 'colour=red'$/],
    ['type=bind,src', /^invalid field 'src' must be a key=value pair$/],
    ['type=bind,dst=/b,readonly=maybe', /^invalid value for readonly: maybe$/],
    ['type=bind,dst=/b,volume-nocopy', /^cannot mix 'volume-\*' options with mount type 'bind'$/],
    ['type=volume,dst=/b,bind-propagation=shared', /^cannot mix 'bind-\*' options with mount type 'volume'$/],
    ['type=volume,dst=/b,tmpfs-size=1m', /^cannot mix 'tmpfs-\*' options with mount type 'volume'$/],
    ['type=tmpfs,dst=/b,tmpfs-mode=9', /invalid value for tmpfs-mode: 9/],
  ];
  for (const [v, re] of bad) throwsMsg(() => parseMountFlag(v), re, v);
});

test('absolutizeVolumeFlag: only ./ and ../ sources are made absolute', () => {
  assert.equal(absolutizeVolumeFlag('./data:/d', '/work'), '/work/data:/d');
  assert.equal(absolutizeVolumeFlag('../x:/d:ro', '/work/app'), '/work/x:/d:ro');
  assert.equal(absolutizeVolumeFlag('.:/src', '/work'), '/work:/src');
  assert.equal(absolutizeVolumeFlag('vol:/d', '/work'), 'vol:/d');
  assert.equal(absolutizeVolumeFlag('rel/dir:/d', '/work'), 'rel/dir:/d');
  assert.equal(absolutizeVolumeFlag('/data', '/work'), '/data');
});
