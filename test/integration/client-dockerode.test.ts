/**
 * dockerode (the Node.js Docker client) against a real berthd, doing what a
 * dockerode user does: ping/version/info, images, a container with ports,
 * binds, a volume mount, env, labels and a restart policy; logs (buffered
 * and followed, demuxed with modem.demuxStream), a hijacked attach with
 * stdin, exec, wait/stop/kill/remove, the archive API, the event stream,
 * volumes, networks, a pull with modem.followProgress from a local
 * registry, a build from a tar stream, tag/remove, and Docker's errors.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import * as tar from 'tar-stream';
import { TestDaemon, busyboxRootfs, until } from './harness.js';
import { CncfRegistry, seedImage, type SeededImage } from './registry-harness.js';
import { httpGet } from './net-helpers.js';
import { tarOf } from './tar-helpers.js';

const d = new TestDaemon();
const reg = new CncfRegistry();
let docker: Docker;
let seeded: SeededImage;

before(async () => {
  await reg.start();
  // busybox's layer (already here after the import: "Already exists") plus one of its own (downloaded: "Pull complete")
  seeded = await seedImage(reg.url, 'tools/pulled', '1.0', { cmd: ['cat', '/pulled.txt'], layers: [readFileSync(busyboxRootfs()), await tarOf({ 'pulled.txt': 'pulled\n' })] });
  await d.start();
  await d.importBusybox();
  docker = new Docker({ socketPath: d.sock });
});
after(async () => {
  await d.cleanup();
  await reg.stop();
});

/** Collect a multiplexed stream's stdout and stderr with dockerode's own demuxer, until it ends. */
function demux(stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (c: Buffer) => { stdout += c.toString(); });
    err.on('data', (c: Buffer) => { stderr += c.toString(); });
    docker.modem.demuxStream(stream, out, err);
    stream.on('end', () => resolve({ stdout, stderr }));
    stream.on('close', () => resolve({ stdout, stderr }));
    stream.on('error', reject);
  });
}

/** A buffered (non-follow) multiplexed log body, demuxed the same way. */
function demuxBuffer(buf: Buffer): Promise<{ stdout: string; stderr: string }> {
  const s = new PassThrough();
  const p = demux(s);
  s.end(buf);
  return p;
}

/** modem.followProgress as a promise: every progress message, or the error it ended with. */
function follow(stream: NodeJS.ReadableStream): Promise<{ status?: string; stream?: string; id?: string; error?: string; aux?: { ID?: string } }[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, res: any[]) => (err ? reject(err) : resolve(res)));
  });
}

async function untar(stream: NodeJS.ReadableStream): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, s, next) => {
      let text = '';
      s.on('data', (c) => { text += String(c); });
      s.on('end', () => { files.set(h.name, text); next(); });
      s.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return files;
}

/** Docker's error shape as dockerode surfaces it. */
async function rejection(p: Promise<unknown>): Promise<{ statusCode: number; json: { message: string }; message: string }> {
  try { await p; } catch (err) { return err as never; }
  throw new Error('expected the call to fail');
}

test('ping, version, info, listImages', async () => {
  assert.equal(String(await docker.ping()), 'OK');
  const v = await docker.version();
  assert.match(v.ApiVersion, /^1\.\d+$/);
  assert.equal(v.Os, 'linux');
  const info = await docker.info();
  assert.equal(info.DockerRootDir, d.dataRoot);
  assert.equal(typeof info.Containers, 'number');
  const images = await docker.listImages();
  assert.ok(images.some((i) => i.RepoTags?.includes('busybox:latest')), JSON.stringify(images));
  const filtered = await docker.listImages({ filters: { reference: ['busybox'] } });
  assert.deepEqual(filtered.map((i) => i.RepoTags), [['busybox:latest']]);
});

