/**
 * docker-compose v1 (Debian's 1.29.2, Python, docker-py 5) against a real
 * berthd: a project of two services — `web`, busybox httpd on a published
 * random host port with a named volume and a healthcheck, and `client`,
 * which waits for web to be healthy (`condition: service_healthy`, file
 * format 2.4) and fetches from it by service name on the project network —
 * through up -d, ps, logs, exec -T, run --rm (also of a running service,
 * whose one-off compose links to it on the project network), port, stop, start, restart,
 * a recreate on a config change, --scale, pause, top and down -v
 * (containers, network and volume gone, checked through the API); `build`
 * of a service with a build context; attached `up --exit-code-from`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, run, until, type RunResult } from './harness.js';
import { httpGet } from './net-helpers.js';

const d = new TestDaemon();
const project = `bcc${d.root.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, '0')}`;
let dir: string;

/** `nc` instead of wget: busybox wget segfaults now and then on this machine. */
const FETCH = `for i in 1 2 3 4 5; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 $$TARGET 3000 > /tmp/out && grep -q '^HTTP/1' /tmp/out && tail -n 1 /tmp/out && exit 0; sleep 1; done; exit 1`;

const COMPOSE_YML = `version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo \\"hello from $$GREETING\\" > /www/index.html && cp /www/index.html /data/index.html && echo $$GREETING >> /data/starts && exec httpd -f -p 3000 -h /www"]
    environment:
      GREETING: compose
    labels:
      com.example.role: web
    ports:
      - "127.0.0.1::3000"
    volumes:
      - webdata:/data
    healthcheck:
      test: ["CMD-SHELL", "printf 'GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n' | nc -w 2 127.0.0.1 3000 | grep -q '200 OK'"]
      interval: 1s
      timeout: 3s
      retries: 20
  client:
    image: busybox
    depends_on:
      web:
        condition: service_healthy
    environment:
      TARGET: web
    labels:
      com.example.role: client
    command: ["sh", "-c", "${FETCH}"]
volumes:
  webdata: {}
`;

/**
 * docker-compose as installed: `run` and `exec` go through the docker CLI
 * (compose's default); `noCli` sets COMPOSE_INTERACTIVE_NO_CLI=1, compose's
 * own docker-py/dockerpty path.
 */
function compose(args: string[], opts: { cwd?: string; timeoutMs?: number; noCli?: boolean; apiVersion?: string } = {}): Promise<RunResult> {
  return run('docker-compose', args, {
    cwd: opts.cwd ?? dir, timeoutMs: opts.timeoutMs ?? 120000,
    env: { DOCKER_HOST: d.host, COMPOSE_PROJECT_NAME: project, ...(opts.noCli ? { COMPOSE_INTERACTIVE_NO_CLI: '1' } : {}), ...(opts.apiVersion ? { COMPOSE_API_VERSION: opts.apiVersion } : {}) },
  });
}

async function ok(args: string[], opts: { cwd?: string; noCli?: boolean; apiVersion?: string } = {}): Promise<RunResult> {
  const r = await compose(args, opts);
  assert.equal(r.code, 0, `docker-compose ${args.join(' ')}: ${r.stderr}\n${r.stdout}`);
  return r;
}

interface Summary { Id: string; Names: string[]; State: string; Status: string; Labels: Record<string, string> }

async function projectContainers(): Promise<Summary[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));
  return (await d.api('GET', `/containers/json?all=1&filters=${filters}`)).json<Summary[]>();
}

const byService = async (svc: string) => (await projectContainers()).filter((c) => c.Labels['com.docker.compose.service'] === svc && c.Labels['com.docker.compose.oneoff'] !== 'True');

before(async () => {
  await d.start();
  await d.importBusybox();
  dir = join(d.root, 'project');
  mkdirSync(dir);
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE_YML);
});
after(async () => { await d.cleanup(); });

