/** GET /events, `docker events` and `berth events`: container lifecycle and image events, since/until, filters, bad input. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const since = () => (Date.now() / 1000 - 1).toFixed(3);

test('docker events shows create/start/die/destroy of a container, with attributes', async () => {
  const from = since();
  const r = await d.docker(['run', '--rm', '--name', 'ev-one', '--label', 'team=blue', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(r.code, 3, r.stderr);
  const until = (Date.now() / 1000 + 0.5).toFixed(3);
  const ev = await d.docker(['events', '--since', from, '--until', until, '--filter', 'container=ev-one', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.team}}'], { timeoutMs: 15000 });
  assert.equal(ev.code, 0, ev.stderr);
  const lines = ev.stdout.trim().split('\n');
  const actions = lines.map((l) => l.split(' ')[1]);
  for (const a of ['create', 'start', 'die', 'destroy']) assert.ok(actions.includes(a), `${a} in ${ev.stdout}`);
  assert.ok(actions.indexOf('create') < actions.indexOf('start') && actions.indexOf('start') < actions.indexOf('die') && actions.indexOf('die') < actions.indexOf('destroy'), ev.stdout);
  assert.ok(lines.includes('container die ev-one 3 blue'), ev.stdout);
  assert.ok(lines.every((l) => l.startsWith('container ') && l.includes(' ev-one ')), ev.stdout);
});

test('live stream: events arrive while streaming; filters by event and label; default line format', async () => {
  const ac = new AbortController();
  const got: string[] = [];
  const reader = (async () => {
    const { request } = await import('node:http');
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: d.host.slice(7), path: `/v1.50/events?filters=${encodeURIComponent(JSON.stringify({ event: ['start', 'stop'], label: ['ev=live'] }))}`, signal: ac.signal }, (res) => {
        assert.equal(res.statusCode, 200);
        let buf = '';
        res.on('data', (c: Buffer) => { buf += c; let i; while ((i = buf.indexOf('\n')) >= 0) { got.push(buf.slice(0, i)); buf = buf.slice(i + 1); } });
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      });
      req.on('error', (e) => (ac.signal.aborted ? resolve() : reject(e)));
      req.end();
    });
  })();
  await new Promise((r) => setTimeout(r, 200));
  const c = await d.docker(['run', '-d', '--name', 'ev-live', '--label', 'ev=live', 'busybox', 'sleep', '30']);
  assert.equal(c.code, 0, c.stderr);
  await d.docker(['run', '--rm', 'busybox', 'true']); // no label: filtered out
  assert.equal((await d.docker(['stop', '-t', '1', 'ev-live'])).code, 0);
  const deadline = Date.now() + 10000;
  while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  await reader;
  const evs = got.map((l) => JSON.parse(l));
  assert.deepEqual(evs.map((e) => e.Action), ['start', 'stop']);
  const id = c.stdout.trim();
  for (const e of evs) {
    assert.equal(e.Type, 'container');
    assert.equal(e.Actor.ID, id);
    assert.equal(e.id, id);
    assert.equal(e.from, 'busybox');
    assert.equal(e.scope, 'local');
    assert.equal(typeof e.timeNano, 'number');
  }
  // berth events: Docker's default line format, replayed with --since/--until.
  const b = await d.berth(['events', '--since', '1m', '--until', '0s', '--filter', 'container=ev-live', '--filter', 'event=kill'], { timeoutMs: 15000 });
  assert.equal(b.code, 0, b.stderr);
  // sleep as PID 1 ignores SIGTERM, so stop escalates to SIGKILL after -t 1: two kill events.
  const lines = b.stdout.trim().split('\n');
  assert.equal(lines.length, 2, b.stdout);
  assert.match(lines[0], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z container kill ${id} \\(ev=live, image=busybox, name=ev-live, signal=15\\)$`));
  assert.match(lines[1], / container kill .*signal=9\)$/);
  await d.docker(['rm', '-f', 'ev-live']);
});

test('image events: import, tag, untag, delete', async () => {
  const from = since();
  await d.importBusybox('evimg:1');
  assert.equal((await d.docker(['tag', 'evimg:1', 'evimg:2'])).code, 0);
  assert.equal((await d.docker(['rmi', 'evimg:2'])).code, 0);
  assert.equal((await d.docker(['rmi', 'evimg:1'])).code, 0);
  const ev = await d.berth(['events', '--since', from, '--until', (Date.now() / 1000).toFixed(3), '--filter', 'type=image', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], { timeoutMs: 15000 });
  assert.equal(ev.code, 0, ev.stderr);
  assert.deepEqual(ev.stdout.trim().split('\n'), ['import evimg:1', 'tag evimg:2', 'untag evimg:2', 'untag evimg:1', 'delete <no value>']);
});

test('bad filters and times are 400 before any output', async () => {
  const r1 = await d.api('GET', `/events?filters=${encodeURIComponent('{"colour":["red"]}')}`);
  assert.equal(r1.status, 400);
  assert.match(r1.json().message, /invalid filter 'colour'/);
  const r2 = await d.api('GET', '/events?since=yesterday');
  assert.equal(r2.status, 400);
  const r3 = await d.docker(['events', '--filter', 'type=fish', '--until', '0s']);
  assert.notEqual(r3.code, 0);
  assert.match(r3.stderr, /invalid filter 'type=fish'/);
});
