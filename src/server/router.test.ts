import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { Router, boolParam, intParam, splitVersion } from './router.js';

test('Router.match: params, {name*}, HEAD → GET, method-not-allowed', () => {
  const r = new Router();
  const h = (name: string) => () => { void name; };
  const handlers = { list: h('list'), inspect: h('inspect'), image: h('image'), tag: h('tag'), del: h('del') };
  r.add('GET', '/containers/json', handlers.list);
  r.add('GET', '/containers/{id}/json', handlers.inspect);
  r.add('GET', '/images/{name*}/json', handlers.image);
  r.add('POST', '/images/{name*}/tag', handlers.tag);
  r.add('DELETE', '/images/{name*}', handlers.del);
  const cases: { method: string; path: string; handler?: () => void; params?: Record<string, string>; result?: 'method-not-allowed' }[] = [
    { method: 'GET', path: '/containers/json', handler: handlers.list, params: {} },
    { method: 'GET', path: '/containers/json/', handler: handlers.list, params: {} },
    { method: 'HEAD', path: '/containers/json', handler: handlers.list, params: {} },
    { method: 'GET', path: '/containers/abc/json', handler: handlers.inspect, params: { id: 'abc' } },
    { method: 'GET', path: '/containers/a%20b/json', handler: handlers.inspect, params: { id: 'a b' } },
    { method: 'GET', path: '/images/busybox/json', handler: handlers.image, params: { name: 'busybox' } },
    { method: 'GET', path: '/images/docker.io/library/busybox:latest/json', handler: handlers.image, params: { name: 'docker.io/library/busybox:latest' } },
    { method: 'GET', path: '/images/localhost:5000/a/b@sha256:abc/json', handler: handlers.image, params: { name: 'localhost:5000/a/b@sha256:abc' } },
    { method: 'POST', path: '/images/me/app:1/tag', handler: handlers.tag, params: { name: 'me/app:1' } },
    { method: 'DELETE', path: '/images/me/app:1', handler: handlers.del, params: { name: 'me/app:1' } },
    { method: 'POST', path: '/containers/json', result: 'method-not-allowed' },
    { method: 'GET', path: '/nothing/here' },
    { method: 'GET', path: '/containers/a/b/json' },
  ];
  for (const c of cases) {
    const m = r.match(c.method, c.path);
    if (c.result) { assert.equal(m, c.result, `${c.method} ${c.path}`); continue; }
    if (!c.handler) { assert.equal(m, undefined, `${c.method} ${c.path}`); continue; }
    assert.ok(m && m !== 'method-not-allowed', `${c.method} ${c.path}`);
    assert.equal(m.handler, c.handler, `${c.method} ${c.path}`);
    assert.deepEqual(m.params, c.params, `${c.method} ${c.path}`);
  }
});

test('splitVersion: strips the prefix and checks the range', () => {
  assert.deepEqual(splitVersion('/_ping', '1.24', '1.50'), { path: '/_ping' });
  assert.deepEqual(splitVersion('/v1.50/containers/json', '1.24', '1.50'), { version: '1.50', path: '/containers/json' });
  assert.deepEqual(splitVersion('/v1.24/x', '1.24', '1.50'), { version: '1.24', path: '/x' });
  assert.deepEqual(splitVersion('/v1.9/x', '1.8', '1.50'), { version: '1.9', path: '/x' }, 'numeric, not string, comparison');
  const bad: [string, string][] = [
    ['/v1.51/_ping', 'client version 1.51 is too new. Maximum supported API version is 1.50'],
    ['/v2.0/_ping', 'client version 2.0 is too new. Maximum supported API version is 1.50'],
    ['/v1.23/_ping', 'client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version'],
  ];
  for (const [path, message] of bad) {
    assert.throws(() => splitVersion(path, '1.24', '1.50'), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && e.message === message, path);
  }
});

test('boolParam follows Docker\'s boolValue', () => {
  const cases: [string, boolean][] = [
    ['', false], ['x=', false], ['x=0', false], ['x=no', false], ['x=false', false], ['x=FALSE', false], ['x=none', false], ['x= 0 ', false],
    ['x=1', true], ['x=true', true], ['x=yes', true], ['x=anything', true], ['y=1', false],
  ];
  for (const [qs, want] of cases) assert.equal(boolParam(new URLSearchParams(qs), 'x'), want, qs);
});

test('intParam', () => {
  const q = (s: string) => new URLSearchParams(s);
  assert.equal(intParam(q(''), 't'), undefined);
  assert.equal(intParam(q('t='), 't'), undefined);
  assert.equal(intParam(q('t=10'), 't'), 10);
  assert.equal(intParam(q('t=-1'), 't'), -1);
  for (const v of ['abc', '1.5', '1e3', '10s']) assert.throws(() => intParam(q(`t=${v}`), 't'), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument', v);
});
