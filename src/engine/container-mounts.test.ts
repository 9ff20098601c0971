import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBind, parseApiMount, parseMode, parseVolumesFrom, planMounts, type ApiMount } from './container-mounts.js';
import type { ContainerRecord } from './container-types.js';


/** The error's own message matches (assert.throws' RegExp form tests "Name: message"). */
function throwsMsg(fn: () => unknown, re: RegExp, what?: string): void {
  assert.throws(fn, (e: Error) => { assert.match(e.message, re, what); return true; });
}

test('parseBind: Docker -v specs', () => {
  const cases: [string, Partial<ReturnType<typeof parseBind>>][] = [
    ['/host:/ctr', { Type: 'bind', Source: '/host', Destination: '/ctr', Mode: '', RW: true, Propagation: 'rprivate', CreateHostPath: true }],
    ['/host/:/ctr/:ro', { Type: 'bind', Source: '/host', Destination: '/ctr', Mode: 'ro', RW: false }],
    ['/h:/c:rw,rshared', { Type: 'bind', RW: true, Propagation: 'rshared' }],
    ['/h:/c:Z', { Type: 'bind', Mode: 'Z', RW: true }],
    ['vol:/data', { Type: 'volume', Name: 'vol', Destination: '/data', Mode: 'z', RW: true, CopyData: true, Anonymous: false }],
    ['vol:/data:ro,nocopy', { Type: 'volume', Name: 'vol', Mode: 'ro,nocopy', RW: false, CopyData: false }],
    ['/data', { Type: 'volume', Name: undefined, Destination: '/data', Mode: '', Anonymous: true }],
    ['/data:rw', { Type: 'volume', Destination: '/data', Mode: 'rw', Anonymous: true }],
  ];
  for (const [spec, want] of cases) {
    const got = parseBind(spec);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((got as unknown as Record<string, unknown>)[k], v, `${spec}: ${k}`);
  }
});

test('parseBind: bad specs with Docker wording', () => {
  const cases: [string, RegExp][] = [
    ['a:b:c:d', /^invalid volume specification: 'a:b:c:d'$/],
    ['vol:rel', /invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute/],
    ['/h:rel', /invalid mount config for type "bind": invalid mount path: 'rel'/],
    ['vol:/', /destination can't be '\/'/],
    ['vol:/x:bogus', /^invalid mode: bogus$/],
    ['vol:/x:ro,rw', /^invalid mode: ro,rw$/],
    ['/data:ro', /must not set ReadOnly mode when using anonymous volumes/],
    ['/h:/c:nocopy', /^invalid mode: nocopy$/],
    ['vol:/c:rshared', /propagation is only valid for bind mounts/],
  ];
  for (const [spec, re] of cases) throwsMsg(() => parseBind(spec), re, spec);
});

test('parseMode accepts one of each kind only', () => {
  assert.deepEqual(parseMode('ro,z,rslave,nocopy,cached'), { readOnly: true, rwGiven: true, nocopy: true, propagation: 'rslave' });
  for (const bad of ['z,Z', 'shared,slave', 'nocopy,nocopy', 'x', '']) assert.equal(parseMode(bad), undefined, bad);
});

test('parseApiMount: Docker validateMountConfig rules', () => {
  const exists = (p: string) => p === '/exists';
  const bad: [ApiMount, RegExp][] = [
    [{ Type: 'bind', Target: '/x' }, /^invalid mount config for type "bind": field Source must not be empty$/],
    [{ Type: 'bind', Source: '/missing', Target: '/x' }, /bind source path does not exist: \/missing/],
    [{ Type: 'bind', Source: 'rel', Target: '/x' }, /invalid mount path: 'rel' mount path must be absolute/],
    [{ Type: 'bind', Source: '/exists', Target: '/x', BindOptions: { Propagation: 'sideways' } }, /invalid propagation mode: sideways/],
    [{ Type: 'bind', Source: '/exists', Target: '/x', VolumeOptions: {} }, /field VolumeOptions must not be specified/],
    [{ Type: 'volume', Target: '/x', BindOptions: {} }, /field BindOptions must not be specified/],
    [{ Type: 'volume', Target: '/x', ReadOnly: true }, /must not set ReadOnly mode when using anonymous volumes/],
    [{ Type: 'volume', Source: 'v', Target: '/x', VolumeOptions: { DriverConfig: { Name: 'other' } } }, /plugin "other" not found/],
    [{ Type: 'tmpfs', Source: 'x', Target: '/x' }, /field Source must not be specified/],
    [{ Type: 'tmpfs', Target: '/x', TmpfsOptions: { SizeBytes: -1 } }, /invalid tmpfs size/],
    [{ Type: 'volume', Target: '' }, /field Target must not be empty/],
    [{ Type: 'volume', Target: 'x' }, /mount path must be absolute/],
    [{ Type: 'npipe', Target: '/x' }, /invalid mount config for type "npipe": mount type unknown/],
    [{ Type: 'volume', Target: '/x', Extra: 1 }, /unknown field Extra/],
  ];
  for (const [m, re] of bad) throwsMsg(() => parseApiMount(m, exists), re, JSON.stringify(m));
  assert.deepEqual(parseApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 2 * 1024 * 1024, Mode: 0o1770 } }, exists).TmpfsData, 'size=2m,mode=1770');
  const b = parseApiMount({ Type: 'bind', Source: '/exists', Target: '/x/', ReadOnly: true, BindOptions: { NonRecursive: true } }, exists);
  assert.equal(b.Destination, '/x');
  assert.equal(b.RW, false);
  assert.equal(b.NonRecursive, true);
  assert.equal(b.CreateHostPath, undefined);
});

