/**
 * The engine-core walkthrough, run twice: with the unmodified docker CLI and
 * with the berth CLI, each against a real berthd on a temporary root.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon, type RunResult } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

for (const cliName of ['docker', 'berth'] as const) {
  const cli = (args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult> => (cliName === 'docker' ? d.docker(args, opts) : d.berth(args, opts));
  const w = `w1-${cliName}`;
  const t = `t1-${cliName}`;

  test(`${cliName}: run --rm busybox echo hello prints hello`, async () => {
    const r = await cli(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
  });

  test(`${cliName}: run returns the container's exit status`, async () => {
    const r = await cli(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3, r.stderr);
  });

  test(`${cliName}: stdout and stderr stay separate`, async () => {
    const r = await cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err$/m);
  });

  test(`${cliName}: --rm removes the container`, async () => {
    const before = (await d.api('GET', '/containers/json?all=1')).json<unknown[]>().length;
    await cli(['run', '--rm', '--name', `rm-${cliName}`, 'busybox', 'true']);
    const after = (await d.api('GET', '/containers/json?all=1')).json<{ Names: string[] }[]>();
    assert.equal(after.length, before);
    assert.ok(!after.some((c) => c.Names.includes(`/rm-${cliName}`)));
  });

  test(`${cliName}: detached run, ps, logs, stop (137 after the timeout), inspect, rm`, async () => {
    const run = await cli(['run', '-d', '--name', w, 'busybox', 'sh', '-c', 'echo started; exec sleep 300']);
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    assert.match(id, /^[a-f0-9]{64}$/);

    const ps = await cli(['ps']);
    assert.equal(ps.code, 0);
    assert.match(ps.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/m);
    assert.match(ps.stdout, new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+.*Up .*${w}$`, 'm'));

    let logs: RunResult;
    const deadline = Date.now() + 5000;
    do { logs = await cli(['logs', w]); } while (logs.stdout !== 'started\n' && Date.now() < deadline);
    assert.equal(logs.stdout, 'started\n');

    // sleep as PID 1 ignores SIGTERM: the stop times out and SIGKILL ends it
    const t0 = Date.now();
    const stop = await cli(['stop', '-t', '2', w]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout.trim(), w);
    assert.ok(Date.now() - t0 >= 1900, 'stop waited for the timeout');

    const psa = await cli(['ps', '-a', '--filter', `name=${w}`]);
    assert.match(psa.stdout, /Exited \(137\)/);

    const insp = await cli(['inspect', w]);
    assert.equal(insp.code, 0);
    const info = JSON.parse(insp.stdout)[0];
    assert.equal(info.Id, id);
    assert.equal(info.Name, `/${w}`);
    assert.equal(info.State.Status, 'exited');
    assert.equal(info.State.ExitCode, 137);
    assert.equal(info.State.Running, false);
    assert.deepEqual(info.Config.Cmd, ['sh', '-c', 'echo started; exec sleep 300']);

    const rm = await cli(['rm', w]);
    assert.equal(rm.code, 0, rm.stderr);
    const gone = await cli(['inspect', w]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /No such (container|object)/i);
  });

  test(`${cliName}: a process that traps TERM exits with its own status on stop`, async () => {
    const run = await cli(['run', '-d', '--name', t, 'busybox', 'sh', '-c', 'trap "exit 42" TERM; echo ready; while true; do sleep 0.1; done']);
    assert.equal(run.code, 0, run.stderr);
    const deadline = Date.now() + 5000;
    while ((await cli(['logs', t])).stdout !== 'ready\n' && Date.now() < deadline);
    const t0 = Date.now();
    assert.equal((await cli(['stop', t])).code, 0);
    assert.ok(Date.now() - t0 < 5000, 'stopped well before the 10 s timeout');
    const insp = JSON.parse((await cli(['inspect', t])).stdout)[0];
    assert.equal(insp.State.ExitCode, 42);
    assert.equal((await cli(['rm', t])).code, 0);
  });

  test(`${cliName}: images lists busybox; tag and rmi`, async () => {
    const imgs = await cli(['images']);
    assert.match(imgs.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/m);
    assert.match(imgs.stdout, /^busybox\s+latest\s+[a-f0-9]{12}\s+/m);
    assert.equal((await cli(['tag', 'busybox', `extra-${cliName}:v1`])).code, 0);
    assert.match((await cli(['images'])).stdout, new RegExp(`^extra-${cliName}\\s+v1\\s`, 'm'));
    const rmi = await cli(['rmi', `extra-${cliName}:v1`]);
    assert.equal(rmi.code, 0, rmi.stderr);
    assert.match(rmi.stdout, new RegExp(`Untagged: extra-${cliName}:v1`));
    assert.doesNotMatch((await cli(['images'])).stdout, new RegExp(`extra-${cliName}`));
  });

  test(`${cliName}: kill, restart, wait, rename`, async () => {
    const name = `k-${cliName}`;
    assert.equal((await cli(['run', '-d', '--name', name, 'busybox', 'sleep', '300'])).code, 0);
    assert.equal((await cli(['restart', '-t', '0', name])).code, 0);
    const st = JSON.parse((await cli(['inspect', name])).stdout)[0].State;
    assert.equal(st.Running, true);
    assert.equal((await cli(['rename', name, `${name}-new`])).code, 0);
    const waiting = cli(['wait', `${name}-new`]);
    assert.equal((await cli(['kill', '-s', 'KILL', `${name}-new`])).code, 0);
    const w2 = await waiting;
    assert.equal(w2.stdout.trim(), '137');
    assert.equal((await cli(['rm', `${name}-new`])).code, 0);
  });

  test(`${cliName}: errors for unknown images and containers`, async () => {
    const r = await cli(['run', '--rm', 'nosuchimage-xyz']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /nosuchimage-xyz/);
    const s = await cli(['stop', 'no-such-container-xyz']);
    assert.notEqual(s.code, 0);
    assert.match(s.stderr, /No such container: no-such-container-xyz/);
  });
}
