import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunScopes } from './run-scopes.js';

test('RunScopes: a timer of run N resolves false once run N+1 begins (it must not act on the new run)', async () => {
  const runs = new RunScopes();
  const n = runs.begin('c1', 'run-n');
  const fired = n.sleep(200);
  runs.begin('c1', 'run-n1');
  assert.equal(await fired, false);
  assert.equal(n.ended, true);
  runs.close();
});

test('RunScopes: ending a run cancels its timers at once; ending another run ID does nothing', async () => {
  const runs = new RunScopes();
  const s = runs.begin('c1', 'a');
  const t0 = Date.now();
  const p = s.sleep(5000);
  runs.end('c1', 'other');
  assert.equal(s.ended, false);
  runs.end('c1', 'a');
  assert.equal(await p, false);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(await s.sleep(10), false, 'a timer asked of an ended run never fires');
});

test('RunScopes: an uninterrupted timer resolves true; scope() finds the live run or adopts a re-adopted one', async () => {
  const runs = new RunScopes();
  const s = runs.begin('c1', 'a');
  assert.equal(await s.sleep(10), true);
  assert.equal(runs.scope('c1', 'a', true), s);
  const adopted = runs.scope('c2', 'x', true);
  assert.equal(adopted.ended, false);
  assert.equal(runs.scope('c3', undefined, true).ended, true);
  // a run that is over (the record names another run, or none running) never gets a live scope
  const stale = runs.scope('c1', 'old', false);
  assert.equal(stale.ended, true);
  assert.equal(await stale.sleep(10), false);
  assert.equal(runs.scope('c1', 'a', true), s, 'asking about an old run leaves the live one alone');
  runs.close();
  assert.equal(s.ended, true);
  assert.equal(adopted.ended, true);
});

test('RunScopes: a pending restart is cancelled by a new run, a cancel, or forget', async () => {
  const runs = new RunScopes();
  let starts = 0;
  runs.scheduleRestart('c1', 30, () => { starts++; });
  assert.equal(runs.restartPending('c1'), true);
  runs.begin('c1', 'manual');
  runs.scheduleRestart('c2', 30, () => { starts++; });
  assert.equal(runs.cancelRestart('c2'), true);
  runs.scheduleRestart('c3', 30, () => { starts++; });
  runs.forget('c3');
  runs.scheduleRestart('c4', 10, () => { starts += 10; });
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(starts, 10);
  runs.close();
});
