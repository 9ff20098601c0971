/**
 * Running-container operations with the unmodified docker CLI: top, stats
 * (memory grows when the container allocates), pause/unpause, update,
 * restart policies (on-failure:N, always across a berthd kill -9),
 * HEALTHCHECK healthy/unhealthy with events, --init reaping zombies,
 * --stop-signal/--stop-timeout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon, until, sleep } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const ok = async (args: string[]) => { const r = await d.docker(args); assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`); return r.stdout.trim(); };
const toBytes = (s: string) => { const m = /^([\d.]+)([KMG]i?B|B)$/.exec(s)!; return parseFloat(m[1]) * ({ B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as Record<string, number>)[m[2]]; };

test('top lists the container processes; pause freezes, unpause thaws', async () => {
  await ok(['run', '-d', '--name', 'op1', 'busybox', 'sh', '-c', 'sleep 301']);
  const top = await ok(['top', 'op1']);
  assert.match(top.split('\n')[0], /PID/);
  assert.match(top, /sleep 301/);
  const custom = await ok(['top', 'op1', '-o', 'pid,comm']);
  assert.match(custom, /^PID\s+COMMAND/);
  await ok(['pause', 'op1']);
  assert.match(await ok(['ps', '--filter', 'name=op1', '--format', '{{.Status}}']), /\(Paused\)$/);
  const frozen = await d.docker(['exec', 'op1', 'true']);
  assert.equal(frozen.code, 1);
  assert.match(frozen.stderr, /is paused/);
  assert.notEqual((await d.docker(['pause', 'op1'])).code, 0);
  await ok(['unpause', 'op1']);
  assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', 'op1']), 'running');
  assert.match((await d.docker(['unpause', 'op1'])).stderr, /is not paused/);
  const ev = await ok(['events', '--since', '1m', '--until', ((Date.now() + 500) / 1000).toFixed(3), '--filter', 'container=op1', '--filter', 'event=pause', '--filter', 'event=unpause', '--format', '{{.Action}}']);
  assert.deepEqual(ev.split('\n'), ['pause', 'unpause']);
  await ok(['rm', '-f', 'op1']);
});

test('docker stats --no-stream: memory grows when the container allocates; API stream and one-shot', async () => {
  await ok(['run', '-d', '--name', 'st1', '-m', '128m', 'busybox', 'sleep', '300']);
  const mem = async () => (await ok(['stats', '--no-stream', '--format', '{{.MemUsage}}', 'st1'])).split(' / ');
  const [before, limit] = await mem();
  assert.equal(limit, '128MiB');
  await ok(['exec', 'st1', 'sh', '-c', 'head -c 40000000 /dev/zero > /dev/shm/fill']);
  const [afterFill] = await mem();
  assert.ok(toBytes(afterFill) - toBytes(before) > 30 * 1024 * 1024, `${before} → ${afterFill}`);
  const one = (await d.api('GET', '/v1.50/containers/st1/stats?stream=0&one-shot=1')).json();
  assert.equal(one.name, '/st1');
  assert.ok(one.memory_stats.usage > 30e6);
  assert.ok(one.pids_stats.current >= 1);
  assert.ok(one.cpu_stats.system_cpu_usage > 0);
  assert.equal(one.cpu_stats.online_cpus > 0, true);
  // stream: successive documents, precpu of the second = cpu of the first
  const ac = new AbortController();
  const docs: any[] = [];
  const { request } = await import('node:http');
  await new Promise<void>((resolve) => {
    const req = request({ socketPath: d.host.slice(7), path: '/v1.50/containers/st1/stats', signal: ac.signal }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => { buf += c; let i; while ((i = buf.indexOf('\n')) >= 0) { docs.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); if (docs.length === 2) { ac.abort(); resolve(); } } });
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
  assert.equal(docs.length, 2);
  assert.deepEqual(docs[1].precpu_stats, docs[0].cpu_stats);
  await ok(['rm', '-f', 'st1']);
});

test('update changes resources of a running container and its restart policy', async () => {
  await ok(['run', '-d', '--name', 'up1', '-m', '64m', 'busybox', 'sleep', '300']);
  await ok(['update', '--memory', '96m', '--memory-swap', '192m', '--restart', 'on-failure:3', 'up1']);
  assert.equal(await ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'up1']), `${96 * 1024 * 1024} on-failure 3`);
  assert.match(await ok(['stats', '--no-stream', '--format', '{{.MemUsage}}', 'up1']), / \/ 96MiB$/);
  const bad = await d.docker(['update', '--memory', '200m', 'up1']);
  assert.notEqual(bad.code, 0);
  await ok(['rm', '-f', 'up1']);
});

test('restart policies: on-failure:2 restarts twice then stays exited; always survives a berthd kill -9', async () => {
  await ok(['run', '-d', '--name', 'rp1', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']);
  await until(async () => (await ok(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'rp1'])) === '2 exited' || undefined, 15000);
  await sleep(1500);
  assert.equal(await ok(['inspect', '-f', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}', 'rp1']), '2 exited 3');
  const starts = await ok(['events', '--since', '1m', '--until', ((Date.now() + 500) / 1000).toFixed(3), '--filter', 'container=rp1', '--filter', 'event=start', '--format', '{{.Action}}']);
  assert.equal(starts.split('\n').length, 3);

  await ok(['run', '-d', '--name', 'rp2', '--restart', 'always', 'busybox', 'sleep', '300']);
  const pid = Number(await ok(['inspect', '-f', '{{.State.Pid}}', 'rp2']));
  await d.crash();
  process.kill(pid, 'SIGKILL'); // the container dies while berthd is down
  await sleep(300);
  await d.start();
  await until(async () => { const s = await ok(['inspect', '-f', '{{.State.Status}} {{.RestartCount}} {{.State.Pid}}', 'rp2']); return s.startsWith('running 1 ') && !s.endsWith(` ${pid}`) || undefined; }, 15000);
  await ok(['stop', '-t', '1', 'rp2']);
  await sleep(500);
  assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', 'rp2']), 'exited'); // a user stop is not restarted
  await ok(['rm', '-f', 'rp1', 'rp2']);
});

test('HEALTHCHECK: a passing test goes healthy, a failing one unhealthy, with log and events', async () => {
  await ok(['run', '-d', '--name', 'hc1', '--health-cmd', 'test -f /tmp/ready', '--health-interval', '200ms', '--health-retries', '2', '--health-start-period', '5s',
    'busybox', 'sh', '-c', 'sleep 1; touch /tmp/ready; sleep 300']);
  await ok(['run', '-d', '--name', 'hc2', '--health-cmd', 'echo nope; exit 1', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '300']);
  assert.match(await ok(['ps', '--filter', 'name=hc1', '--format', '{{.Status}}']), /health: starting|healthy/);
  await until(async () => (await ok(['inspect', '-f', '{{.State.Health.Status}}', 'hc1'])) === 'healthy' || undefined, 15000);
  await until(async () => (await ok(['inspect', '-f', '{{.State.Health.Status}}', 'hc2'])) === 'unhealthy' || undefined, 15000);
  assert.match(await ok(['ps', '--filter', 'name=hc1', '--format', '{{.Status}}']), /\(healthy\)$/);
  assert.match(await ok(['ps', '--filter', 'name=hc2', '--format', '{{.Status}}']), /\(unhealthy\)$/);
  const log = JSON.parse(await ok(['inspect', '-f', '{{json .State.Health}}', 'hc2']));
  assert.ok(log.FailingStreak >= 2);
  assert.equal(log.Log.at(-1).ExitCode, 1);
  assert.equal(log.Log.at(-1).Output, 'nope\n');
  assert.ok(log.Log.length <= 5);
  const ev = await ok(['events', '--since', '1m', '--until', ((Date.now() + 500) / 1000).toFixed(3), '--filter', 'event=health_status', '--format', '{{.Actor.Attributes.name}} {{.Action}}']);
  assert.ok(ev.split('\n').includes('hc1 health_status: healthy'), ev);
  assert.ok(!ev.split('\n').includes('hc1 health_status: unhealthy'), ev); // failures in the start period do not count
  assert.ok(ev.split('\n').includes('hc2 health_status: unhealthy'), ev);
  await ok(['rm', '-f', 'hc1', 'hc2']);
});

test('--init runs docker-init as PID 1 and reaps orphaned zombies', async () => {
  const zombies = async (init: boolean) => {
    await ok(['run', '-d', '--name', 'in1', ...(init ? ['--init'] : []), 'busybox', 'sh', '-c', '(sleep 0.2 &); exec sleep 60']);
    await sleep(1000);
    const ps = await ok(['exec', 'in1', 'ps', '-o', 'pid,stat,comm']);
    await ok(['rm', '-f', 'in1']);
    return ps;
  };
  const without = await zombies(false);
  assert.match(without, /\sZ\s+sleep/);
  const withInit = await zombies(true);
  assert.match(withInit, /^\s*1\s+S\s+docker-init$/m);
  assert.doesNotMatch(withInit, /\sZ\s/);
});

test('--stop-signal and --stop-timeout', async () => {
  await ok(['run', '-d', '--name', 'ss1', '--stop-signal', 'SIGUSR1', 'busybox', 'sh', '-c', 'trap "exit 42" USR1; while :; do sleep 0.1; done']);
  await ok(['stop', 'ss1']);
  assert.equal(await ok(['inspect', '-f', '{{.State.ExitCode}} {{.Config.StopSignal}}', 'ss1']), '42 SIGUSR1');
  await ok(['run', '-d', '--name', 'ss2', '--stop-timeout', '1', 'busybox', 'sleep', '300']);
  const t0 = Date.now();
  await ok(['stop', 'ss2']);
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 5000, `stop took ${took} ms`);
  assert.equal(await ok(['inspect', '-f', '{{.State.ExitCode}}', 'ss2']), '137');
  await ok(['rm', '-f', 'ss1', 'ss2']);
});

test('berth CLI: top, stats --no-stream, pause/unpause, update', async () => {
  const b = async (args: string[]) => { const r = await d.berth(args); assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`); return r.stdout; };
  await b(['run', '-d', '--name', 'bo1', '-m', '64m', 'busybox', 'sleep', '303']);
  assert.match(await b(['top', 'bo1']), /sleep 303/);
  const st = await b(['stats', '--no-stream', 'bo1']);
  assert.match(st.split('\n')[0], /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT/);
  assert.match(st, /bo1\s+\d+\.\d\d%\s+[\d.]+\w+ \/ 64MiB/);
  await b(['pause', 'bo1']);
  assert.equal((await b(['inspect', '-f', '{{.State.Status}}', 'bo1'])).trim(), 'paused');
  await b(['unpause', 'bo1']);
  await b(['update', '--memory', '80m', '--memory-swap', '160m', 'bo1']);
  assert.match(await b(['stats', '--no-stream', '--format', '{{.MemUsage}}', 'bo1']), / \/ 80MiB\n$/);
  await b(['rm', '-f', 'bo1']);
  await b(['run', '-d', '--name', 'bo2', '--init', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sleep', '300']);
  await until(async () => (await b(['inspect', '-f', '{{.State.Health.Status}}', 'bo2'])).trim() === 'healthy' || undefined, 15000);
  assert.match(await b(['exec', 'bo2', 'ps', '-o', 'pid,comm']), /^\s*1\s+docker-init$/m);
  await b(['rm', '-f', 'bo2']);
});
