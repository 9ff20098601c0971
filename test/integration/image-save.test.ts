/**
 * `docker save` through berthd: GET /images/get?names= and
 * /images/{name}/get, for an imported image (plain layer) and a pulled one
 * (gzip layer, gunzipped into the archive); the archive loads back and runs;
 * unknown names fail before any byte and leave no file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { Readable } from 'node:stream';
import { TestDaemon, TEST_PREFIX } from './harness.js';
import { CncfRegistry, seedImage } from './registry-harness.js';

const reg = new CncfRegistry();
let d: TestDaemon;
const out = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}save-`));

before(async () => {
  await reg.start();
  await seedImage(reg.url, 'library/pulled', '1', { cmd: ['echo', 'pulled-one'] });
  d = new TestDaemon();
  await d.start();
});
after(async () => {
  await d?.cleanup();
  await reg.stop();
  rmSync(out, { recursive: true, force: true });
});

async function entries(buf: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = tar.extract();
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, s, next) => { const c: Buffer[] = []; s.on('data', (b: unknown) => { c.push(b as Buffer); }); s.on('end', () => { files.set(h.name, Buffer.concat(c)); next(); }); });
    ex.on('finish', resolve);
    ex.on('error', reject);
    Readable.from([buf]).pipe(ex);
  });
  return files;
}

test('docker save of an imported and a pulled image; docker load brings them back', async () => {
  await d.importBusybox('local/bb:1');
  const pulled = `${reg.host}/library/pulled:1`;
  assert.equal((await d.docker(['pull', pulled])).code, 0);
  const file = join(out, 'both.tar');
  const save = await d.docker(['save', '-o', file, 'local/bb:1', pulled]);
  assert.equal(save.code, 0, save.stderr);

  const files = await entries(readFileSync(file));
  for (const f of ['oci-layout', 'index.json', 'manifest.json', 'repositories']) assert.ok(files.has(f), `missing ${f}`);
  const manifest = JSON.parse(files.get('manifest.json')!.toString());
  assert.deepEqual(manifest.map((m: { RepoTags: string[] }) => m.RepoTags).flat().sort(), [pulled, 'local/bb:1'].sort());
  for (const m of manifest) {
    const config = JSON.parse(files.get(m.Config)!.toString());
    m.Layers.forEach((l: string, i: number) => {
      const layer = files.get(l)!;
      // layers are uncompressed tars whose digest is the diff ID
      assert.equal(`sha256:${createHash('sha256').update(layer).digest('hex')}`, config.rootfs.diff_ids[i]);
    });
  }
  const index = JSON.parse(files.get('index.json')!.toString());
  assert.equal(index.manifests.length, 2);

  assert.equal((await d.docker(['rmi', 'local/bb:1', pulled])).code, 0);
  const load = await d.docker(['load', '-i', file]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: local\/bb:1/);
  assert.equal((await d.docker(['run', '--rm', pulled])).stdout.trim(), 'pulled-one');

  // by image ID: no names in the archive
  const id = JSON.parse((await d.docker(['image', 'inspect', 'local/bb:1'])).stdout)[0].Id;
  const r = await d.api('GET', `/images/${id}/get`);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse((await entries(r.body)).get('manifest.json')!.toString())[0].RepoTags, null);

  const events = await d.api('GET', `/events?since=0&until=${Math.ceil(Date.now() / 1000) + 1}&filters=${encodeURIComponent(JSON.stringify({ event: ['save'] }))}`);
  assert.ok(events.body.toString().trim().split('\n').length >= 2);
});

test('berth save to a file and stdout; unknown names fail first and leave no file', async () => {
  await d.importBusybox('berth/save:1');
  const file = join(out, 'berth.tar');
  const s = await d.berth(['save', '-o', file, 'berth/save:1']);
  assert.equal(s.code, 0, s.stderr);
  assert.ok(readFileSync(file).length > 100000);
  const missing = join(out, 'missing.tar');
  const bad = await d.docker(['save', '-o', missing, 'berth/save:1', 'no/such:image']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /No such image: no\/such:image/);
  assert.equal(existsSync(missing), false);
  const bad2 = await d.berth(['save', '-o', missing, 'nope:1']);
  assert.notEqual(bad2.code, 0);
  assert.equal(existsSync(missing), false);
  assert.equal((await d.api('GET', '/images/nope:1/get')).status, 404);
  await d.docker(['rmi', 'berth/save:1']);
});

test('docker load of a pre-1.10 save (repositories + v1 image directories, no manifest.json) registers the chain and tags, as dockerd still does', async () => {
  // the layout of dockerode's test-load.tar (a `docker save hello-world` by docker 1.8): <id>/json, <id>/layer.tar, <id>/VERSION, repositories
  const { busyboxRootfs } = await import('./harness.js');
  const { tarOf } = await import('./tar-helpers.js');
  const baseId = createHash('sha256').update('legacy-base').digest('hex');
  const leafId = createHash('sha256').update('legacy-leaf').digest('hex');
  const v1 = (id: string, parent: string | undefined, cmd: string[] | null, built: string[]) => JSON.stringify({
    id, ...(parent ? { parent } : {}), created: '2015-10-13T23:47:48.522046233Z', container_config: { Cmd: built }, docker_version: '1.8.2',
    config: { Env: ['PATH=/bin'], Cmd: cmd }, architecture: 'amd64', os: 'linux', Size: 0,
  });
  const pack = tar.pack();
  const file = (name: string, body: string | Buffer) => pack.entry({ name, mode: 0o644 }, body);
  pack.entry({ name: `${baseId}/`, type: 'directory', mode: 0o755 });
  file(`${baseId}/VERSION`, '1.0');
  file(`${baseId}/json`, v1(baseId, undefined, null, ['/bin/sh', '-c', '#(nop) ADD file:busybox in /']));
  file(`${baseId}/layer.tar`, readFileSync(busyboxRootfs()));
  pack.entry({ name: `${leafId}/`, type: 'directory', mode: 0o755 });
  file(`${leafId}/VERSION`, '1.0');
  file(`${leafId}/json`, v1(leafId, baseId, ['cat', '/hello.txt'], ['/bin/sh', '-c', '#(nop) COPY hello.txt /']));
  file(`${leafId}/layer.tar`, await tarOf({ 'hello.txt': 'hello from a v1 save\n' }));
  file('repositories', JSON.stringify({ 'legacy/app': { v1: leafId, again: leafId } }));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as Readable) chunks.push(c as Buffer);
  const archive = join(out, 'legacy.tar');
  (await import('node:fs')).writeFileSync(archive, Buffer.concat(chunks));

  const load = await d.docker(['load', '-i', archive]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /^Loaded image: legacy\/app:v1$/m);
  assert.match(load.stdout, /^Loaded image: legacy\/app:again$/m);
  const img = JSON.parse((await d.docker(['image', 'inspect', 'legacy/app:v1'])).stdout)[0];
  assert.deepEqual(img.RepoTags.sort(), ['legacy/app:again', 'legacy/app:v1']);
  assert.equal(img.RootFS.Layers.length, 2);
  assert.deepEqual(img.Config.Cmd, ['cat', '/hello.txt']);
  const hist = await d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'legacy/app:v1']);
  assert.deepEqual(hist.stdout.trim().split('\n'), ['/bin/sh -c #(nop) COPY hello.txt /', '/bin/sh -c #(nop) ADD file:busybox in /']);
  const run = await d.docker(['run', '--rm', 'legacy/app:v1']);
  assert.equal(run.stdout, 'hello from a v1 save\n', run.stderr);
  // a repositories file naming a missing directory is bad input, nothing tagged
  const bad = tar.pack();
  bad.entry({ name: 'repositories' }, JSON.stringify({ 'legacy/broken': { v1: 'f'.repeat(64) } }));
  bad.finalize();
  const badChunks: Buffer[] = [];
  for await (const c of bad as unknown as Readable) badChunks.push(c as Buffer);
  const r = await d.api('POST', '/images/load', Buffer.concat(badChunks), { 'Content-Type': 'application/x-tar' });
  assert.equal(r.status, 200, r.body.toString());
  assert.match(r.body.toString(), /"error":"/, 'the stream ends in an error line, as dockerd\'s');
  assert.equal((await d.api('GET', '/images/legacy/broken:v1/json')).status, 404);
});
