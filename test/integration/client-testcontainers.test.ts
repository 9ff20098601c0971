/**
 * Testcontainers for Node (npm `testcontainers` 11, on dockerode) against a
 * real berthd, as a test suite uses it: GenericContainer on busybox with the
 * default wait strategy, with Wait.forLogMessage (a line printed before and
 * after the log follow starts, a count, a container that exits without it),
 * and with an exposed port (busybox httpd) reached from the host through the
 * mapped port. Ryuk (its reaper image) cannot be pulled offline:
 * TESTCONTAINERS_RYUK_DISABLED=true, and the test stops what it starts.
 *
 * What testcontainers needs from the engine, and dockerd 20.10 does:
 * - its port check execs `/bin/sh -c …`, `/bin/sh -c nc …` and `/bin/bash -c
 *   </dev/tcp/…` at once, attached without an upgrade, and reads each exit
 *   code: dockerd answers 200 for every one, writes "OCI runtime exec failed:
 *   … stat /bin/bash: no such file or directory: unknown" into the missing
 *   shell's stream and reports ExitCode 126 (berth answered HTTP 400);
 * - its log wait follows `logs?follow=1&tail=-1&since=<start, fractional
 *   seconds>`: dockerd takes tail=-1 as every line (berth refused it with
 *   400, which testcontainers saw as the log stream ending before the line).
 */
import { test, before, after } from 'node:test';
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { TestDaemon } from './harness.js';
import { httpGet } from './net-helpers.js';

const d = new TestDaemon();
// testcontainers picks its engine from DOCKER_HOST on first use (its EnvironmentStrategy): this test daemon's socket
process.env.DOCKER_HOST = d.host;
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
const started: StartedTestContainer[] = [];

before(async () => { await d.start(); await d.importBusybox(); });
after(async () => {
  for (const c of started) await c.stop({ timeout: 1 }).catch(() => undefined);
  await d.cleanup();
});

async function start(c: GenericContainer): Promise<StartedTestContainer> {
  const s = await c.start();
  started.push(s);
  return s;
}

test('GenericContainer busybox with the default wait strategy starts, execs, stops and is removed', async () => {
  const c = await start(new GenericContainer('busybox').withCommand(['sleep', '300']).withLabels({ 'com.example.tc': 'default' }));
  const info = (await d.api('GET', `/containers/${c.getId()}/json`)).json();
  assert.equal(info.State.Status, 'running');
  assert.equal(info.Config.Labels['com.example.tc'], 'default');
  assert.equal(info.Config.Labels['org.testcontainers'], 'true');
  const ex = await c.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual([ex.exitCode, ex.stdout, ex.stderr], [3, 'out\n', 'err\n']);
  // the port check's missing shell: the exec runs and reports 126, as on dockerd
  const bash = await c.exec(['/bin/bash', '-c', 'true']);
  assert.equal(bash.exitCode, 126);
  assert.match(bash.output, /OCI runtime exec failed: .*stat \/bin\/bash: no such file or directory: unknown/);
  await c.stop({ timeout: 1 });
  assert.equal((await d.api('GET', `/containers/${c.getId()}/json`)).status, 404, 'stop removes the container');
});

test('Wait.forLogMessage: a line printed after the follow began, one printed at once, a count of lines', async () => {
  const late = await start(new GenericContainer('busybox').withCommand(['sh', '-c', 'sleep 1; echo "server ready"; sleep 300']).withWaitStrategy(Wait.forLogMessage('server ready')).withStartupTimeout(20000));
  const logs = (await d.api('GET', `/containers/${late.getId()}/logs?stdout=1`)).body.toString();
  assert.match(logs, /server ready/);
  const early = await start(new GenericContainer('busybox').withCommand(['sh', '-c', 'echo up-now; sleep 300']).withWaitStrategy(Wait.forLogMessage(/^up-now$/)).withStartupTimeout(20000));
  assert.equal((await d.api('GET', `/containers/${early.getId()}/json`)).json().State.Status, 'running');
  const counted = await start(new GenericContainer('busybox').withCommand(['sh', '-c', 'for i in 1 2 3; do echo tick $i >&2; sleep 0.3; done; sleep 300']).withWaitStrategy(Wait.forLogMessage('tick', 3)).withStartupTimeout(20000));
  assert.match((await d.api('GET', `/containers/${counted.getId()}/logs?stderr=1`)).body.toString(), /tick 3/);
  for (const c of [late, early, counted]) await c.stop({ timeout: 1 });
});

test('Wait.forLogMessage on a container that exits without the line fails with the stream ended (dockerd ends a follow at the exit)', async () => {
  const c = new GenericContainer('busybox').withCommand(['sh', '-c', 'echo something else; sleep 1']).withWaitStrategy(Wait.forLogMessage('never printed')).withStartupTimeout(20000);
  const t0 = Date.now();
  await assert.rejects(c.start(), /Log stream ended and message "never printed" was not received/);
  assert.ok(Date.now() - t0 < 15000, 'ended with the container, not at the startup timeout');
});

test('an exposed port: the default wait (host and internal port checks) passes and busybox httpd answers on the mapped host port', async () => {
  const c = await start(new GenericContainer('busybox').withExposedPorts(80).withCommand(['sh', '-c', 'echo hello-testcontainers > /tmp/index.html; exec httpd -f -p 80 -h /tmp']).withStartupTimeout(30000));
  const port = c.getMappedPort(80);
  assert.ok(port > 0);
  const info = (await d.api('GET', `/containers/${c.getId()}/json`)).json();
  assert.equal(info.NetworkSettings.Ports['80/tcp'][0].HostPort, String(port));
  // testcontainers' host for a unix-socket engine: localhost, or — in a container (/.dockerenv, as on
  // this machine) — the gateway of the engine's bridge network; the page is served at both
  const gateway = (await d.api('GET', '/networks/bridge')).json().IPAM.Config[0].Gateway as string;
  assert.equal(c.getHost(), existsSync('/.dockerenv') ? gateway : 'localhost');
  for (const host of ['127.0.0.1', c.getHost()]) {
    const page = await httpGet(host, port);
    assert.match(page, /^HTTP\/1\.[01] 200/, host);
    assert.match(page, /hello-testcontainers\n$/, host);
  }
  await c.stop({ timeout: 1 });
});