test('createContainer with Cmd, Env, Labels, PortBindings, Binds, Mounts, RestartPolicy; start, inspect, the published port serves, logs', async () => {
  const site = join(d.root, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), 'hello from dockerode\n');
  const c = await docker.createContainer({
    name: 'dode-web',
    Image: 'busybox',
    Cmd: ['sh', '-c', 'echo "greeting=$GREETING"; echo to-stderr >&2; echo data > /vol/f; exec httpd -f -p 3000 -h /site'],
    Env: ['GREETING=hi'],
    Labels: { 'com.example.client': 'dockerode' },
    ExposedPorts: { '3000/tcp': {} },
    HostConfig: {
      PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      Binds: [`${site}:/site:ro`],
      Mounts: [{ Type: 'volume', Source: 'dode-data', Target: '/vol' }],
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
    },
  });
  assert.match(c.id, /^[0-9a-f]{64}$/);
  await c.start();
  const info = await c.inspect();
  assert.equal(info.Name, '/dode-web');
  assert.equal(info.State.Running, true);
  assert.ok(info.Config.Env.includes('GREETING=hi'));
  assert.deepEqual(info.Config.Labels, { 'com.example.client': 'dockerode' });
  assert.deepEqual(info.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
  const bind = info.Mounts.find((m) => m.Destination === '/site');
  assert.equal(bind?.Type, 'bind');
  assert.equal(bind?.Source, site);
  assert.equal(bind?.RW, false);
  const vol = info.Mounts.find((m) => m.Destination === '/vol');
  assert.equal(vol?.Type, 'volume');
  assert.equal(vol?.Name, 'dode-data');
  const port = info.NetworkSettings.Ports['3000/tcp']?.[0];
  assert.equal(port?.HostIp, '127.0.0.1');
  assert.match(port?.HostPort ?? '', /^\d+$/);
  const page = await httpGet('127.0.0.1', Number(port!.HostPort));
  assert.match(page, /^HTTP\/1\.[01] 200/);
  assert.match(page, /hello from dockerode\n$/);

  const listed = await docker.listContainers({ filters: { label: ['com.example.client=dockerode'] } });
  assert.deepEqual(listed.map((x) => x.Id), [c.id]);
  assert.deepEqual(listed[0].Ports, [{ IP: '127.0.0.1', PrivatePort: 3000, PublicPort: Number(port!.HostPort), Type: 'tcp' }]);

  // logs, not followed: a Buffer of multiplexed frames
  const buf = await until(async () => { const b = await c.logs({ stdout: true, stderr: true }); return b.length > 0 && b.toString().includes('to-stderr') ? b : undefined; });
  assert.ok(Buffer.isBuffer(buf));
  assert.deepEqual(await demuxBuffer(buf), { stdout: 'greeting=hi\n', stderr: 'to-stderr\n' });
  const onlyErr = await c.logs({ stderr: true });
  assert.deepEqual(await demuxBuffer(onlyErr), { stdout: '', stderr: 'to-stderr\n' });
  const tail = await c.logs({ stdout: true, stderr: true, tail: 1, timestamps: true });
  assert.match((await demuxBuffer(tail)).stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z to-stderr\n$/);
});

test('logs with follow: a stream that ends when the container stops; stop, wait, remove', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.2; done; echo oops >&2; exit 3'] });
  await c.start();
  const stream = await c.logs({ follow: true, stdout: true, stderr: true });
  const got = await demux(stream);
  assert.deepEqual(got, { stdout: 'line1\nline2\nline3\n', stderr: 'oops\n' });
  assert.deepEqual(await c.wait(), { StatusCode: 3 });
  const state = (await c.inspect()).State;
  assert.equal(state.Status, 'exited');
  assert.equal(state.ExitCode, 3);
  await c.remove();
  assert.equal((await rejection(c.inspect())).statusCode, 404);

  // stop a running container: the stop timeout, then SIGKILL (sleep as PID 1 ignores SIGTERM)
  const s = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], StopTimeout: 1 });
  await s.start();
  const waited = s.wait();
  await s.stop({ t: 1 });
  assert.deepEqual(await waited, { StatusCode: 137 });
  // stopping again is a 304, which dockerode reports as an error with that status
  assert.equal((await rejection(s.stop())).statusCode, 304);
  await s.remove({ v: true });
});

