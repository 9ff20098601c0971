import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsFor, isInsecure, normalizeMirror } from './registry-hosts.js';

test('isInsecure', () => {
  const cases: [string, string[], boolean][] = [
    ['localhost:5000', [], true],
    ['127.0.0.1:5000', [], true],
    ['127.8.9.1', [], true],
    ['[::1]:5000', [], true],
    ['registry.example:5000', [], false],
    ['registry.example:5000', ['registry.example:5000'], true],
    ['10.1.2.3:5000', ['10.0.0.0/8'], true],
    ['11.1.2.3:5000', ['10.0.0.0/8'], false],
  ];
  for (const [d, list, want] of cases) assert.equal(isInsecure(d, list), want, d);
});

test('endpointsFor', () => {
  const cfg = { mirrors: ['http://127.0.0.1:5000'], insecureRegistries: [] };
  assert.deepEqual(endpointsFor('docker.io', cfg, 'pull').map((e) => e.url.toString()), ['http://127.0.0.1:5000/', 'https://registry-1.docker.io/']);
  assert.deepEqual(endpointsFor('docker.io', cfg, 'push').map((e) => e.url.toString()), ['https://registry-1.docker.io/']);
  assert.deepEqual(endpointsFor('127.0.0.1:9', cfg, 'pull').map((e) => e.url.toString()), ['https://127.0.0.1:9/', 'http://127.0.0.1:9/']);
  assert.deepEqual(endpointsFor('quay.io', cfg, 'pull').map((e) => e.url.toString()), ['https://quay.io/']);
});

test('normalizeMirror', () => {
  assert.equal(normalizeMirror('http://m:5000'), 'http://m:5000/');
  for (const bad of ['m:5000', 'ftp://m', 'http://m/?x=1']) assert.throws(() => normalizeMirror(bad), { kind: 'invalid-argument' }, bad);
});