test('docker-compose version talks to berthd', async () => {
  const r = await run('docker-compose', ['version'], { env: { DOCKER_HOST: d.host } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^docker-compose version 1\.29\.\d/m);
});

test('up -d: web becomes healthy, then client fetches from http://web:3000 by service name', async () => {
  const up = await ok(['up', '-d']);
  assert.match(up.stderr, new RegExp(`Creating network "${project}_default" with the default driver`));
  assert.match(up.stderr, new RegExp(`Creating volume "${project}_webdata" with default driver`));
  const [web] = await byService('web');
  assert.equal(web.State, 'running');
  assert.match(web.Status, /\(healthy\)$/, 'client started only after web was healthy');
  assert.equal(web.Labels['com.example.role'], 'web');
  assert.deepEqual(web.Names, [`/${project}_web_1`]);
  const [client] = await byService('client');
  assert.equal(client.Labels['com.example.role'], 'client');
  const exited = await until(async () => (await d.api('GET', `/containers/${client.Id}/json`)).json().State.Status === 'exited');
  assert.ok(exited);
  assert.equal((await d.api('GET', `/containers/${client.Id}/json`)).json().State.ExitCode, 0);

  const info = (await d.api('GET', `/containers/${web.Id}/json`)).json();
  assert.ok(info.Config.Env.includes('GREETING=compose'));
  assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [`${project}_default`]);
  assert.ok(info.NetworkSettings.Networks[`${project}_default`].Aliases.includes('web'));
  assert.deepEqual(info.Mounts.map((m: { Type: string; Name: string; Destination: string }) => [m.Type, m.Name, m.Destination]), [['volume', `${project}_webdata`, '/data']]);
  assert.equal(info.State.Health.Status, 'healthy');

  // depends_on condition: service_healthy — the client started after web's health_status: healthy event
  const filters = encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }));
  const evs = (await d.api('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${filters}`)).body.toString().trim().split('\n').map((l) => JSON.parse(l) as { Action: string; Actor: { ID: string } });
  const healthy = evs.findIndex((e) => e.Actor.ID === web.Id && e.Action === 'health_status: healthy');
  const clientStart = evs.findIndex((e) => e.Actor.ID === client.Id && e.Action === 'start');
  assert.ok(healthy >= 0 && clientStart > healthy, JSON.stringify(evs.map((e) => [e.Actor.ID.slice(0, 6), e.Action])));
});

test('ps lists both services with state and ports; logs shows what the client fetched', async () => {
  const ps = await ok(['ps']);
  const port = (await d.api('GET', `/containers/${project}_web_1/json`)).json().NetworkSettings.Ports['3000/tcp'][0].HostPort as string;
  assert.match(ps.stdout, new RegExp(`^${project}_web_1\\s+.*Up \\(healthy\\)\\s+127\\.0\\.0\\.1:${port}->3000/tcp\\s*$`, 'm'));
  assert.match(ps.stdout, new RegExp(`^${project}_client_1\\s+.*Exit 0\\s*$`, 'm'));
  const q = await ok(['ps', '-q']);
  assert.equal(q.stdout.trim().split('\n').length, 2);
  const logs = await ok(['logs', '--no-color', 'client']);
  assert.equal(logs.stdout, `Attaching to ${project}_client_1\nclient_1  | hello from compose\n`);
});

test('exec -T web cat reads the named volume; run --rm client fetches again and leaves nothing', async () => {
  const ex = await ok(['exec', '-T', 'web', 'cat', '/data/index.html']);
  assert.equal(ex.stdout, 'hello from compose\n');
  // compose's own exec (docker-py's exec socket through dockerpty) instead of the docker CLI
  const own = await ok(['exec', '-T', 'web', 'sh', '-c', 'cat /data/index.html; echo to-stderr >&2; exit 0'], { noCli: true });
  // (dockerpty demuxes both streams of a non-tty exec onto its stdout)
  assert.equal(own.stdout, 'hello from compose\nto-stderr\n');
  const failing = await compose(['exec', '-T', 'web', 'sh', '-c', 'exit 6'], { noCli: true });
  assert.equal(failing.code, 6, 'the exec\'s exit code (exec inspect)');
  const before = (await projectContainers()).length;
  const r = await ok(['run', '--rm', '--no-deps', 'client', 'sh', '-c', `echo "target=$TARGET"; ${FETCH.replace(/\$\$/g, '$')}`]);
  assert.equal(r.stdout, 'target=web\nhello from compose\n');
  assert.equal((await projectContainers()).length, before, 'run --rm removed its container');
});

