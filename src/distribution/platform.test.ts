import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlatform, selectManifest, formatPlatform } from './platform.js';
import type { Descriptor } from '../oci/image.js';

test('parsePlatform', () => {
  const cases: [string, string][] = [
    ['linux/amd64', 'linux/amd64'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm/v6', 'linux/arm/v6'],
    ['Linux/AMD64', 'linux/amd64'],
    ['arm64', 'linux/arm64'],
  ];
  for (const [input, want] of cases) assert.equal(formatPlatform(parsePlatform(input)), want, input);
  for (const bad of ['', 'linux/amd64/v1/x', 'linux/../x']) assert.throws(() => parsePlatform(bad), { kind: 'invalid-argument' }, bad);
});

const d = (digest: string, platform?: Descriptor['platform']): Descriptor => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1, platform });

test('selectManifest', () => {
  const list = [
    d('sha256:att', { os: 'unknown', architecture: 'unknown' }),
    d('sha256:arm6', { os: 'linux', architecture: 'arm', variant: 'v6' }),
    d('sha256:arm7', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    d('sha256:arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    d('sha256:amd64', { os: 'linux', architecture: 'amd64' }),
    d('sha256:win', { os: 'windows', architecture: 'amd64' }),
  ];
  const cases: [string, string][] = [
    ['linux/amd64', 'sha256:amd64'],
    ['linux/arm', 'sha256:arm7'],
    ['linux/arm/v6', 'sha256:arm6'],
    ['linux/arm64', 'sha256:arm64'],
    ['windows/amd64', 'sha256:win'],
  ];
  for (const [p, want] of cases) assert.equal(selectManifest(list, parsePlatform(p)).digest, want, p);
  assert.throws(() => selectManifest(list, parsePlatform('linux/s390x')), { kind: 'not-found' });
});
