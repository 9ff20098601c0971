import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkImagePlatform, containerSysctls, validateHealthcheck } from './create-checks.js';
import { BerthError } from '../errdefs/errors.js';

const invalid = (message: string | RegExp) => (e: unknown) => {
  assert.ok(e instanceof BerthError);
  assert.equal(e.kind, 'invalid-argument');
  if (typeof message === 'string') assert.equal(e.message, message); else assert.match(e.message, message);
  return true;
};

test('validateHealthcheck: durations are 0 or at least 1ms, retries not negative (dockerd\'s wording)', () => {
  const ms = 1_000_000;
  assert.throws(() => validateHealthcheck({ Interval: -10 * ms, Timeout: 1000 * ms, Retries: 1 }), invalid('Interval in Healthcheck cannot be less than 1ms'));
  assert.throws(() => validateHealthcheck({ Interval: 500_000 }), invalid('Interval in Healthcheck cannot be less than 1ms'));
  assert.throws(() => validateHealthcheck({ Interval: 1000 * ms, Timeout: -100 * ms }), invalid('Timeout in Healthcheck cannot be less than 1ms'));
  assert.throws(() => validateHealthcheck({ Retries: -10 }), invalid('Retries in Healthcheck cannot be negative'));
  assert.throws(() => validateHealthcheck({ StartPeriod: 100_000 }), invalid('StartPeriod in Healthcheck cannot be less than 1ms'));
  assert.throws(() => validateHealthcheck({ StartInterval: 100_000 }), invalid('StartInterval in Healthcheck cannot be less than 1ms'));
  for (const ok of [undefined, null, {}, { Interval: 0, Timeout: 0, StartPeriod: 0, Retries: 0 }, { Interval: ms, Timeout: ms, StartPeriod: ms, Retries: 3 }]) validateHealthcheck(ok);
});

test('checkImagePlatform: a platform the image is not for is bad input naming both; a matching one or none passes', () => {
  const img = { os: 'linux', architecture: 'amd64' };
  assert.throws(() => checkImagePlatform('linux/arm64', 'busybox', img), invalid('image with reference busybox was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64'));
  assert.throws(() => checkImagePlatform('windows/amd64', 'busybox', img), invalid(/wanted windows\/amd64, actual: linux\/amd64/));
  assert.throws(() => checkImagePlatform('linux/arm/v6', 'x', { os: 'linux', architecture: 'arm', variant: 'v7' }), invalid(/wanted linux\/arm\/v6, actual: linux\/arm\/v7/));
  checkImagePlatform(undefined, 'busybox', img);
  checkImagePlatform('linux/amd64', 'busybox', img);
  checkImagePlatform('linux/x86_64', 'busybox', img);
  checkImagePlatform('linux/arm', 'x', { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.throws(() => checkImagePlatform('not a platform!', 'busybox', img), invalid(/unknown operating system or architecture/));
});

test('containerSysctls: Docker\'s defaults in a private network namespace, the NIS domain name, the client\'s own win', () => {
  const all = () => true;
  assert.deepEqual(containerSysctls({ privateNetwork: true, privateUts: true, available: all }), { 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' });
  assert.deepEqual(containerSysctls({ privateNetwork: false, privateUts: true, available: all }), {});
  assert.deepEqual(containerSysctls({ privateNetwork: false, privateUts: true, domainname: 'example.com', available: all }), { 'kernel.domainname': 'example.com' });
  assert.deepEqual(containerSysctls({ privateNetwork: false, privateUts: false, domainname: 'example.com', available: all }), {});
  assert.deepEqual(containerSysctls({ privateNetwork: true, privateUts: true, available: (n) => n !== 'net.ipv4.ping_group_range', user: { 'net.ipv4.ip_unprivileged_port_start': '100' } }),
    { 'net.ipv4.ip_unprivileged_port_start': '100' });
});
