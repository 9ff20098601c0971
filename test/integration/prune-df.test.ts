/**
 * container prune, system df and system prune with the docker CLI and
 * berth: what is stopped goes, what runs or is filtered out stays; df's
 * figures follow what the containers and volumes really hold.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon, until } from './harness.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

async function ok(args: string[], input?: string) {
  const r = await d.docker(args, { input });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const ids = async () => (await d.api('GET', '/v1.50/containers/json?all=1')).json<{ Id: string; Names: string[] }[]>().map((c) => c.Names[0].slice(1)).sort();

/** Does the daemon serve this prune endpoint? (a bogus filter: 400 if it does, 404 if not) */
async function served(path: string): Promise<boolean> {
  return (await d.api('POST', `${path}?filters=${encodeURIComponent('{"bogus-filter":["x"]}')}`)).status !== 404;
}

test('container prune removes stopped containers only, honouring label filters', async () => {
  await ok(['run', '--name', 'ex1', 'busybox', 'true']);
  await ok(['create', '--name', 'cr1', 'busybox', 'true']);
  await ok(['run', '--name', 'keep1', '--label', 'keep=yes', 'busybox', 'true']);
  await ok(['run', '-d', '--name', 'run1', 'busybox', 'sleep', '300']);
  const declined = await ok(['container', 'prune'], 'n\n');
  assert.match(declined, /WARNING! This will remove all stopped containers\./);
  assert.deepEqual(await ids(), ['cr1', 'ex1', 'keep1', 'run1']);
  const out = await ok(['container', 'prune', '-f', '--filter', 'label!=keep']);
  assert.match(out, /^Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
  assert.deepEqual(await ids(), ['keep1', 'run1']);
  const bad = await d.api('POST', '/v1.50/containers/prune?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D');
  assert.equal(bad.status, 400);
  assert.match(bad.json<{ message: string }>().message, /invalid filter 'colour'/);
  // until: only containers created before that time
  await ok(['create', '--name', 'old1', 'busybox', 'true']);
  const hourAgo = await ok(['container', 'prune', '-f', '--filter', 'until=1h']);
  assert.doesNotMatch(hourAgo, /Deleted Containers/);
  assert.deepEqual(await ids(), ['keep1', 'old1', 'run1']);
    const b = await d.berth(['container', 'prune', '-f']);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /Deleted Containers:/);
  assert.deepEqual(await ids(), ['run1']);
  await ok(['rm', '-f', 'run1']);
});

test('system df reports images, container writable layers and volume sizes', async () => {
  await ok(['volume', 'create', 'dfvol']);
  await ok(['run', '--name', 'dfc', '-v', 'dfvol:/data', 'busybox', 'sh', '-c', 'head -c 200000 /dev/zero > /bigfile; head -c 50000 /dev/zero > /data/f']);
  const du = (await d.api('GET', '/v1.50/system/df')).json<any>();
  assert.ok(du.LayersSize > 0);
  assert.equal(du.Images.length, 1);
  assert.equal(du.Images[0].Containers, 1);
  const c = du.Containers.find((x: any) => x.Names[0] === '/dfc');
  assert.ok(c.SizeRw >= 200000 && c.SizeRw < 300000, `SizeRw ${c.SizeRw}`);
  assert.equal(c.SizeRootFs, c.SizeRw + du.Images[0].Size);
  const v = du.Volumes.find((x: any) => x.Name === 'dfvol');
  assert.deepEqual(v.UsageData, { Size: 50000, RefCount: 1 });
  assert.deepEqual(du.BuildCache, []);
  const onlyVol = (await d.api('GET', '/v1.50/system/df?type=volume')).json<any>();
  assert.deepEqual(Object.keys(onlyVol), ['Volumes']);
  assert.equal((await d.api('GET', '/v1.50/system/df?type=bogus')).status, 400);

  // ps --size measures the same writable layer; without it no size is computed
  assert.match(await ok(['ps', '-a', '--size', '--filter', 'name=dfc', '--format', '{{.Size}}']), /^20\d(\.\d+)?kB \(virtual \d+(\.\d+)?MB\)$/m);
  const listed = (await d.api('GET', '/v1.50/containers/json?all=1&size=1')).json<any>().find((x: any) => x.Names[0] === '/dfc');
  assert.equal(listed.SizeRw, c.SizeRw);
  assert.equal(listed.SizeRootFs, c.SizeRootFs);
  assert.equal((await d.api('GET', '/v1.50/containers/json?all=1')).json<any>().find((x: any) => x.Names[0] === '/dfc').SizeRw, undefined);

  const table = await ok(['system', 'df']);
  assert.match(table, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\n/);
  // the stopped container still uses the image: active, nothing reclaimable
  assert.match(table, /^Images\s+1\s+1\s+\d+(\.\d+)?MB\s+0B \(0%\)$/m);
  assert.match(table, /^Containers\s+1\s+0\s+20\d(\.\d+)?kB\s+20\d(\.\d+)?kB \(100%\)$/m);
  assert.match(table, /^Local Volumes\s+1\s+1\s+50kB\s+0B \(0%\)$/m);
  const verbose = await ok(['system', 'df', '-v']);
  assert.match(verbose, /Local Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\ndfvol\s+1\s+50kB/);
  const bt = await d.berth(['system', 'df']);
  assert.equal(bt.code, 0, bt.stderr);
  assert.match(bt.stdout, /^Local Volumes\s+1\s+1\s+50kB\s+0B \(0%\)$/m);

  await ok(['rm', 'dfc']);
  await ok(['volume', 'rm', 'dfvol']);
});

test('system prune: stopped containers, anonymous volumes with --volumes; running ones and named volumes stay', async () => {
  await ok(['run', '--name', 'sp1', '-v', '/anon', 'busybox', 'true']);
  await ok(['run', '-d', '--name', 'sp2', 'busybox', 'sleep', '300']);
  await ok(['volume', 'create', 'spnamed']);
  const anon = JSON.parse(await ok(['inspect', 'sp1']))[0].Mounts[0].Name as string;
  const complete = (await served('/v1.50/images/prune')) && (await served('/v1.50/build/prune'));
  const r = await d.docker(['system', 'prune', '-f', '--volumes']);
  // the docker CLI stops at the first prune endpoint a daemon lacks (images/build prune land with the builder)
  if (complete) assert.equal(r.code, 0, r.stderr);
  else assert.match(r.stderr, /page not found|404/);
  assert.match(r.stdout, /Deleted Containers:\n[0-9a-f]{64}\n/);
  assert.match(r.stdout, new RegExp(`Deleted Volumes:\\n${anon}\\n`));
  assert.deepEqual(await ids(), ['sp2']);
  const vols = (await d.api('GET', '/v1.50/volumes')).json<{ Volumes: { Name: string }[] }>().Volumes.map((v) => v.Name);
  assert.deepEqual(vols, ['spnamed']);

  await ok(['run', '--name', 'sp3', 'busybox', 'true']);
  const declined = await d.berth(['system', 'prune'], { input: 'n\n' });
  assert.match(declined.stdout, /WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all dangling images\n/);
  assert.deepEqual(await ids(), ['sp2', 'sp3']);
  const b = await d.berth(['system', 'prune', '-f', '--volumes']);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /Deleted Containers:\n[0-9a-f]{64}\n\n/);
  assert.match(b.stdout, /Total reclaimed space: /);
  await until(async () => (await ids()).join() === 'sp2');
  await ok(['rm', '-f', 'sp2']);
  await ok(['volume', 'rm', 'spnamed']);
});
