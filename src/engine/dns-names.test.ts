import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveForAsker, type DnsContainer } from './dns-names.js';

const ep = (networkId: string, ip: string, o: { aliases?: string[]; links?: string[] } = {}) => ({ networkId, networkName: networkId === 'n1' ? 'front' : 'back', ip, aliases: o.aliases ?? [], links: o.links ?? [] });
const web: DnsContainer = { id: 'a'.repeat(64), name: 'web', endpoints: [ep('n1', '10.1.0.2', { aliases: ['www'] }), ep('n2', '10.2.0.2')] };
const db: DnsContainer = { id: 'b'.repeat(64), name: 'db', endpoints: [ep('n2', '10.2.0.3')] };
const app: DnsContainer = { id: 'c'.repeat(64), name: 'app', endpoints: [ep('n1', '10.1.0.4', { links: ['web:cache', '/db:/app/store', 'nosuch:gone'] })] };
const all = [web, db, app];

test('plain lookup: names, short IDs and aliases on the networks the asker shares, bare or with the network name', () => {
  assert.deepEqual(resolveForAsker(all, app, 'web'), ['10.1.0.2']);
  assert.deepEqual(resolveForAsker(all, app, 'WWW'), ['10.1.0.2']);
  assert.deepEqual(resolveForAsker(all, app, 'web.front'), ['10.1.0.2']);
  assert.deepEqual(resolveForAsker(all, app, 'a'.repeat(12)), ['10.1.0.2']);
  assert.deepEqual(resolveForAsker(all, app, 'db'), [], 'db is on another network');
  assert.deepEqual(resolveForAsker(all, db, 'web'), ['10.2.0.2'], 'the address on the network they share');
  assert.deepEqual(resolveForAsker(all, app, 'example.com'), []);
});

test('endpoint links are aliases for the linking container only (libnetwork: links on user-defined networks)', () => {
  assert.deepEqual(resolveForAsker(all, app, 'cache'), ['10.1.0.2']);
  assert.deepEqual(resolveForAsker(all, app, 'cache.front'), ['10.1.0.2']);
  assert.deepEqual(resolveForAsker(all, web, 'cache'), [], 'not for other containers');
  // dockerd stores no such form on endpoints, but a link to a container on another network answers nothing
  assert.deepEqual(resolveForAsker(all, app, 'store'), []);
  // a link whose target does not exist (dockerd accepts it) resolves to nothing, and hides nothing else
  assert.deepEqual(resolveForAsker(all, app, 'gone'), []);
});

test('a link alias shadows a container of the same name on that network', () => {
  const other: DnsContainer = { id: 'd'.repeat(64), name: 'cache', endpoints: [ep('n1', '10.1.0.9')] };
  assert.deepEqual(resolveForAsker([...all, other], app, 'cache'), ['10.1.0.2']);
  assert.deepEqual(resolveForAsker([...all, other], web, 'cache'), ['10.1.0.9']);
});
