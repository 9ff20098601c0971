import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import type { HostConfig } from './container-types.js';
import { parseDeviceRule, parseOwnLimits, resolveIsolation, validateIsolation, type IsolationTargets } from './isolation-modes.js';

const targets: IsolationTargets = {
  idOf: (ref) => { if (ref === 'web') return 'a'.repeat(64); throw new BerthError('NO_SUCH_CONTAINER', `No such container: ${ref}`); },
  runningPid: () => 4242,
  ipcMode: () => 'shareable',
  shmPath: (id) => `/run/berth/containers/${id}/shm`,
};
const LIMITS = 'Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            1024                 20000                files     \nMax processes             95000                95000                processes \n';

test('berthd own hard limits from /proc/self/limits', () => {
  assert.deepEqual(parseOwnLimits(LIMITS), { cpu: undefined, nofile: 20000, nproc: 95000 });
});

test('device cgroup rules', () => {
  assert.deepEqual(parseDeviceRule('c 10:229 rwm'), { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' });
  assert.deepEqual(parseDeviceRule('b *:* r'), { allow: true, type: 'b', access: 'r' });
  assert.deepEqual(parseDeviceRule('a'), { allow: true, type: 'a', access: 'rwm' });
  for (const bad of ['x 1:2 rwm', 'c 1:2', 'c 1:2 rwx', 'c', '']) assert.throws(() => parseDeviceRule(bad), /invalid device cgroup rule format/, bad);
});

test('validateIsolation: modes, ulimits within berthd own, devices', () => {
  const own = parseOwnLimits(LIMITS);
  const ok = validateIsolation({ PidMode: 'container:web', IpcMode: 'shareable', UTSMode: 'host', CgroupnsMode: 'private', Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 20000 }], Devices: [{ PathOnHost: '/dev/null', PathInContainer: '', CgroupPermissions: '' }] }, { targets, ownHardLimits: own });
  assert.deepEqual(ok.Devices, [{ PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' }]);
  const bad: [HostConfig, RegExp][] = [
    [{ PidMode: 'container:db' }, /invalid PID mode container:db: No such container: db/],
    [{ IpcMode: 'public' }, /invalid IPC mode: public/],
    [{ UsernsMode: 'private' }, /user namespace remapping/],
    [{ Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 20001 }] }, /hard limit 20001 is above berthd's own \(20000\)/],
    [{ Ulimits: [{ Name: 'nofile', Soft: 1, Hard: -1 }] }, /hard limit unlimited is above/],
    [{ Ulimits: [{ Name: 'nofile', Soft: 9, Hard: 5 }] }, /soft limit must be less than hard limit/],
    [{ Devices: [{ PathOnHost: '/dev/nope-nope', PathInContainer: '', CgroupPermissions: '' }] }, /error gathering device information/],
    [{ Devices: [{ PathOnHost: '/dev/null', PathInContainer: '', CgroupPermissions: 'rwx' }] }, /permissions rwx/],
  ];
  for (const [hc, re] of bad) assert.throws(() => validateIsolation(hc, { targets, ownHardLimits: own }), re, JSON.stringify(hc));
  // unlimited is fine when berthd is unlimited too
  validateIsolation({ Ulimits: [{ Name: 'cpu', Soft: -1, Hard: -1 }] }, { targets, ownHardLimits: own });
});

test('resolveIsolation: namespaces to join, shared /dev/shm, devices, rlimits', async () => {
  const iso = await resolveIsolation({ PidMode: 'host', IpcMode: 'container:web', UTSMode: 'host', Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'rw' }], Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }] }, { targets, cgroupVersion: 1, privileged: false });
  assert.equal(iso.pid, 'host');
  assert.deepEqual(iso.ipc, { path: '/proc/4242/ns/ipc' });
  assert.deepEqual(iso.shm, { bind: `/run/berth/containers/${'a'.repeat(64)}/shm` });
  assert.equal(iso.uts, 'host');
  assert.equal(iso.cgroupns, false, 'host cgroup namespace by default on v1');
  assert.deepEqual(iso.devices?.map((x) => [x.path, x.type, x.major, x.minor, x.access]), [['/dev/n', 'c', 1, 3, 'rw']]);
  assert.deepEqual(iso.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }]);
  assert.equal((await resolveIsolation({}, { targets, cgroupVersion: 2, privileged: false })).cgroupns, true);
  await assert.rejects(resolveIsolation({ IpcMode: 'container:web' }, { targets: { ...targets, ipcMode: () => 'private' }, cgroupVersion: 1, privileged: false }), /non-shareable IPC/);
  await assert.rejects(resolveIsolation({ PidMode: 'container:web' }, { targets: { ...targets, runningPid: () => undefined }, cgroupVersion: 1, privileged: false }), /non running container/);
});