test('run --rm web on the project network while web_1 runs: compose sends HostConfig.Links for the one-off, accepted and ignored as dockerd does', async () => {
  // compose 1.29 links a one-off to its own service's running containers (HostConfig.Links
  // `<project>_web_1:web`, `…:web_1`, `…:<project>_web_1`) with NetworkMode `<project>_default`.
  // dockerd 20.10 accepts legacy links with a user-defined network mode and ignores them (no
  // WEB_* variables, no hosts lines, inspect shows HostConfig.Links null); names resolve through
  // the embedded DNS (the service alias `web`). berth refused it with "legacy links (--link) are
  // supported on the default bridge network only".
  const before = (await projectContainers()).length;
  const r = await ok(['run', '--rm', 'web', 'sh', '-c', `echo "vars=$(env | grep -c ^WEB_)"; grep -c web_1 /etc/hosts; TARGET=web; ${FETCH.replace(/\$\$/g, '$')}`]);
  assert.equal(r.stdout, 'vars=0\n0\nhello from compose\n');
  assert.equal((await projectContainers()).length, before, 'run --rm removed its container');
  // a detached one-off to look at: the links it was created with are not kept
  const det = await ok(['run', '-d', 'web', 'sleep', '60']);
  const name = det.stdout.trim();
  try {
    const info = (await d.api('GET', `/containers/${name}/json`)).json();
    assert.equal(info.HostConfig.Links, null);
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [`${project}_default`]);
    assert.ok(!info.Config.Env.some((e: string) => e.startsWith('WEB_')), info.Config.Env.join(' '));
  } finally {
    await d.api('DELETE', `/containers/${name}?force=1`);
  }
});

test('port web 3000 gives the published address, which serves the page', async () => {
  const r = await ok(['port', 'web', '3000']);
  const m = /^127\.0\.0\.1:(\d+)\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const page = await httpGet('127.0.0.1', Number(m[1]));
  assert.match(page, /^HTTP\/1\.[01] 200/);
  assert.match(page, /hello from compose\n$/);
});

test('stop, start, restart', async () => {
  await ok(['stop', '-t', '1']);
  for (const c of await projectContainers()) assert.equal(c.State, 'exited', c.Names[0]);
  const [stopped] = await byService('web');
  const startedBefore = (await d.api('GET', `/containers/${stopped.Id}/json`)).json().State.StartedAt as string;
  await ok(['start']);
  const [web] = await byService('web');
  assert.equal(web.Id, stopped.Id, 'the same container starts again');
  assert.equal(web.State, 'running');
  const restartedAt = (await d.api('GET', `/containers/${web.Id}/json`)).json().State.StartedAt as string;
  assert.ok(restartedAt > startedBefore);
  await ok(['restart', '-t', '1', 'web']);
  const after = (await d.api('GET', `/containers/${web.Id}/json`)).json().State;
  assert.equal(after.Status, 'running');
  assert.ok(after.StartedAt > restartedAt);
  const ex = await ok(['exec', '-T', 'web', 'cat', '/data/starts']);
  assert.equal(ex.stdout, 'compose\ncompose\ncompose\n', 'one line per start: up, start, restart');
});

test('up -d after a config change recreates web, keeping its volume (COMPOSE_API_VERSION=1.44, as dockerd >= 25 needs); --scale, pause, top', async () => {
  const [old] = await byService('web');
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE_YML.replace('GREETING: compose', 'GREETING: recreated'));
  // compose v1 reads the image's ContainerConfig when it recreates; dockerd (and berth) send it to API < 1.45 only
  const up = await ok(['up', '-d', '-t', '1'], { apiVersion: '1.44' });
  assert.match(up.stderr, new RegExp(`Recreating ${project}_web_1 \\.\\.\\. done`));
  const [web] = await byService('web');
  assert.notEqual(web.Id, old.Id);
  assert.equal((await d.api('GET', `/containers/${old.Id}/json`)).status, 404, 'the old container is gone');
  const starts = await ok(['exec', '-T', 'web', 'cat', '/data/starts']);
  assert.equal(starts.stdout, 'compose\ncompose\ncompose\nrecreated\n', 'the named volume kept what the earlier containers wrote');
  const [client] = await byService('client');
  await until(async () => (await d.api('GET', `/containers/${client.Id}/json`)).json().State.Status === 'exited', 30000);
  const logs = await ok(['logs', '--no-color', '--tail', '1', 'client']);
  assert.match(logs.stdout, /^client_1 +\| hello from recreated$/m);

  const scaled = await ok(['up', '-d', '--scale', 'web=2', '--no-recreate'], { apiVersion: '1.44' });
  assert.match(scaled.stderr, new RegExp(`Creating ${project}_web_2 \\.\\.\\. done`));
  const port2 = await ok(['port', '--index', '2', 'web', '3000']);
  const m = /^127\.0\.0\.1:(\d+)\n$/.exec(port2.stdout);
  assert.ok(m, port2.stdout);
  assert.match(await httpGet('127.0.0.1', Number(m[1])), /hello from recreated\n$/);
  await ok(['pause', 'web']);
  for (const c of await byService('web')) assert.equal(c.State, 'paused', c.Names[0]);
  await ok(['unpause', 'web']);
  const top = await ok(['top', 'web']);
  assert.equal(top.stdout.match(/httpd -f -p 3000/g)?.length, 2, top.stdout);
  writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE_YML);
});

