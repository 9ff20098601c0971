import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restartDelayMs, restartPlanned } from './restart-policy.js';

test('restartPlanned: policies as dockerd applies them', () => {
  const f = (Name: 'no' | 'always' | 'unless-stopped' | 'on-failure' | '', extra: Partial<Parameters<typeof restartPlanned>[0]> = {}, MaximumRetryCount = 0) =>
    restartPlanned({ policy: { Name, MaximumRetryCount }, exitCode: 1, restartCount: 0, ...extra });
  assert.equal(f('no'), false);
  assert.equal(f(''), false);
  assert.equal(restartPlanned({ exitCode: 1, restartCount: 0 }), false);
  assert.equal(f('always'), true);
  assert.equal(f('always', { exitCode: 0 }), true);
  assert.equal(f('unless-stopped'), true);
  assert.equal(f('always', { stoppedByUser: true }), false);
  assert.equal(f('always', { autoRemove: true }), false);
  assert.equal(f('on-failure', { exitCode: 0 }), false);
  assert.equal(f('on-failure', { restartCount: 2 }, 3), true);
  assert.equal(f('on-failure', { restartCount: 3 }, 3), false);
  assert.equal(f('on-failure', { restartCount: 99 }), true);
});

test('restartDelayMs: 100 ms doubling to a minute, back to 100 ms after a run of 10 s', () => {
  assert.deepEqual([0, 1, 2, 3].map((n) => restartDelayMs(500, n)), [100, 200, 400, 800]);
  assert.equal(restartDelayMs(500, 20), 60_000);
  assert.equal(restartDelayMs(10_000, 20), 100);
});
