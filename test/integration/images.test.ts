/** Image store through the API: import with changes, load of a docker-save archive, names, tag, rmi rules. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { TestDaemon } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

async function makeTar(entries: { name: string; body?: string | Buffer; type?: 'file' | 'directory' }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    if (e.type === 'directory') pack.entry({ name: e.name, type: 'directory', mode: 0o755, mtime: new Date(0) });
    else pack.entry({ name: e.name, mode: 0o644, mtime: new Date(0) }, e.body ?? '');
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** A `docker save` archive of an image = busybox layer + a layer that adds /msg and deletes /etc/group. */
async function saveArchive(tags: string[]) {
  const busybox = (await d.api('GET', '/images/busybox/json')).json();
  const base = await (await import('node:fs/promises')).readFile((await import('./harness.js')).busyboxRootfs());
  const top = await makeTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/.wh.group' }, { name: 'msg', body: 'from layer two\n' }]);
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
    config: { Cmd: ['cat', '/msg'], Env: ['PATH=/bin', 'GREETING=hi'], Labels: { 'org.test': tags.join(',') } },
    rootfs: { type: 'layers', diff_ids: [busybox.RootFS.Layers[0], sha(top)] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: 'base' }, { created: '2024-01-01T00:00:00Z', created_by: 'top' }],
  });
  const manifest = JSON.stringify([{ Config: `blobs/sha256/${sha(config).slice(7)}`, RepoTags: tags, Layers: [`blobs/sha256/${sha(base).slice(7)}`, `blobs/sha256/${sha(top).slice(7)}`] }]);
  const archive = await makeTar([
    { name: 'blobs/', type: 'directory' }, { name: 'blobs/sha256/', type: 'directory' },
    { name: `blobs/sha256/${sha(base).slice(7)}`, body: base },
    { name: `blobs/sha256/${sha(top).slice(7)}`, body: top },
    { name: `blobs/sha256/${sha(config).slice(7)}`, body: config },
    { name: 'manifest.json', body: manifest },
  ]);
  return { archive, id: sha(config) };
}

test('import: changes set CMD/ENV/LABEL, names are normalised the Docker way', async () => {
  const r = await d.api('POST', `/images/create?fromSrc=-&repo=docker.io/library/imported&tag=v1&changes=${encodeURIComponent('ENV A=1 B=two')}&changes=${encodeURIComponent('LABEL x=y')}&changes=${encodeURIComponent('CMD echo $A')}&changes=${encodeURIComponent('WORKDIR /srv')}`, await makeTar([{ name: 'hello', body: 'hi' }]));
  assert.equal(r.status, 200, r.body.toString());
  const id = JSON.parse(r.body.toString()).status;
  for (const name of ['imported:v1', 'docker.io/library/imported:v1', 'library/imported:v1', id, id.slice(7, 19)]) {
    const i = await d.api('GET', `/images/${name}/json`);
    assert.equal(i.status, 200, name);
    assert.equal(i.json().Id, id);
  }
  const insp = (await d.api('GET', '/images/imported:v1/json')).json();
  assert.deepEqual(insp.RepoTags, ['imported:v1']);
  assert.deepEqual(insp.Config.Env, ['A=1', 'B=two']);
  assert.deepEqual(insp.Config.Labels, { x: 'y' });
  assert.deepEqual(insp.Config.Cmd, ['/bin/sh', '-c', 'echo $A']);
  assert.equal(insp.Config.WorkingDir, '/srv');
  assert.equal(insp.RootFS.Layers.length, 1);
  assert.equal((await d.api('GET', '/images/imported/json')).status, 404, 'imported:latest does not exist');
  assert.equal((await d.api('DELETE', '/images/imported:v1')).status, 200);
});

