/**
 * The torture harness (test/torture, `npm run torture` for the 10-minute
 * form) in its short form: all four phases — chaos clients with injected
 * disconnects, lossless streams, kill -9 with consistency checks, hostile
 * inputs — with small bounds, run as its own command so its berthds, the
 * registry it starts and its exit code are what a developer gets. The
 * verdict must be a pass: no berthd crash, no lost or changed byte, no 5xx
 * or dropped connection on hostile input, no escape from the roots, no
 * leftover. A failure names the seed (replay with BERTH_TORTURE_SEED or
 * `run.js --seed`) and each finding with berthd's stack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, TEST_PREFIX, run } from './harness.js';
import { humanSummary, type Verdict } from '../torture/report.js';

test('torture, short form: every phase runs and finds nothing (no crash, lost byte, hostile-input 5xx, escape or leftover)', { timeout: 10 * 60000 }, async () => {
  const seed = process.env.BERTH_TORTURE_SEED ?? randomBytes(4).toString('hex');
  const out = join(tmpdir(), `torture-verdict-${process.pid}-${seed}.json`);
  const started = Date.now();
  const r = await run(process.execPath, [join(REPO, 'dist', 'test', 'torture', 'run.js'), '--minutes', '0.75', '--clients', '20', '--seed', seed, '--json', out],
    { env: { BERTH_TEST_PREFIX: TEST_PREFIX }, timeoutMs: 9 * 60000 });
  const secs = (Date.now() - started) / 1000;
  assert.ok(existsSync(out), `the harness wrote no verdict (exit ${r.code}): ${r.stderr.slice(-3000)}`);
  const v = JSON.parse(readFileSync(out, 'utf8')) as Verdict;
  rmSync(out, { force: true });
  const summary = humanSummary(v);
  assert.deepEqual(Object.keys(v.phases).sort(), ['A', 'B', 'C', 'D'], summary);
  // it found nothing
  assert.deepEqual(v.failures.map((f) => `[${f.phase}] ${f.kind}: ${f.message}`), [], `seed ${seed}\n${summary}`);
  assert.equal(v.verdict, 'pass', summary);
  assert.equal(r.code, 0, summary);
  // and it did its work: every phase counted what it was meant to do
  assert.ok((v.phases.A?.operations ?? 0) >= 60 && (v.phases.A?.containersCreated ?? 0) >= 10, `phase A did little\n${summary}`);
  assert.ok(v.totals.faultsInjected > 0, summary);
  assert.equal(v.phases.B?.streamsIntact, 20, `not every stream case ran\n${summary}`);
  assert.ok(v.totals.bytesChecked >= 10 * (200_000 + 5_000_000), summary);
  assert.ok((v.phases.C?.kills ?? 0) >= 3 && (v.phases.C?.consistencyChecks ?? 0) >= 3, summary);
  assert.ok(v.totals.inputsTried >= 300, summary);
  assert.ok(v.watchdog.pings > 100, summary);
  // bounded: the short form is meant for every CI run
  assert.ok(secs < 180, `the short form took ${secs.toFixed(0)} s`);
});
