import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { encodeFrame } from '../api/stdcopy.js';
import { runCli } from './main.js';

let dir: string;
let sock: string;
let server: http.Server;
const calls: string[] = [];
const ID = 'a1b2c3d4e5f6'.padEnd(64, '0');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  sock = join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    const path = (req.url ?? '').replace(/\?.*$/, '');
    calls.push(`${req.method} ${req.url}`);
    req.resume();
    const json = (status: number, body: unknown) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (path === '/v1.50/containers/create') {
      if ((req.url ?? '').includes('name=missing-image')) return json(404, { message: 'No such image: nothere:latest' });
      return json(201, { Id: ID, Warnings: [] });
    }
    if (path === `/v1.50/containers/${ID}/start`) { res.writeHead(204); return res.end(); }
    if (path === `/v1.50/containers/${ID}/wait`) { res.writeHead(200); res.flushHeaders(); return setTimeout(() => res.end('{"StatusCode":7}'), 30); }
    if (path === '/v1.50/containers/json') {
      return json(200, [{ Id: ID, Names: ['/web'], Image: 'busybox', ImageID: 'sha256:x', Command: 'sleep 1000', Created: Math.floor(Date.now() / 1000) - 5,
        Ports: [], Labels: {}, State: 'running', Status: 'Up 5 seconds', HostConfig: {}, NetworkSettings: null, Mounts: [] }]);
    }
    if (path === '/v1.50/images/create' && (req.url ?? '').includes('fromImage=nothere')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ status: 'Pulling from library/nothere', id: 'latest' }) + '\r\n' + JSON.stringify({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }) + '\r\n');
    }
    if (path === '/v1.50/containers/gone/stop') return json(404, { message: 'No such container: gone' });
    json(404, { message: 'page not found' });
  });
  server.on('upgrade', (req, socket) => {
    calls.push(`UPGRADE ${req.url}`);
    socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    setTimeout(() => socket.end(Buffer.concat([encodeFrame(1, 'to stdout\n'), encodeFrame(2, 'to stderr\n')])), 20);
  });
  await new Promise<void>((r) => server.listen(sock, r));
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli(['-H', `unix://${sock}`, ...args], { stdout, stderr, stdin: Readable.from([]), env: {} });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

test('run: attach, wait before start, stream output, exit with the container status', async () => {
  calls.length = 0;
  const r = await cli('run', '--rm', 'busybox', 'sh', '-c', 'echo hi');
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'to stdout\n');
  assert.equal(r.stderr, 'to stderr\n');
  const order = calls.map((c) => c.replace(/\?.*$/, ''));
  assert.deepEqual(order, ['POST /v1.50/containers/create', `UPGRADE /v1.50/containers/${ID}/attach`, `POST /v1.50/containers/${ID}/wait`, `POST /v1.50/containers/${ID}/start`]);
  assert.ok(calls[2].endsWith('condition=removed'));
});

test('run -d prints the full ID', async () => {
  const r = await cli('run', '-d', 'busybox');
  assert.deepEqual([r.code, r.stdout], [0, `${ID}\n`]);
});

test('run --pull=never with a missing image: docker wording, status 125', async () => {
  const r = await cli('run', '--pull=never', '--name', 'missing-image', 'nothere');
  assert.equal(r.code, 125);
  assert.equal(r.stderr, "Unable to find image 'nothere:latest' locally\nberth: Error response from daemon: No such image: nothere:latest\nSee 'berth run --help'.\n");
});

test('run with a missing image pulls it (pull=missing) and reports the pull error', async () => {
  calls.length = 0;
  const r = await cli('run', '--name', 'missing-image', 'nothere');
  assert.equal(r.code, 125);
  assert.ok(calls.some((c) => c.startsWith('POST /v1.50/images/create?fromImage=nothere&tag=latest')), calls.join(','));
  assert.match(r.stderr, /^Unable to find image 'nothere:latest' locally\nlatest: Pulling from library\/nothere\n.*manifest unknown/s);
  const bad = await cli('run', '--pull=sometimes', 'busybox');
  assert.equal(bad.code, 125);
});

test('ps prints the docker table', async () => {
  const r = await cli('ps');
  assert.equal(r.code, 0);
  const [header, row] = r.stdout.split('\n');
  assert.equal(header, 'CONTAINER ID   IMAGE     COMMAND        CREATED         STATUS         PORTS     NAMES');
  assert.equal(row, 'a1b2c3d4e5f6   busybox   "sleep 1000"   5 seconds ago   Up 5 seconds             web');
  assert.equal((await cli('container', 'ls', '-qa')).stdout, 'a1b2c3d4e5f6\n');
  assert.equal((await cli('ps', '--format', '{{.Names}} {{.Status}}')).stdout, 'web Up 5 seconds\n');
});

test('daemon errors on other commands: "Error response from daemon", status 1', async () => {
  const r = await cli('stop', 'gone');
  assert.deepEqual([r.code, r.stderr], [1, 'Error response from daemon: No such container: gone\n']);
});

test('usage errors', async () => {
  const cases: { args: string[]; code: number; stderr: RegExp }[] = [
    { args: ['run', '--foo', 'busybox'], code: 125, stderr: /^unknown flag: --foo\nSee 'berth run --help'\.\n$/ },
    { args: ['ps', '-x'], code: 125, stderr: /^unknown shorthand flag: 'x' in -x\nSee 'berth ps --help'\.\n$/ },
    { args: ['stop'], code: 1, stderr: /^"berth stop" requires at least 1 argument\.\nSee 'berth stop --help'\./ },
    { args: ['rename', 'a'], code: 1, stderr: /^"berth rename" requires exactly 2 arguments\./ },
    { args: ['run', '--name'], code: 125, stderr: /^flag needs an argument: --name/ },
  ];
  for (const c of cases) {
    const r = await cli(...c.args);
    assert.equal(r.code, c.code, c.args.join(' '));
    assert.match(r.stderr, c.stderr, c.args.join(' '));
  }
});

test('an unreachable daemon', async () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => { err += c; });
  const code = await runCli(['ps'], { stdout, stderr, stdin: Readable.from([]), env: { BERTH_HOST: `unix://${dir}/none.sock` } });
  assert.equal(code, 1);
  assert.equal(err, `Cannot connect to the berth daemon at unix://${dir}/none.sock. Is the berth daemon running?\n`);
});
