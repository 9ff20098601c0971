import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError, type ErrorKind } from '../errdefs/errors.js';
import type { ImageRunConfig } from '../oci/image.js';
import { DEFAULT_PATH, mergeConfig, mergeEnv, processEnv, validateHostConfig, validateName } from './container-config.js';
import type { CreateRequest, HostConfig } from './container-types.js';

const IMG: ImageRunConfig = { Entrypoint: ['/ep'], Cmd: ['img-cmd'], Env: ['PATH=/img/bin', 'A=1'], WorkingDir: '/w', User: 'daemon', Labels: { l: 'img' }, ExposedPorts: { '80/tcp': {} } };

test('mergeConfig: Entrypoint and Cmd rules', () => {
  const cases: { name: string; req: CreateRequest; image?: ImageRunConfig; path: string; args: string[]; entrypoint: string[] | null; cmd: string[] | null }[] = [
    { name: 'image defaults', req: {}, path: '/ep', args: ['img-cmd'], entrypoint: ['/ep'], cmd: ['img-cmd'] },
    { name: 'user Cmd replaces image Cmd', req: { Cmd: ['a', 'b'] }, path: '/ep', args: ['a', 'b'], entrypoint: ['/ep'], cmd: ['a', 'b'] },
    { name: 'Cmd as a string', req: { Cmd: 'x' }, path: '/ep', args: ['x'], entrypoint: ['/ep'], cmd: ['x'] },
    { name: 'user Entrypoint drops image Cmd', req: { Entrypoint: ['/new'] }, path: '/new', args: [], entrypoint: ['/new'], cmd: null },
    { name: 'user Entrypoint and Cmd', req: { Entrypoint: ['/new'], Cmd: ['c'] }, path: '/new', args: ['c'], entrypoint: ['/new'], cmd: ['c'] },
    { name: '--entrypoint "" resets it', req: { Entrypoint: [''], Cmd: ['sh', '-c', 'x'] }, path: 'sh', args: ['-c', 'x'], entrypoint: null, cmd: ['sh', '-c', 'x'] },
    { name: 'Entrypoint "" as a string', req: { Entrypoint: '', Cmd: ['true'] }, path: 'true', args: [], entrypoint: null, cmd: ['true'] },
    { name: 'Entrypoint null = image entrypoint', req: { Entrypoint: null, Cmd: ['c'] }, path: '/ep', args: ['c'], entrypoint: ['/ep'], cmd: ['c'] },
    { name: 'empty Cmd = image Cmd', req: { Cmd: [] }, path: '/ep', args: ['img-cmd'], entrypoint: ['/ep'], cmd: ['img-cmd'] },
    { name: 'image without entrypoint', req: {}, image: { Cmd: ['sh'] }, path: 'sh', args: [], entrypoint: null, cmd: ['sh'] },
  ];
  for (const c of cases) {
    const m = mergeConfig(c.req, c.image ?? IMG, 'sha256:abc');
    assert.equal(m.path, c.path, c.name);
    assert.deepEqual(m.args, c.args, c.name);
    assert.deepEqual(m.config.Entrypoint, c.entrypoint, c.name);
    assert.deepEqual(m.config.Cmd, c.cmd, c.name);
  }
});

test('mergeConfig: no command is invalid-argument', () => {
  const cases: { name: string; req: CreateRequest; image: ImageRunConfig }[] = [
    { name: 'empty image, empty request', req: {}, image: {} },
    { name: '--entrypoint "" without a command drops the image Cmd', req: { Entrypoint: [''] }, image: { Cmd: ['sh'] } },
  ];
  for (const c of cases) {
    assert.throws(() => mergeConfig(c.req, c.image, 'x'), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && e.message === 'no command specified', c.name);
  }
});