test('attach with stdin on a hijacked connection; StdinOnce: closing our side ends the process', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'tr a-z A-Z; echo done >&2'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
  const output = demux(stream);
  await c.start();
  stream.write('hello dockerode\n');
  stream.end();
  assert.deepEqual(await output, { stdout: 'HELLO DOCKERODE\n', stderr: 'done\n' });
  assert.deepEqual(await c.wait(), { StatusCode: 0 });
  await c.remove();
});

test('exec: create, start with output, inspect the exit code; stdin on a hijacked exec', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], Env: ['FROM_CONTAINER=yes'] });
  await c.start();
  const e = await c.exec({ Cmd: ['sh', '-c', 'echo "out $FROM_CONTAINER $X"; echo err >&2; exit 5'], Env: ['X=x1'], AttachStdout: true, AttachStderr: true });
  const stream = await e.start({});
  assert.deepEqual(await demux(stream), { stdout: 'out yes x1\n', stderr: 'err\n' });
  const ins = (await until(async () => { const i = await e.inspect(); return i.Running ? undefined : i; }))!;
  assert.equal(ins.ExitCode, 5);
  assert.equal(ins.ContainerID, c.id);
  assert.deepEqual([ins.ProcessConfig.entrypoint, ins.ProcessConfig.arguments], ['sh', ['-c', 'echo "out $FROM_CONTAINER $X"; echo err >&2; exit 5']]);

  const withIn = await c.exec({ Cmd: ['wc', '-c'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const duplex = await withIn.start({ hijack: true, stdin: true });
  const out = demux(duplex);
  duplex.write('12345');
  duplex.end();
  assert.equal((await out).stdout.trim(), '5');
  assert.equal((await until(async () => { const i = await withIn.inspect(); return i.Running ? undefined : i; }))!.ExitCode, 0);

  await c.kill();
  assert.deepEqual(await c.wait(), { StatusCode: 137 });
  // killing a stopped container is a 409
  const again = await rejection(c.kill());
  assert.equal(again.statusCode, 409);
  assert.match(again.json.message, /is not running/);
  await c.remove();
});

test('putArchive, listContainers with size, getArchive', async () => {
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
  await c.start();
  await c.putArchive(await tarOf({ 'hello.txt': 'put by dockerode\n', 'sub/x.txt': 'x\n' }), { path: '/tmp' });
  const e = await c.exec({ Cmd: ['cat', '/tmp/hello.txt', '/tmp/sub/x.txt'], AttachStdout: true, AttachStderr: true });
  assert.deepEqual(await demux(await e.start({})), { stdout: 'put by dockerode\nx\n', stderr: '' });
  // listContainers with size: the files just put are in the writable layer
  const [sized] = await docker.listContainers({ size: true, filters: { id: [c.id] } }) as (Docker.ContainerInfo & { SizeRw?: number; SizeRootFs?: number })[];
  assert.ok((sized.SizeRw ?? 0) >= 'put by dockerode\nx\n'.length, JSON.stringify(sized));
  assert.ok((sized.SizeRootFs ?? 0) > (sized.SizeRw ?? 0));
  const files = await untar(await c.getArchive({ path: '/tmp/sub' }));
  assert.deepEqual([...files.entries()].filter(([n]) => n.endsWith('.txt')), [['sub/x.txt', 'x\n']]);
  assert.ok(files.has('sub/'), [...files.keys()].join(','));
  const missing = await rejection(c.getArchive({ path: '/nope' }));
  assert.equal(missing.statusCode, 404);
  // a bad target directory for putArchive is Docker's 404 too
  assert.equal((await rejection(c.putArchive(await tarOf({ a: 'a' }), { path: '/does/not/exist' }))).statusCode, 404);
  await c.remove({ force: true });
});

test('getEvents: a filtered live stream of a container\'s life', async () => {
  const stream = await docker.getEvents({ filters: { type: ['container'], label: ['events=dockerode'] } }) as NodeJS.ReadableStream & { destroy(): void };
  const events: { Action: string; Actor: { ID: string; Attributes: Record<string, string> }; status?: string }[] = [];
  let buf = '';
  stream.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) { const line = buf.slice(0, nl); buf = buf.slice(nl + 1); if (line.trim()) events.push(JSON.parse(line)); }
  });
  const c = await docker.createContainer({ Image: 'busybox', Cmd: ['true'], Labels: { events: 'dockerode' } });
  await c.start();
  await c.wait();
  await c.remove();
  await until(() => events.some((e) => e.Action === 'destroy'));
  stream.destroy();
  assert.deepEqual(events.map((e) => e.Action), ['create', 'start', 'die', 'destroy']);
  assert.ok(events.every((e) => e.Actor.ID === c.id && e.Actor.Attributes.events === 'dockerode'));
  // since/until: a finite replay that ends by itself
  const now = Math.floor(Date.now() / 1000) + 1;
  const replay = await docker.getEvents({ since: now - 60, until: now, filters: { container: [c.id] } }) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of replay) text += chunk.toString();
  assert.deepEqual(text.trim().split('\n').map((l) => JSON.parse(l).Action), ['create', 'start', 'die', 'destroy']);
});