test('down -v removes the containers, the network and the volume', async () => {
  const ids = (await projectContainers()).map((c) => c.Id);
  assert.equal(ids.length, 3);
  const down = await ok(['down', '-v', '-t', '1']);
  assert.match(down.stderr, new RegExp(`Removing network ${project}_default`));
  assert.match(down.stderr, new RegExp(`Removing volume ${project}_webdata`));
  assert.deepEqual(await projectContainers(), []);
  for (const id of ids) assert.equal((await d.api('GET', `/containers/${id}/json`)).status, 404);
  assert.equal((await d.api('GET', `/networks/${project}_default`)).status, 404);
  assert.equal((await d.api('GET', `/volumes/${project}_webdata`)).status, 404);
  const nets = (await d.api('GET', '/networks')).json<{ Name: string }[]>().map((n) => n.Name).sort();
  assert.deepEqual(nets, ['bridge', 'host', 'none']);
});

test('build of a service with a build context, run it, down --rmi local removes the image', async () => {
  const bdir = join(d.root, 'buildproj');
  mkdirSync(join(bdir, 'app'), { recursive: true });
  writeFileSync(join(bdir, 'app', 'Dockerfile'), 'FROM busybox\nARG FLAVOUR=plain\nCOPY msg.txt /msg.txt\nRUN echo "flavour $FLAVOUR" >> /msg.txt\nCMD ["cat", "/msg.txt"]\n');
  writeFileSync(join(bdir, 'app', 'msg.txt'), 'built by compose\n');
  writeFileSync(join(bdir, 'docker-compose.yml'), 'version: "3.8"\nservices:\n  app:\n    build:\n      context: ./app\n      args:\n        FLAVOUR: spicy\n      labels:\n        com.example.built: "yes"\n');
  const b = await ok(['build'], { cwd: bdir });
  assert.match(b.stdout + b.stderr, /Successfully built [0-9a-f]{12}/);
  assert.match(b.stdout + b.stderr, new RegExp(`Successfully tagged ${project}_app:latest`));
  const img = (await d.api('GET', `/images/${project}_app:latest/json`)).json();
  assert.equal(img.Config.Labels['com.example.built'], 'yes');
  const r = await ok(['run', '--rm', 'app'], { cwd: bdir });
  assert.equal(r.stdout, 'built by compose\nflavour spicy\n');
  const down = await ok(['down', '--rmi', 'local', '-v'], { cwd: bdir });
  assert.match(down.stderr, new RegExp(`Removing image ${project}_app`));
  assert.equal((await d.api('GET', `/images/${project}_app:latest/json`)).status, 404);
  assert.deepEqual(await projectContainers(), []);
  assert.equal((await d.api('GET', `/networks/${project}_default`)).status, 404);
});

test('up --exit-code-from: attached output of both services, compose exits with the client\'s status and stops the rest', async () => {
  const edir = join(d.root, 'exitproj');
  mkdirSync(edir);
  writeFileSync(join(edir, 'docker-compose.yml'), `version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo web-up; echo index-page > /tmp/index.html; exec httpd -f -p 3000 -h /tmp"]
    stop_grace_period: 1s
  client:
    image: busybox
    depends_on: [web]
    environment:
      TARGET: web
    command: ["sh", "-c", "(${FETCH}) && exit 3"]
`);
  const r = await compose(['up', '--no-color', '--exit-code-from', 'client'], { cwd: edir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /^web_1 +\| web-up$/m);
  assert.match(r.stdout, /^client_1 +\| index-page$/m);
  assert.match(r.stdout, new RegExp(`^${project}_client_1 exited with code 3$`, 'm'));
  const states = (await projectContainers()).map((c) => [c.Labels['com.docker.compose.service'], c.State]).sort();
  assert.deepEqual(states, [['client', 'exited'], ['web', 'exited']]);
  await ok(['down'], { cwd: edir });
  assert.deepEqual(await projectContainers(), []);
});
