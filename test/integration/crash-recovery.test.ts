/**
 * kill -9 of berthd: containers keep running and are re-adopted, exits that
 * happened during the outage are recorded with their real code and time,
 * acknowledged work is never lost, half-made state is cleaned.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TestDaemon, mountsUnder, sleep, until } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const inspect = async (name: string) => JSON.parse((await d.docker(['inspect', name])).stdout)[0];

test('kill -9 while one container runs and another exits during the outage', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'long', 'busybox', 'sleep', '300'])).code, 0);
  assert.equal((await d.docker(['run', '-d', '--name', 'short', 'busybox', 'sh', '-c', 'sleep 1; exit 5'])).code, 0);
  const longPid = (await inspect('long')).State.Pid;
  await d.crash();
  const crashedAt = Date.now();
  await sleep(2000); // "short" exits while berthd is down
  await d.start();

  const long = await inspect('long');
  assert.equal(long.State.Status, 'running');
  assert.equal(long.State.Pid, longPid);
  const short = await inspect('short');
  assert.equal(short.State.Status, 'exited');
  assert.equal(short.State.ExitCode, 5);
  const finished = Date.parse(short.State.FinishedAt);
  assert.ok(finished < crashedAt + 2000 && finished > crashedAt - 2000, `FinishedAt ${short.State.FinishedAt} is the real exit time`);

  const stop = await d.docker(['stop', '-t', '1', 'long']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal((await inspect('long')).State.ExitCode, 137);
  assert.equal((await d.docker(['rm', 'long', 'short'])).code, 0);
  assert.deepEqual(mountsUnder(d.root), []);
});

test('logs written during the outage are kept and the container is still attachable by wait', async () => {
  const id = (await d.docker(['run', '-d', 'busybox', 'sh', '-c', 'sleep 1; echo during; sleep 300'])).stdout.trim();
  await d.crash();
  await sleep(1500);
  await d.start();
  const logs = await d.docker(['logs', id]);
  assert.equal(logs.stdout, 'during\n');
  const waiting = d.docker(['wait', id]);
  await d.docker(['kill', id]);
  assert.equal((await waiting).stdout.trim(), '137');
  await d.docker(['rm', id]);
});

test('acknowledged creates survive kill -9 in the middle of a burst', async () => {
  const acknowledged: string[] = [];
  const burst = (async () => {
    for (let i = 0; i < 4000; i++) {
      const r = await d.api('POST', `/containers/create?name=burst${i}`, { Image: 'busybox', Cmd: ['true'] }).catch(() => undefined);
      if (!r) break;
      if (r.status === 201) acknowledged.push(r.json().Id);
    }
  })();
  await until(() => acknowledged.length >= 20, 20000, 5);
  await d.crash();
  await burst;
  await d.start();
  const all = (await d.api('GET', '/containers/json?all=1')).json<{ Id: string }[]>().map((c) => c.Id);
  for (const id of acknowledged) assert.ok(all.includes(id), `acknowledged container ${id} survived`);
  assert.ok(acknowledged.length > 0 && acknowledged.length < 4000, `the crash landed mid-burst (${acknowledged.length} acknowledged)`);
  // every surviving record is usable: a sample starts; all can be removed
  for (const id of all.slice(0, 3)) assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
  for (const id of all) assert.equal((await d.api('DELETE', `/containers/${id}?force=1`)).status, 204);
  // no container directories without records
  assert.deepEqual(readdirSync(join(d.dataRoot, 'containers')), []);
});

test('half-made containers and runtime leftovers are cleaned at start-up', async () => {
  // a create that crashed before its record was written
  const orphan = 'f'.repeat(64);
  mkdirSync(join(d.dataRoot, 'containers', orphan), { recursive: true });
  mkdirSync(join(d.dataRoot, 'snapshots', 'rw', orphan, 'upper'), { recursive: true });
  // a container whose record is gone (as if its insert never committed): its files must go too
  const id = (await d.docker(['create', 'busybox', 'sleep', '300'])).stdout.trim();
  await d.crash();
  const db = new Database(join(d.dataRoot, 'berth.db'));
  db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  db.close();
  await d.start();
  assert.ok(!existsSync(join(d.dataRoot, 'containers', orphan)));
  assert.ok(!existsSync(join(d.dataRoot, 'snapshots', 'rw', orphan)));
  assert.ok(!existsSync(join(d.dataRoot, 'containers', id)));
  await until(async () => (await d.api('GET', '/containers/json?all=1')).json<unknown[]>().length === 0);
});
