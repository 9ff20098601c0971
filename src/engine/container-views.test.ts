import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { filterContainers, inspectView, matchLabel, parseFilters, statusLine } from './container-views.js';
import type { ContainerRecord, ContainerState } from './container-types.js';
import { ZERO_TIME } from './container-types.js';

function rec(id: string, name: string, state: Partial<ContainerState>, labels: Record<string, string> = {}, imageId = 'sha256:img'): ContainerRecord {
  return {
    id, name, imageId, created: '2024-01-01T00:00:00Z', path: 'sh', args: ['-c', 'x'],
    config: { Labels: labels } as ContainerRecord['config'], hostConfig: {},
    state: { Status: 'created', Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, OOMKilled: false, ...state },
    restartCount: 0, layers: [], runtime: 'runc',
  };
}

test('statusLine: Docker\'s human status', () => {
  const now = Date.parse('2024-01-01T01:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const cases: { state: Partial<ContainerState>; want: string }[] = [
    { state: { Status: 'created' }, want: 'Created' },
    { state: { Status: 'running', StartedAt: ago(3000) }, want: 'Up 3 seconds' },
    { state: { Status: 'running', StartedAt: ago(500) }, want: 'Up Less than a second' },
    { state: { Status: 'running', StartedAt: ago(90_000) }, want: 'Up About a minute' },
    { state: { Status: 'paused', StartedAt: ago(7200_000) }, want: 'Up 2 hours (Paused)' },
    { state: { Status: 'exited', ExitCode: 137, FinishedAt: ago(120_000) }, want: 'Exited (137) 2 minutes ago' },
    { state: { Status: 'exited', ExitCode: 0, FinishedAt: ago(1000) }, want: 'Exited (0) 1 second ago' },
    { state: { Status: 'restarting', ExitCode: 1, FinishedAt: ago(5000) }, want: 'Restarting (1) 5 seconds ago' },
    { state: { Status: 'removing' }, want: 'Removal In Progress' },
    { state: { Status: 'dead' }, want: 'Dead' },
  ];
  for (const c of cases) assert.equal(statusLine(rec('a', 'n', c.state), now), c.want, JSON.stringify(c.state));
});

test('parseFilters: both JSON shapes', () => {
  const cases: { raw: string | undefined; want: [string, string[]][] }[] = [
    { raw: undefined, want: [] },
    { raw: '', want: [] },
    { raw: '{}', want: [] },
    { raw: '{"name":{"web":true}}', want: [['name', ['web']]] },
    // dockerd's Args.Get: the map's keys, whatever their boolean
    { raw: '{"name":{"web":true,"db":false}}', want: [['name', ['web', 'db']]] },
    { raw: '{"label":{"k=v":true,"flag":true}}', want: [['label', ['k=v', 'flag']]] },
    { raw: '{"name":["web","db"],"status":["running"]}', want: [['name', ['web', 'db']], ['status', ['running']]] },
  ];
  for (const c of cases) assert.deepEqual([...parseFilters(c.raw)], c.want, c.raw);
});