test('mergeConfig: Env merged by key, PATH defaulted', () => {
  const cases: { name: string; image: string[]; req?: string[]; want: string[] }[] = [
    { name: 'image PATH kept', image: ['PATH=/img/bin', 'A=1'], req: ['A=2', 'B=3'], want: ['PATH=/img/bin', 'A=2', 'B=3'] },
    { name: 'no PATH anywhere: default first', image: ['A=1'], want: [`PATH=${DEFAULT_PATH}`, 'A=1'] },
    { name: 'user PATH wins', image: ['PATH=/img'], req: ['PATH=/mine'], want: ['PATH=/mine'] },
    { name: 'value with =', image: [], req: ['X=a=b'], want: [`PATH=${DEFAULT_PATH}`, 'X=a=b'] },
    { name: 'bare key recorded', image: ['PATH=/p'], req: ['NOVALUE'], want: ['PATH=/p', 'NOVALUE'] },
    { name: 'bare key unsets the image\'s', image: ['PATH=/p', 'A=1', 'B=2'], req: ['A'], want: ['PATH=/p', 'A', 'B=2'] },
  ];
  for (const c of cases) {
    assert.deepEqual(mergeConfig({ Env: c.req, Cmd: ['x'] }, { Env: c.image }, 'i').config.Env, c.want, c.name);
  }
  assert.throws(() => mergeEnv([], ['=x']), BerthError);
  assert.deepEqual(processEnv(['PATH=/p', 'A', 'B=', 'C=3']), ['PATH=/p', 'B=', 'C=3']);
});

test('mergeConfig: WorkingDir, User, Labels, ExposedPorts', () => {
  const m = mergeConfig({ Labels: { l: 'mine', m: '1' }, ExposedPorts: { '53/udp': {} } }, IMG, 'sha256:i');
  assert.equal(m.config.WorkingDir, '/w');
  assert.equal(m.config.User, 'daemon');
  assert.equal(m.config.Image, 'sha256:i');
  assert.deepEqual(m.config.Labels, { l: 'mine', m: '1' });
  assert.deepEqual(m.config.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  const m2 = mergeConfig({ WorkingDir: '/x', User: '1000' }, { Cmd: ['c'] }, 'i');
  assert.equal(m2.config.WorkingDir, '/x');
  assert.equal(m2.config.User, '1000');
  assert.equal(m2.config.ExposedPorts, undefined);
  assert.throws(() => mergeConfig({ WorkingDir: 'rel' }, IMG, 'i'), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument'
    && e.message === "the working directory 'rel' is invalid, it needs to be an absolute path");
});

test('validateName', () => {
  assert.equal(validateName('/web_1.x-y'), 'web_1.x-y');
  for (const bad of ['a', '-x', 'a b', 'a/b', '']) assert.throws(() => validateName(bad), (e: unknown) => e instanceof BerthError && e.code === 'INVALID_NAME', bad);
});

const MB = 1024 * 1024;

test('validateHostConfig: rejects with Docker\'s messages', () => {
  const cases: { name: string; hc: HostConfig; kind: ErrorKind; message: string | RegExp }[] = [
    { name: 'memory < 6MB', hc: { Memory: 5 * MB }, kind: 'invalid-argument', message: 'Minimum memory limit allowed is 6MB' },
    { name: 'negative memory', hc: { Memory: -1 }, kind: 'invalid-argument', message: /invalid memory limit/ },
    { name: 'swap without memory', hc: { MemorySwap: 100 * MB }, kind: 'invalid-argument', message: 'You should always set the Memory limit when using Memoryswap limit, see usage' },
    { name: 'swap < memory', hc: { Memory: 100 * MB, MemorySwap: 50 * MB }, kind: 'invalid-argument', message: 'Minimum memoryswap limit should be larger than memory limit, see usage' },
    { name: 'too many cpus', hc: { NanoCpus: 5e9 }, kind: 'invalid-argument', message: 'Range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available' },
    { name: 'too few cpus', hc: { NanoCpus: 1e6 }, kind: 'invalid-argument', message: 'Range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available' },
    { name: 'nano + period', hc: { NanoCpus: 1e9, CpuPeriod: 50000 }, kind: 'invalid-argument', message: 'Conflicting options: Nano CPUs and CPU Period cannot both be set' },
    { name: 'tiny quota', hc: { CpuQuota: 999 }, kind: 'invalid-argument', message: 'CPU cfs quota can not be less than 1ms (i.e. 1000)' },
    { name: 'non-integer memory', hc: { Memory: 1.5 as number }, kind: 'invalid-argument', message: /invalid value for Memory/ },
    { name: 'unknown restart policy', hc: { RestartPolicy: { Name: 'sometimes' as 'no' } }, kind: 'invalid-argument', message: "invalid restart policy 'sometimes'" },
    { name: 'retry count with always', hc: { RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } }, kind: 'invalid-argument', message: /only be used with 'on-failure'/ },
    { name: 'negative retry count', hc: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } }, kind: 'invalid-argument', message: /cannot be negative/ },
    { name: 'AutoRemove + always', hc: { AutoRemove: true, RestartPolicy: { Name: 'always' } }, kind: 'invalid-argument', message: "can't create 'AutoRemove' container with restart policy" },
    { name: 'AutoRemove + on-failure', hc: { AutoRemove: true, RestartPolicy: { Name: 'on-failure' } }, kind: 'invalid-argument', message: "can't create 'AutoRemove' container with restart policy" },
  ];
  for (const c of cases) {
    assert.throws(() => validateHostConfig(c.hc, { ncpu: 4 }), (e: unknown) => {
      assert.ok(e instanceof BerthError, c.name);
      assert.equal(e.kind, c.kind, c.name);
      if (typeof c.message === 'string') assert.equal(e.message, c.message, c.name); else assert.match(e.message, c.message, c.name);
      return true;
    }, c.name);
  }
});