test('parseVolumesFrom', () => {
  assert.deepEqual(parseVolumesFrom('c1'), { ref: 'c1' });
  assert.deepEqual(parseVolumesFrom('c1:ro'), { ref: 'c1', readOnly: true });
  assert.deepEqual(parseVolumesFrom('c1:rw'), { ref: 'c1', readOnly: false });
  assert.throws(() => parseVolumesFrom('c1:bad'), /invalid mode: bad/);
});

test('planMounts: volumes-from first, user mounts override, duplicates refused, image volumes fill the gaps', () => {
  const src = { id: 'src', mounts: [
    { Type: 'volume', Name: 'a', Source: '/v/a', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    { Type: 'bind', Source: '/h', Destination: '/h', Mode: '', RW: true, Propagation: 'rprivate' },
    { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
  ] } as unknown as ContainerRecord;
  const getContainer = (r: string) => { if (r !== 'src') throw new Error('No such container'); return src; };
  const plan = planMounts({
    hostConfig: { VolumesFrom: ['src:ro'], Binds: ['named:/h'], Tmpfs: { '/run': 'size=1m' } },
    volumes: { '/data': {}, '/cache': {} },
    getContainer, fileExists: () => true,
  });
  assert.deepEqual(plan.map((m) => [m.Destination, m.Type, m.Name ?? null, m.RW]), [
    ['/cache', 'volume', null, true],
    ['/data', 'volume', 'a', false],
    ['/h', 'volume', 'named', true],
    ['/run', 'tmpfs', null, true],
  ]);
  throwsMsg(() => planMounts({ hostConfig: { Binds: ['a:/x', '/h:/x'] }, volumes: null, getContainer, fileExists: () => true }), /^Duplicate mount point: \/x$/);
  throwsMsg(() => planMounts({ hostConfig: { Binds: ['a:/x'], Tmpfs: { '/x/': '' } }, volumes: null, getContainer, fileExists: () => true }), /Duplicate mount point: \/x/);
  throwsMsg(() => planMounts({ hostConfig: { Binds: ['a:/x'], VolumeDriver: 'convoy' }, volumes: null, getContainer, fileExists: () => true }), /plugin "convoy" not found/);
});
