import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageInspect } from './image-views.js';
import type { Image } from '../images/image-store.js';

function image(extra: Record<string, unknown> = {}): Image {
  return {
    id: 'sha256:' + 'a'.repeat(64), refs: ['docker.io/library/busybox:latest'], createdAt: '2024-01-01T00:00:00Z', size: 10,
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Cmd: ['sh'] }, ...extra },
  };
}

test('imageInspect: ContainerConfig is Go\'s zero container.Config without a container_config (compose v1 reads .Volumes)', () => {
  const v = imageInspect(image(), { lowerDirs: [] });
  assert.equal(v.Container, '');
  assert.deepEqual(v.ContainerConfig, {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
  });
});

test('imageInspect: a legacy container_config and container are shown', () => {
  const v = imageInspect(image({ container: 'c'.repeat(64), container_config: { Cmd: ['/bin/sh', '-c', '#(nop) VOLUME [/data]'], Volumes: { '/data': {} } } }), { lowerDirs: [] });
  assert.equal(v.Container, 'c'.repeat(64));
  assert.deepEqual(v.ContainerConfig.Volumes, { '/data': {} });
  assert.deepEqual(v.ContainerConfig.Cmd, ['/bin/sh', '-c', '#(nop) VOLUME [/data]']);
  assert.equal(v.ContainerConfig.Hostname, '');
});
