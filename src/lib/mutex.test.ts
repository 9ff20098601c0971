import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedMutex } from './mutex.js';

test('KeyedMutex serialises work on one key, in arrival order', async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  let inside = 0;
  let maxInside = 0;
  const job = (name: string, ms: number) => m.run('k', async () => {
    inside++; maxInside = Math.max(maxInside, inside);
    log.push(`start ${name}`);
    await sleep(ms);
    log.push(`end ${name}`);
    inside--;
    return name;
  });
  const results = await Promise.all([job('a', 30), job('b', 5), job('c', 1)]);
  assert.deepEqual(results, ['a', 'b', 'c']);
  assert.equal(maxInside, 1);
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

test('KeyedMutex lets different keys run concurrently', async () => {
  const m = new KeyedMutex();
  let inside = 0;
  let maxInside = 0;
  const job = (key: string) => m.run(key, async () => { inside++; maxInside = Math.max(maxInside, inside); await sleep(20); inside--; });
  await Promise.all([job('x'), job('y'), job('z')]);
  assert.equal(maxInside, 3);
});

test('KeyedMutex releases the key when the work throws, and forgets idle keys', async () => {
  const m = new KeyedMutex();
  await assert.rejects(m.run('k', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await m.run('k', async () => 42), 42);
  const tails = (m as unknown as { tails: Map<string, unknown> }).tails;
  assert.equal(tails.size, 0);
  const p = m.run('held', () => sleep(10));
  assert.equal(tails.size, 1);
  await p;
  assert.equal(tails.size, 0);
});