test('import of garbage → 400 and no image, no layer left', async () => {
  const before = readdirSync(join(d.dataRoot, 'snapshots', 'layers')).length;
  const r = await d.api('POST', '/images/create?fromSrc=-&repo=garbage', Buffer.from('this is not a tar archive at all, not even close'.repeat(20)));
  assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.body}`);
  assert.equal((await d.api('GET', '/images/garbage/json')).status, 404);
  assert.equal(readdirSync(join(d.dataRoot, 'snapshots', 'layers')).length, before);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'snapshots', 'tmp')), []);
});

test('load: a docker save archive with two layers and a whiteout runs as expected', async () => {
  const { archive, id } = await saveArchive(['loaded:1.0']);
  const r = await d.api('POST', '/images/load', archive, { 'Content-Type': 'application/x-tar' });
  assert.equal(r.status, 200, r.body.toString());
  assert.match(r.body.toString(), /"stream":"Loaded image: loaded:1.0\\n"/);
  const insp = (await d.api('GET', '/images/loaded:1.0/json')).json();
  assert.equal(insp.Id, id, 'the image ID is the digest of the config in the archive');
  const run = await d.docker(['run', '--rm', 'loaded:1.0']);
  assert.equal(run.stdout, 'from layer two\n');
  const wh = await d.docker(['run', '--rm', 'loaded:1.0', 'sh', '-c', 'test -e /etc/group && echo present || echo whited-out; test -e /etc/passwd && echo passwd']);
  assert.equal(wh.stdout, 'whited-out\npasswd\n');
  // the busybox layer is shared, not unpacked twice
  assert.equal(readdirSync(join(d.dataRoot, 'snapshots', 'layers')).length, 2);
  // with the docker CLI too
  const cli = await d.docker(['load'], { input: archive });
  assert.equal(cli.code, 0, cli.stderr);
});

test('load: a layer whose content does not match the config → an error line (200, as dockerd), no image', async () => {
  const { archive } = await saveArchive(['tampered:1']);
  const bad = Buffer.from(archive);
  const at = bad.indexOf('from layer two');
  bad.write('FROM', at, 'latin1');
  const r = await d.api('POST', '/images/load', bad);
  assert.equal(r.status, 200, r.body.toString());
  assert.match(r.body.toString(), /"errorDetail":\{"message":"[^"]*(digest|diff|match)/i);
  const cli = await d.docker(['load'], { input: bad });
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /digest|diff|match/i);
  assert.equal((await d.api('GET', '/images/tampered:1/json')).status, 404);
});

test('rmi: 409 while a container uses the image, allowed with force or after rm', async () => {
  assert.equal((await d.docker(['tag', 'busybox', 'inuse:1'])).code, 0);
  const img = (await d.api('GET', '/images/inuse:1/json')).json();
  // a second name: removing one name only untags
  const un = await d.api('DELETE', '/images/inuse:1');
  assert.deepEqual(un.json(), [{ Untagged: 'inuse:1' }]);
  assert.equal((await d.docker(['tag', 'busybox', 'solo:1'])).code, 0);
  const { archive } = await saveArchive(['solo2:1']);
  await d.api('POST', '/images/load', archive);
  const cid = (await d.docker(['create', '--name', 'user1', 'solo2:1'])).stdout.trim();
  const rm = await d.api('DELETE', '/images/solo2:1');
  assert.equal(rm.status, 409);
  assert.match(rm.json().message, new RegExp(`container ${cid.slice(0, 12)} is using its referenced image`));
  const byId = await d.docker(['rmi', (await d.api('GET', '/images/solo2:1/json')).json().Id]);
  assert.notEqual(byId.code, 0);
  assert.equal((await d.docker(['rm', 'user1'])).code, 0);
  const ok = await d.api('DELETE', '/images/solo2:1');
  assert.equal(ok.status, 200);
  assert.ok(ok.json().some((e: { Deleted?: string }) => e.Deleted?.startsWith('sha256:')));
  assert.ok(img.Id);
  await d.api('DELETE', '/images/solo:1');
});

test('images list and filters', async () => {
  const all = (await d.api('GET', '/images/json')).json<{ RepoTags: string[] }[]>();
  assert.ok(all.some((i) => i.RepoTags.includes('busybox:latest')));
  const f = (await d.api('GET', `/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: ['busy*'] }))}`)).json<{ RepoTags: string[] }[]>();
  assert.ok(f.length >= 1 && f.every((i) => i.RepoTags.some((t) => t.startsWith('busy'))));
  assert.equal((await d.api('GET', `/images/json?filters=${encodeURIComponent('{"bogus":["x"]}')}`)).status, 400);
});
