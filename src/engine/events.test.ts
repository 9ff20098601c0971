import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventsService, eventMatches, parseEventTime, validateEventFilters, type EventMessage } from './events.js';

const ev = (over: Partial<EventMessage> & { attrs?: Record<string, string> } = {}): EventMessage => ({
  Type: 'container', Action: 'start', scope: 'local', time: 1, timeNano: 1e9,
  ...over, Actor: { ID: 'abc123def', Attributes: { name: 'web', image: 'busybox:latest', 'com.x': 'y', ...over.attrs } },
});

test('eventMatches follows Docker filter semantics', () => {
  const cases: [string, EventMessage, Record<string, string[]>, boolean][] = [
    ['no filters', ev(), {}, true],
    ['type match', ev(), { type: ['container'] }, true],
    ['type mismatch', ev(), { type: ['image'] }, false],
    ['event match', ev(), { event: ['start', 'die'] }, true],
    ['event mismatch', ev(), { event: ['die'] }, false],
    ['event prefix before colon', ev({ Action: 'health_status: healthy' }), { event: ['health_status'] }, true],
    ['exact colon action', ev({ Action: 'exec_start: sh' }), { event: ['exec_start: sh'] }, true],
    ['container by name', ev(), { container: ['web'] }, true],
    ['container by id prefix', ev(), { container: ['abc1'] }, true],
    ['container other', ev(), { container: ['db'] }, false],
    ['container filter on image event', ev({ Type: 'image' }), { container: ['web'] }, false],
    ['image attr without tag', ev(), { image: ['busybox'] }, true],
    ['image attr with tag', ev(), { image: ['busybox:latest'] }, true],
    ['image other', ev(), { image: ['alpine'] }, false],
    ['image event by id prefix', ev({ Type: 'image', Actor: undefined as never, attrs: {} }), { image: ['sha256:abc'] }, false],
    ['label key', ev(), { label: ['com.x'] }, true],
    ['label key=value', ev(), { label: ['com.x=y'] }, true],
    ['label wrong value', ev(), { label: ['com.x=z'] }, false],
    ['scope local', ev(), { scope: ['local'] }, true],
    ['scope swarm', ev(), { scope: ['swarm'] }, false],
    ['volume filter excludes containers', ev(), { volume: ['web'] }, false],
    ['volume by name', ev({ Type: 'volume', attrs: { driver: 'local' } }), { volume: ['abc123def'] }, true],
    ['AND across keys', ev(), { type: ['container'], event: ['die'] }, false],
  ];
  for (const [name, e, f, want] of cases) assert.equal(eventMatches(e, new Map(Object.entries(f))), want, name);
});

test('image events match by sha256 ID prefix and name', () => {
  const e: EventMessage = { Type: 'image', Action: 'tag', scope: 'local', time: 1, timeNano: 1, Actor: { ID: 'sha256:feedbeef', Attributes: { name: 'app:1.0' } } };
  assert.equal(eventMatches(e, new Map([['image', ['feed']]])), true);
  assert.equal(eventMatches(e, new Map([['image', ['app']]])), true);
  assert.equal(eventMatches(e, new Map([['image', ['other']]])), false);
});

test('validateEventFilters rejects unknown keys and types', () => {
  assert.throws(() => validateEventFilters(new Map([['colour', ['red']]])), /invalid filter 'colour'/);
  assert.throws(() => validateEventFilters(new Map([['type', ['fish']]])), /invalid filter 'type=fish'/);
  validateEventFilters(new Map([['type', ['network']], ['event', ['x']]]));
});

test('parseEventTime: unix seconds, fractions, RFC 3339, relative durations', () => {
  const now = 1_700_000_000_000;
  const cases: [string, bigint][] = [
    ['1700000000', 1_700_000_000_000_000_000n],
    ['1700000000.5', 1_700_000_000_500_000_000n],
    ['1700000000.000000001', 1_700_000_000_000_000_001n],
    ['2023-11-14T22:13:20Z', 1_700_000_000_000_000_000n],
    ['2023-11-14T22:13:20.25Z', 1_700_000_000_250_000_000n],
    ['2023-11-15T00:13:20+02:00', 1_700_000_000_000_000_000n],
    ['10s', 1_699_999_990_000_000_000n],
    ['1m30s', 1_699_999_910_000_000_000n],
  ];
  for (const [v, want] of cases) assert.equal(parseEventTime(v, now), want, v);
  assert.equal(parseEventTime(undefined), undefined);
  assert.equal(parseEventTime(''), undefined);
  assert.throws(() => parseEventTime('yesterday'), /failed to parse/);
});

test('publish gives Docker shape with legacy fields, strictly increasing times', () => {
  const bus = new EventsService();
  const seen: EventMessage[] = [];
  const it = bus.subscribe();
  void (async () => { for await (const e of it) seen.push(e); })();
  bus.publish('container', 'create', 'c1', { name: 'n', image: 'busybox' });
  bus.publish('network', 'create', 'n1', { name: 'net', type: 'bridge' });
  const [a, b] = bus.buffered();
  assert.equal(a.scope, 'local');
  assert.equal(a.status, 'create');
  assert.equal(a.id, 'c1');
  assert.equal(a.from, 'busybox');
  assert.equal(b.status, undefined);
  assert.ok(b.timeNano > a.timeNano);
  assert.equal(a.time, Math.floor(a.timeNano / 1e9));
  void it.return(undefined);
});

test('subscribe replays from since, follows live, ends at until', async () => {
  let t = 1_000_000_000_000_000_000n;
  const bus = new EventsService({ now: () => (t += 1_000_000_000n) });
  bus.publish('container', 'create', 'a'); // t=1.000000001e18 +1s
  bus.publish('container', 'start', 'a');
  bus.publish('container', 'die', 'a');
  const starts = bus.buffered().map((e) => BigInt(e.timeNano));
  // since the second event, until the third: replay only
  const got: string[] = [];
  for await (const e of bus.subscribe({ sinceNs: starts[1], untilNs: starts[2] })) got.push(e.Action);
  assert.deepEqual(got, ['start', 'die']);
  // live following with a filter, stopped by the signal
  const ac = new AbortController();
  const live: string[] = [];
  const done = (async () => { for await (const e of bus.subscribe({ filters: new Map([['event', ['destroy']]]), signal: ac.signal })) { live.push(e.Action); ac.abort(); } })();
  await new Promise((r) => setImmediate(r));
  bus.publish('container', 'stop', 'a');
  bus.publish('container', 'destroy', 'a');
  await done;
  assert.deepEqual(live, ['destroy']);
});

test('the ring is bounded', () => {
  const bus = new EventsService({ capacity: 3 });
  for (let i = 0; i < 5; i++) bus.publish('container', `a${i}`, 'x');
  assert.deepEqual(bus.buffered().map((e) => e.Action), ['a2', 'a3', 'a4']);
});