test('volumes: createVolume, listVolumes, inspect, getVolume().remove()', async () => {
  const v = await docker.createVolume({ Name: 'dode-vol', Labels: { made: 'dockerode' } });
  assert.equal(v.name, 'dode-vol');
  const list = await docker.listVolumes({ filters: { label: ['made=dockerode'] } });
  assert.deepEqual(list.Volumes.map((x) => x.Name), ['dode-vol']);
  assert.ok(Array.isArray(list.Warnings) || list.Warnings === null);
  const ins = await docker.getVolume('dode-vol').inspect();
  assert.equal(ins.Driver, 'local');
  assert.equal(ins.Mountpoint, join(d.dataRoot, 'volumes', 'dode-vol', '_data'));
  await docker.getVolume('dode-vol').remove();
  const gone = await rejection(docker.getVolume('dode-vol').inspect());
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json.message, 'get dode-vol: no such volume');
  // the named volume of the web container: in use → 409, then removed with it
  const busy = await rejection(docker.getVolume('dode-data').remove());
  assert.equal(busy.statusCode, 409);
  await docker.getContainer('dode-web').remove({ force: true });
  await docker.getVolume('dode-data').remove();
});

test('networks: createNetwork, connect, a container reaches another by name, disconnect, remove', async () => {
  const net = await docker.createNetwork({ Name: 'dode-net', Driver: 'bridge', Labels: { made: 'dockerode' }, CheckDuplicate: true });
  const ni = await net.inspect();
  assert.equal(ni.Name, 'dode-net');
  assert.equal(ni.Driver, 'bridge');
  assert.deepEqual(ni.Labels, { made: 'dockerode' });
  const server = await docker.createContainer({ name: 'dode-srv', Image: 'busybox', Cmd: ['sh', '-c', 'echo served > /tmp/index.html; exec httpd -f -p 80 -h /tmp'] });
  await server.start();
  await net.connect({ Container: server.id, EndpointConfig: { Aliases: ['srv-alias'] } });
  const eps = (await server.inspect()).NetworkSettings.Networks;
  assert.deepEqual(Object.keys(eps).sort(), ['bridge', 'dode-net']);
  assert.deepEqual(eps['dode-net'].Aliases, ['srv-alias']);
  assert.equal(eps['dode-net'].NetworkID, ni.Id);
  const client = await docker.createContainer({
    Image: 'busybox', Cmd: ['sh', '-c', 'for i in 1 2 3 4 5; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 3 srv-alias 80 | tail -n 1 | grep . && exit 0; sleep 1; done; exit 1'],
    HostConfig: { NetworkMode: 'dode-net' },
  });
  await client.start();
  assert.deepEqual(await client.wait(), { StatusCode: 0 });
  assert.equal((await demuxBuffer(await client.logs({ stdout: true }))).stdout, 'served\n');
  await client.remove();
  assert.equal((await rejection(net.remove())).statusCode, 409);
  await net.disconnect({ Container: server.id });
  assert.deepEqual(Object.keys((await server.inspect()).NetworkSettings.Networks), ['bridge']);
  const nets = await docker.listNetworks({ filters: { label: ['made=dockerode'] } });
  assert.deepEqual(nets.map((n) => n.Name), ['dode-net']);
  await net.remove();
  assert.equal((await rejection(net.inspect())).statusCode, 404);
  await server.remove({ force: true });
});