test('parseFilters: invalid input is invalid-argument', () => {
  for (const raw of ['{', '[]', '"x"', 'null', '{"name":"web"}', '{"name":1}']) {
    assert.throws(() => parseFilters(raw), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument', raw);
  }
});

test('matchLabel', () => {
  const l = { a: '1', b: '' };
  const cases: [string, boolean][] = [['a', true], ['c', false], ['a=1', true], ['a=2', false], ['b=', true], ['a!=2', true], ['a!=1', false]];
  for (const [expr, want] of cases) assert.equal(matchLabel(l, expr), want, expr);
});

test('filterContainers by id, name, label, status, exited, ancestor', () => {
  const recs = [
    rec('aaa111', 'web', { Status: 'running' }, { app: 'shop', tier: 'front' }, 'sha256:nginx'),
    rec('aab222', 'db', { Status: 'exited', ExitCode: 0 }, { app: 'shop' }, 'sha256:pg'),
    rec('bbb333', 'web-old', { Status: 'exited', ExitCode: 137 }, {}, 'sha256:nginx'),
    rec('ccc444', 'tmp', { Status: 'created' }),
  ];
  const f = (o: Record<string, string[]>) => filterContainers(recs, new Map(Object.entries(o)), (ref) => (ref === 'nginx' ? ['sha256:nginx'] : [])).map((r) => r.name);
  const cases: { name: string; f: Record<string, string[]>; want: string[] }[] = [
    { name: 'none', f: {}, want: ['web', 'db', 'web-old', 'tmp'] },
    { name: 'id prefix', f: { id: ['aa'] }, want: ['web', 'db'] },
    { name: 'id full', f: { id: ['bbb333'] }, want: ['web-old'] },
    { name: 'name substring (regexp)', f: { name: ['web'] }, want: ['web', 'web-old'] },
    { name: 'name anchored', f: { name: ['^/?web$'] }, want: ['web'] },
    { name: 'name with slash', f: { name: ['/db'] }, want: ['db'] },
    { name: 'name OR', f: { name: ['db', 'tmp'] }, want: ['db', 'tmp'] },
    { name: 'label key', f: { label: ['app'] }, want: ['web', 'db'] },
    { name: 'labels AND', f: { label: ['app=shop', 'tier=front'] }, want: ['web'] },
    { name: 'status', f: { status: ['exited'] }, want: ['db', 'web-old'] },
    { name: 'status OR', f: { status: ['running', 'created'] }, want: ['web', 'tmp'] },
    { name: 'exited code', f: { exited: ['137'] }, want: ['web-old'] },
    { name: 'exited 0', f: { exited: ['0'] }, want: ['db'] },
    { name: 'ancestor', f: { ancestor: ['nginx'] }, want: ['web', 'web-old'] },
    { name: 'AND across keys', f: { name: ['web'], status: ['running'] }, want: ['web'] },
  ];
  for (const c of cases) assert.deepEqual(f(c.f), c.want, c.name);
});

test('filterContainers: unknown key or status is invalid-argument', () => {
  const cases: [Record<string, string[]>, string][] = [
    [{ colour: ['red'] }, "invalid filter 'colour'"],
    [{ status: ['sleeping'] }, "invalid filter 'status=sleeping'"],
  ];
  for (const [f, message] of cases) {
    assert.throws(() => filterContainers([], new Map(Object.entries(f)), () => []), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && e.message === message);
  }
});

test('publish/expose filter values: ports, ranges, protocols', async () => {
  const { portFilter } = await import('./container-views.js');
  const keys = ['80/tcp', '53/udp', '8080/tcp'];
  const cases: [string, boolean][] = [['80', true], ['80/tcp', true], ['80/udp', false], ['53/udp', true], ['53', false], ['8000-8100', true], ['81-8079', false], ['8000-8100/udp', false]];
  for (const [v, want] of cases) assert.equal(portFilter(v, keys), want, v);
  assert.throws(() => portFilter('x', keys), /invalid filter/);
});

test('inspectView: the logging driver is json-file, also for records made when it was shown as k8s-file', () => {
  const paths = { resolvConfPath: '', hostnamePath: '', hostsPath: '', logPath: '', lowerDirs: [], rootfs: '', upperDir: '', workDir: '' };
  const old = { ...rec('a', 'n', {}), hostConfig: { LogConfig: { Type: 'k8s-file', Config: {} } } };
  assert.deepEqual(inspectView(old, paths).HostConfig.LogConfig, { Type: 'json-file', Config: {} });
  assert.equal(old.hostConfig.LogConfig.Type, 'k8s-file', 'the record itself is left alone');
  const fresh = { ...rec('b', 'm', {}), hostConfig: { LogConfig: { Type: 'json-file', Config: {} } } };
  assert.deepEqual(inspectView(fresh, paths).HostConfig.LogConfig, { Type: 'json-file', Config: {} });
});
