/**
 * Log drivers and rotation with the docker CLI: `--log-opt max-size/max-file`
 * keep at most max-file files, `docker logs` reads them oldest first and
 * `logs -f` follows across rotations without losing a line; one file starts
 * over when full; `--log-driver none` refuses `logs` but attach still
 * prints; unknown drivers and options are refused; the daemon's
 * `--log-driver/--log-opt` are the defaults.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DOCKER, TestDaemon, until } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

/** A shell loop printing `line N` plus padding for N in [0, count), `pause` seconds apart, then sleeping. */
const printer = (count: number, pause: string) => ['sh', '-c', `i=0; while [ $i -lt ${count} ]; do echo "line $i ................................................"; i=$((i+1)); sleep ${pause}; done; echo done; sleep 60`];
const logFiles = (id: string) => readdirSync(join(d.dataRoot, 'containers', id)).filter((n) => n.startsWith('container.log'));
const numbers = (out: string) => out.split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.split(' ')[1]));

test('max-size + max-file rotate: at most max-file files, logs reads them oldest first, -f follows across rotations', async () => {
  const r = await d.docker(['run', '-d', '--name', 'rot', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', 'busybox', ...printer(300, '0.01')]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  // a follower from the start sees every line once, in order, across the rotations
  const follower = spawn(DOCKER, ['logs', '-f', 'rot'], { env: { ...process.env, ...d.env } });
  let followed = '';
  follower.stdout.on('data', (c: Buffer) => { followed += c.toString(); });
  try {
    await until(async () => /^done$/m.test((await d.docker(['logs', '--tail', '1', 'rot'])).stdout), 30000, 300);
    await until(() => /^done$/m.test(followed), 5000);
  } finally {
    follower.kill();
  }
  assert.deepEqual(numbers(followed), Array.from({ length: 300 }, (_, i) => i));

  const files = logFiles(id);
  assert.ok(files.length >= 2 && files.length <= 3, files.join(' '));
  const all = numbers((await d.docker(['logs', 'rot'])).stdout);
  assert.equal(all[all.length - 1], 299);
  assert.ok(all[0] > 0, 'the oldest lines were rotated away');
  assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => all[0] + i), 'what is kept is contiguous');
  assert.deepEqual(numbers((await d.docker(['logs', '--tail', '4', 'rot'])).stdout), [297, 298, 299], 'the last lines, then done');
  const ins = (await d.api('GET', '/containers/rot/json')).json();
  assert.deepEqual(ins.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '2k', 'max-file': '3' } });
  assert.equal((await d.docker(['rm', '-f', 'rot'])).code, 0);
});