test('pull from a local registry with modem.followProgress; run it; getImage().tag and remove', async () => {
  const ref = `${reg.host}/tools/pulled:1.0`;
  const seen: string[] = [];
  const stream = await docker.pull(ref) as NodeJS.ReadableStream;
  const msgs = await new Promise<{ status?: string }[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, res: { status?: string }[]) => (err ? reject(err) : resolve(res)), (ev: { status?: string }) => { if (ev.status) seen.push(ev.status); });
  });
  assert.ok(seen.includes('Pull complete'), seen.join(','));
  assert.ok(seen.includes('Already exists'), seen.join(','));
  assert.equal(msgs.at(-1)?.status, `Status: Downloaded newer image for ${ref}`);
  assert.ok(msgs.some((m) => m.status === `Digest: ${seeded.manifestDigest}`));
  const img = await docker.getImage(ref).inspect();
  assert.equal(img.Id, seeded.configDigest);
  assert.deepEqual(img.RepoDigests, [`${reg.host}/tools/pulled@${seeded.manifestDigest}`]);

  // docker.run: create + attach + start + wait in one call
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => { text += c.toString(); });
  const outputEnded = new Promise((resolve) => out.on('end', resolve));
  // (docker.run creates with Tty: true: raw output with the terminal's CRLF)
  const [res, container] = await docker.run(ref, [], out, { HostConfig: { AutoRemove: true } }) as [{ StatusCode: number }, Docker.Container];
  assert.equal(res.StatusCode, 0);
  await outputEnded;
  assert.equal(text, 'pulled\r\n');
  await until(async () => (await docker.listContainers({ all: true, filters: { id: [container.id] } })).length === 0);

  await docker.getImage(ref).tag({ repo: 'dode/retagged', tag: 'v1' });
  assert.deepEqual((await docker.getImage('dode/retagged:v1').inspect()).RepoTags.sort(), [ref, 'dode/retagged:v1'].sort());
  const untagged = await docker.getImage('dode/retagged:v1').remove();
  assert.deepEqual(untagged, [{ Untagged: 'dode/retagged:v1' }]);
  const deleted = await docker.getImage(ref).remove() as { Untagged?: string; Deleted?: string }[];
  assert.ok(deleted.some((x) => x.Deleted === seeded.configDigest), JSON.stringify(deleted));
  const gone = await rejection(docker.getImage(ref).inspect());
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json.message, `No such image: ${ref}`);
  // an unknown tag: dockerd answers 404 before streaming (manifest unknown), which dockerode rejects with
  const bad = await rejection(docker.pull(`${reg.host}/tools/pulled:nope`));
  assert.equal(bad.statusCode, 404);
  // (for streaming endpoints dockerode puts the body's message into err.message only)
  assert.match(bad.message, new RegExp(`^\\(HTTP code 404\\) unexpected - manifest for ${reg.host}/tools/pulled:nope not found`));
});