test('validateHostConfig: PidsLimit 0 or negative is "unlimited" (none recorded), as dockerd normalizes it', () => {
  for (const v of [0, -1, -2]) assert.equal(validateHostConfig({ PidsLimit: v }, { ncpu: 2 }).PidsLimit, null, String(v));
  assert.equal(validateHostConfig({ PidsLimit: 32 }, { ncpu: 2 }).PidsLimit, 32);
});

test('validateHostConfig: nano CPUs + CPU quota has Docker\'s own message', () => {
  assert.throws(() => validateHostConfig({ NanoCpus: 1e9, CpuQuota: 50000 }, { ncpu: 4 }), { message: 'Conflicting options: Nano CPUs and CPU Quota cannot both be set' });
});

test('validateHostConfig: accepts and normalises', () => {
  const cases: { name: string; hc: HostConfig; network: string; restart: string }[] = [
    { name: 'empty', hc: {}, network: 'bridge', restart: 'no' },
    { name: 'default network', hc: { NetworkMode: 'default' }, network: 'bridge', restart: 'no' },
    { name: 'host', hc: { NetworkMode: 'host' }, network: 'host', restart: 'no' },
    { name: 'none', hc: { NetworkMode: 'none' }, network: 'none', restart: 'no' },
    { name: 'user network (checked against the networks at create)', hc: { NetworkMode: 'mynet' }, network: 'mynet', restart: 'no' },
    { name: 'limits', hc: { Memory: 6 * MB, MemorySwap: -1, NanoCpus: 4e9, PidsLimit: -1 }, network: 'bridge', restart: 'no' },
    { name: 'AutoRemove + no', hc: { AutoRemove: true, RestartPolicy: { Name: 'no' } }, network: 'bridge', restart: 'no' },
    { name: 'on-failure:3', hc: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }, network: 'bridge', restart: 'on-failure' },
  ];
  for (const c of cases) {
    const out = validateHostConfig(c.hc, { ncpu: 4 });
    assert.equal(out.NetworkMode, c.network, c.name);
    assert.equal(out.RestartPolicy?.Name, c.restart, c.name);
    assert.equal(typeof out.RestartPolicy?.MaximumRetryCount, 'number', c.name);
    // docker-py's containers.run and compose read logs only from json-file (or journald)
    assert.deepEqual(out.LogConfig, { Type: 'json-file', Config: {} }, c.name);
  }
});

test('validateExposedPorts: port numbers only, as dockerd ("abc/xyz" is invalid port specification: "abc")', async () => {
  const { validateExposedPorts } = await import('./container-config.js');
  for (const ok of [{}, { '80/tcp': {} }, { '53/udp': {}, '65535/tcp': {} }, { 8080: {} }]) validateExposedPorts(ok);
  for (const [bad, port] of [[{ 'abc/xyz': {} }, 'abc'], [{ '70000/tcp': {} }, '70000'], [{ '1-2/tcp': {} }, '1-2']] as const) {
    assert.throws(() => validateExposedPorts(bad), new RegExp(`invalid port specification: "${port}"`));
  }
});