test('one file (max-size alone) starts over when full', async () => {
  const r = await d.docker(['run', '-d', '--name', 'one', '--log-opt', 'max-size=4k', 'busybox', ...printer(300, '0')]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  await until(async () => /^done$/m.test((await d.docker(['logs', 'one'])).stdout), 20000, 300);
  assert.deepEqual(logFiles(id), ['container.log']);
  assert.ok(statSync(join(d.dataRoot, 'containers', id, 'container.log')).size <= 4096);
  const kept = numbers((await d.docker(['logs', 'one'])).stdout);
  assert.ok(kept[0] > 0 && kept[kept.length - 1] === 299, kept.join(','));
  assert.equal((await d.docker(['rm', '-f', 'one'])).code, 0);
});

test('--log-driver none: logs is refused, attach still prints; bad drivers and options are refused with no container', async () => {
  const run = await d.docker(['run', '--rm', '--log-driver', 'none', 'busybox', 'echo', 'still attached']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'still attached\n');
  assert.equal((await d.docker(['run', '-d', '--name', 'quiet', '--log-driver', 'none', 'busybox', 'sh', '-c', 'echo x; sleep 30'])).code, 0);
  const logs = await d.docker(['logs', 'quiet']);
  assert.notEqual(logs.code, 0);
  assert.match(logs.stderr, /configured logging driver does not support reading/);
  assert.equal((await d.docker(['rm', '-f', 'quiet'])).code, 0);

  for (const [flags, msg] of [
    [['--log-driver', 'syslog'], /syslog logging driver is not supported by berth/],
    [['--log-driver', 'nope'], /no log driver named 'nope'/],
    [['--log-opt', 'max-sise=1m'], /unknown log opt 'max-sise' for json-file log driver/],
    // dockerd 20.10 creates this one and fails `start` (500) with the same message
    [['--log-opt', 'max-size=-1'], /failed to initialize logging driver: invalid size: '-1'/],
  ] as const) {
    const c = await d.docker(['create', '--name', 'badlog', ...flags, 'busybox', 'true']);
    assert.notEqual(c.code, 0, flags.join(' '));
    assert.match(c.stderr, msg, flags.join(' '));
  }
  assert.equal((await d.api('GET', '/containers/badlog/json')).status, 404);
  assert.match((await d.docker(['info', '--format', '{{.LoggingDriver}}'])).stdout, /^json-file$/m);
});

test("the daemon's --log-driver and --log-opt are the defaults containers get", async () => {
  const l = new TestDaemon();
  try {
    await l.start(['--log-driver', 'local', '--log-opt', 'max-size=1m']);
    await l.importBusybox();
    assert.match((await l.docker(['info', '--format', '{{.LoggingDriver}}'])).stdout, /^local$/m);
    assert.equal((await l.docker(['create', '--name', 'c1', 'busybox', 'true'])).code, 0);
    assert.deepEqual((await l.api('GET', '/containers/c1/json')).json().HostConfig.LogConfig, { Type: 'local', Config: { 'max-size': '1m' } });
    assert.equal((await l.docker(['create', '--name', 'c2', '--log-opt', 'max-file=2', 'busybox', 'true'])).code, 0);
    assert.deepEqual((await l.api('GET', '/containers/c2/json')).json().HostConfig.LogConfig, { Type: 'local', Config: { 'max-size': '1m', 'max-file': '2' } });
    assert.equal((await l.docker(['create', '--name', 'c3', '--log-driver', 'json-file', 'busybox', 'true'])).code, 0);
    assert.deepEqual((await l.api('GET', '/containers/c3/json')).json().HostConfig.LogConfig, { Type: 'json-file', Config: {} });
  } finally {
    await l.cleanup();
  }
});

test('logs API as dockerd 20.10: tail=-1 or any unparsable tail is every line; follow of a quiet container answers its headers at once; a follow of a created one ends at once', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'tails', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo n$i; done; sleep 300'])).code, 0);
  await until(async () => (await d.api('GET', '/containers/tails/logs?stdout=1')).body.toString().includes('n3'));
  const body = (q: string) => d.api('GET', `/containers/tails/logs?stdout=1&${q}`).then((r) => ({ status: r.status, lines: r.body.toString().match(/n\d/g) }));
  // dockerd: strconv.Atoi fails or is negative → -1 → all lines (testcontainers sends tail=-1 with a fractional since)
  for (const q of ['tail=-1', 'tail=all', 'tail=', 'tail=abc', `tail=-1&since=${(Date.now() / 1000 - 60).toFixed(3)}`]) assert.deepEqual(await body(q), { status: 200, lines: ['n1', 'n2', 'n3'] }, q);
  assert.deepEqual(await body('tail=2'), { status: 200, lines: ['n2', 'n3'] });
  assert.deepEqual(await body('tail=0'), { status: 200, lines: null });

  // follow: the status line and headers come before any log line (dockerd flushes them first); dockerode's
  // logs({follow: true}) resolves only then — berth held them until the first line, forever on a quiet container
  assert.equal((await d.docker(['run', '-d', '--name', 'quiet', 'busybox', 'sleep', '300'])).code, 0);
  const { request } = await import('node:http');
  const head = await new Promise<{ status: number; type: string }>((resolve, reject) => {
    const req = request({ socketPath: d.sock, path: '/containers/quiet/logs?follow=1&stdout=1&stderr=1', agent: false }, (res) => { resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']) }); req.destroy(); });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('no response head within 5 s')));
    req.end();
  });
  assert.deepEqual(head, { status: 200, type: 'application/vnd.docker.multiplexed-stream' });
  assert.equal((await d.api('GET', '/containers/nosuch/logs?follow=1&stdout=1')).status, 404, 'errors still come before the headers');
  // dockerd follows only a container running at the request: a created (never started) one's follow ends at once, empty
  assert.equal((await d.docker(['create', '--name', 'idle', 'busybox', 'true'])).code, 0);
  const idle = await d.api('GET', '/containers/idle/logs?follow=1&stdout=1');
  assert.deepEqual([idle.status, idle.body.length], [200, 0]);
  await d.docker(['rm', '-f', 'tails', 'quiet', 'idle']);
});