test('buildImage from a tar stream with a Dockerfile; the image runs; remove it', async () => {
  const context = tar.pack();
  context.entry({ name: 'Dockerfile' }, 'FROM busybox\nLABEL built.by=dockerode\nCOPY msg.txt /msg.txt\nRUN echo "run step" > /ran.txt\nCMD ["cat", "/msg.txt", "/ran.txt"]\n');
  context.entry({ name: 'msg.txt' }, 'built by dockerode\n');
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: 'dode/built:1', labels: { extra: 'label' } });
  const msgs = await follow(stream);
  const text = msgs.map((m) => m.stream ?? '').join('');
  assert.match(text, /Step 1\/5 : FROM busybox/);
  assert.match(text, /Successfully tagged dode\/built:1/);
  const id = msgs.find((m) => m.aux?.ID)?.aux?.ID;
  assert.match(id ?? '', /^sha256:[0-9a-f]{64}$/);
  const img = await docker.getImage('dode/built:1').inspect();
  assert.equal(img.Id, id);
  assert.deepEqual(img.Config.Labels, { 'built.by': 'dockerode', extra: 'label' });
  const c = await docker.createContainer({ Image: 'dode/built:1' });
  await c.start();
  await c.wait();
  assert.equal((await demuxBuffer(await c.logs({ stdout: true }))).stdout, 'built by dockerode\nrun step\n');
  await c.remove();

  // a failing RUN: the stream ends with Docker's error message (followProgress hands it over as a message, not an error)
  const badCtx = await tarOf({ Dockerfile: 'FROM busybox\nRUN exit 7\n' });
  const failed = await follow(await docker.buildImage(badCtx as unknown as NodeJS.ReadableStream, { t: 'dode/bad:1' }));
  const last = failed.at(-1) as { error?: string; errorDetail?: { code?: number; message?: string } };
  assert.equal(last.error, "The command '/bin/sh -c exit 7' returned a non-zero code: 7");
  assert.deepEqual(last.errorDetail, { code: 7, message: last.error });
  assert.equal((await rejection(docker.getImage('dode/bad:1').inspect())).statusCode, 404);

  await docker.getImage('dode/built:1').remove();
  assert.equal((await rejection(docker.getImage('dode/built:1').inspect())).statusCode, 404);
});

test('errors: 404 with Docker\'s message, 409 on a name conflict, 400 on bad input', async () => {
  const nf = await rejection(docker.getContainer('no-such-ctr').inspect());
  assert.equal(nf.statusCode, 404);
  assert.equal(nf.json.message, 'No such container: no-such-ctr');
  assert.equal((await rejection(docker.getContainer('no-such-ctr').start())).statusCode, 404);
  assert.equal((await rejection(docker.getContainer('no-such-ctr').remove())).statusCode, 404);
  const noImage = await rejection(docker.createContainer({ Image: 'no/such-image:1' }));
  assert.equal(noImage.statusCode, 404);
  assert.equal(noImage.json.message, 'No such image: no/such-image:1');

  const a = await docker.createContainer({ name: 'dode-dup', Image: 'busybox', Cmd: ['true'] });
  const conflict = await rejection(docker.createContainer({ name: 'dode-dup', Image: 'busybox', Cmd: ['true'] }));
  assert.equal(conflict.statusCode, 409);
  assert.match(conflict.json.message, new RegExp(`^Conflict\\. The container name "/dode-dup" is already in use by container "${a.id}"\\. You have to remove \\(or rename\\) that container to be able to reuse that name\\.$`));
  await a.remove();
  const bad = await rejection(docker.createContainer({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }));
  assert.equal(bad.statusCode, 400);
  assert.deepEqual((await docker.listContainers({ all: true })).map((c) => c.Names), [], 'nothing was created');
});
