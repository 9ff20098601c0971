/**
 * Volumes and mounts with the unmodified docker CLI and with berth: named
 * volumes outlive containers and daemon restarts, copy-up, anonymous
 * volumes and `rm -v`/`--rm`, binds (ro/rw; `-v` creates a missing host
 * directory, `--mount` refuses it), tmpfs, `--read-only`, `--volumes-from`,
 * volume rm/prune rules, bad input leaving nothing behind, and reconcile of
 * volume mounts after kill -9 of berthd.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, TEST_PREFIX, mountsUnder, until } from './harness.js';

const d = new TestDaemon();
let hostDir: string;
before(async () => {
  await d.start();
  await d.importBusybox();
  hostDir = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}bind-`));
});
after(async () => {
  await d.cleanup();
  rmSync(hostDir, { recursive: true, force: true });
});

async function ok(args: string[], input?: string) {
  const r = await d.docker(args, { input });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function volumeNames(): Promise<string[]> {
  return (await d.api('GET', '/v1.50/volumes')).json<{ Volumes: { Name: string }[] }>().Volumes.map((v) => v.Name).sort();
}

test('a named volume written by one container is read by the next, and survives rm and a daemon restart', async () => {
  assert.equal((await ok(['volume', 'create', 'shared'])).trim(), 'shared');
  await ok(['run', '--rm', '-v', 'shared:/data', 'busybox', 'sh', '-c', 'echo hello > /data/greeting']);
  assert.equal((await ok(['run', '--rm', '-v', 'shared:/data', 'busybox', 'cat', '/data/greeting'])).trim(), 'hello');
  await d.stop();
  await d.start();
  assert.equal((await ok(['run', '--rm', '--mount', 'type=volume,src=shared,dst=/d,readonly', 'busybox', 'cat', '/d/greeting'])).trim(), 'hello');
  const ro = await d.docker(['run', '--rm', '--mount', 'type=volume,src=shared,dst=/d,readonly', 'busybox', 'touch', '/d/x']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  const v = JSON.parse(await ok(['volume', 'inspect', 'shared']))[0];
  assert.equal(v.Driver, 'local');
  assert.equal(v.Scope, 'local');
  assert.equal(v.Mountpoint, join(d.dataRoot, 'volumes', 'shared', '_data'));
  assert.equal(readFileSync(join(v.Mountpoint, 'greeting'), 'utf8'), 'hello\n');
  await ok(['volume', 'rm', 'shared']);
  assert.ok(!existsSync(join(d.dataRoot, 'volumes', 'shared')));
});

test('-v NAME:/path creates the volume; inspect shows Mounts as Docker does', async () => {
  await ok(['create', '--name', 'mnt1', '-v', 'auto1:/data', '-v', `${hostDir}:/host:ro`, '--tmpfs', '/scratch', 'busybox', 'true']);
  const c = JSON.parse(await ok(['inspect', 'mnt1']))[0];
  assert.deepEqual([...c.HostConfig.Binds].sort(), [`${hostDir}:/host:ro`, 'auto1:/data']);
  assert.deepEqual(c.Mounts, [
    { Type: 'volume', Name: 'auto1', Source: join(d.dataRoot, 'volumes', 'auto1', '_data'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    { Type: 'bind', Source: hostDir, Destination: '/host', Mode: 'ro', RW: false, Propagation: 'rprivate' },
  ]);
  assert.ok((await volumeNames()).includes('auto1'));
  const inUse = await d.docker(['volume', 'rm', 'auto1']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, new RegExp(`remove auto1: volume is in use - \\[${c.Id}\\]`));
  await ok(['rm', '-v', 'mnt1']);
  assert.ok((await volumeNames()).includes('auto1'), 'rm -v keeps named volumes');
  await ok(['volume', 'rm', 'auto1']);
});

test('copy-up: an empty volume gets the image content at its destination; nocopy and non-empty volumes do not', async () => {
  const out = await ok(['run', '--rm', '-v', 'cu:/etc', 'busybox', 'cat', '/etc/passwd']);
  assert.match(out, /^root:/m);
  assert.ok(existsSync(join(d.dataRoot, 'volumes', 'cu', '_data', 'passwd')));
  // not empty any more: the next container sees its own changes, no second copy
  await ok(['run', '--rm', '-v', 'cu:/etc', 'busybox', 'rm', '/etc/passwd']);
  const again = await d.docker(['run', '--rm', '-v', 'cu:/etc', 'busybox', 'ls', '/etc/passwd']);
  assert.notEqual(again.code, 0);
  const nocopy = await d.docker(['run', '--rm', '--mount', 'type=volume,src=nc,dst=/etc,volume-nocopy', 'busybox', 'ls', '/etc/passwd']);
  assert.notEqual(nocopy.code, 0);
  await ok(['volume', 'rm', 'cu', 'nc']);
});

test('anonymous volumes: -v /path and --mount without src; removed by rm -v and --rm, kept by plain rm, pruned by default', async () => {
  const before = await volumeNames();
  await ok(['run', '--name', 'anon1', '-v', '/data', 'busybox', 'sh', '-c', 'echo x > /data/f']);
  const m = JSON.parse(await ok(['inspect', 'anon1']))[0].Mounts;
  assert.equal(m.length, 1);
  assert.match(m[0].Name, /^[a-f0-9]{64}$/);
  assert.equal(m[0].Destination, '/data');
  const vol = JSON.parse(await ok(['volume', 'inspect', m[0].Name]))[0];
  assert.deepEqual(vol.Labels, { 'com.docker.volume.anonymous': '' });
  await ok(['rm', '-v', 'anon1']);
  assert.deepEqual(await volumeNames(), before);

  await ok(['run', '--rm', '--mount', 'type=volume,dst=/data', 'busybox', 'true']);
  await until(async () => (await d.api('GET', '/v1.50/containers/json?all=1')).json<unknown[]>().length === 0);
  assert.deepEqual(await volumeNames(), before);

  await ok(['run', '--name', 'anon2', '-v', '/data', 'busybox', 'true']);
  await ok(['rm', 'anon2']);
  await ok(['volume', 'create', 'keepme']);
  const leftover = (await volumeNames()).filter((n) => !before.includes(n) && n !== 'keepme');
  assert.equal(leftover.length, 1);
  const pr = await ok(['volume', 'prune', '-f']);
  assert.match(pr, new RegExp(`Deleted Volumes:\\n${leftover[0]}\\n`));
  assert.match(pr, /Total reclaimed space: 0B/);
  assert.ok((await volumeNames()).includes('keepme'), 'named volumes survive a default prune');
  const all = await ok(['volume', 'prune', '-af']);
  assert.match(all, /keepme/);
  assert.ok(!(await volumeNames()).includes('keepme'));
});

test('binds: rw writes reach the host, ro refuses writes; -v creates a missing host dir, --mount refuses it', async () => {
  await ok(['run', '--rm', '-v', `${hostDir}:/h`, 'busybox', 'sh', '-c', 'echo from-ctr > /h/out']);
  assert.equal(readFileSync(join(hostDir, 'out'), 'utf8'), 'from-ctr\n');
  writeFileSync(join(hostDir, 'in'), 'from-host\n');
  assert.equal((await ok(['run', '--rm', '--mount', `type=bind,source=${hostDir},target=/h,readonly`, 'busybox', 'cat', '/h/in'])).trim(), 'from-host');
  const ro = await d.docker(['run', '--rm', '-v', `${hostDir}:/h:ro`, 'busybox', 'touch', '/h/nope']);
  assert.notEqual(ro.code, 0);
  assert.ok(!existsSync(join(hostDir, 'nope')));

  const missing = join(hostDir, 'made', 'by', 'v');
  await ok(['run', '--rm', '-v', `${missing}:/m`, 'busybox', 'true']);
  assert.ok(existsSync(missing));
  const gone = join(hostDir, 'not-there');
  const r = await d.docker(['run', '--rm', '--mount', `type=bind,src=${gone},dst=/m`, 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, new RegExp(`invalid mount config for type "bind": bind source path does not exist: ${gone}`));
  assert.ok(!existsSync(gone));
  assert.deepEqual((await d.api('GET', '/v1.50/containers/json?all=1')).json(), []);
});

test('tmpfs via --tmpfs and --mount type=tmpfs; --read-only root with writable volumes and tmpfs', async () => {
  const m = await ok(['run', '--rm', '--tmpfs', '/t1:size=1m,exec', '--mount', 'type=tmpfs,dst=/t2,tmpfs-size=2m,tmpfs-mode=1770', 'busybox', 'cat', '/proc/mounts']);
  const t1 = m.split('\n').find((l) => l.split(' ')[1] === '/t1');
  const t2 = m.split('\n').find((l) => l.split(' ')[1] === '/t2');
  assert.match(t1 ?? '', /^tmpfs \/t1 tmpfs rw,nosuid,nodev,.*size=1024k/);
  assert.doesNotMatch(t1 ?? '', /noexec/);
  assert.match(t2 ?? '', /^tmpfs \/t2 tmpfs rw,nosuid,nodev,noexec,.*size=2048k,mode=1770/);

  const ro = await d.docker(['run', '--rm', '--read-only', '-v', 'rovol:/data', '--tmpfs', '/tmp', 'busybox', 'sh', '-c', 'echo v > /data/f && echo t > /tmp/f && cat /data/f /tmp/f && touch /rootfile']);
  assert.notEqual(ro.code, 0);
  assert.equal(ro.stdout, 'v\nt\n');
  assert.match(ro.stderr, /Read-only file system/);
  await ok(['volume', 'rm', 'rovol']);
});

test('--volumes-from copies mounts, with :ro overriding the mode', async () => {
  await ok(['run', '--name', 'vsrc', '-v', 'vfvol:/data', '-v', `${hostDir}:/h`, 'busybox', 'sh', '-c', 'echo shared > /data/f']);
  assert.equal((await ok(['run', '--rm', '--volumes-from', 'vsrc', 'busybox', 'cat', '/data/f', '/h/in'])).trim(), 'shared\nfrom-host');
  const ro = await d.docker(['run', '--rm', '--volumes-from', 'vsrc:ro', 'busybox', 'touch', '/data/g']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  await ok(['rm', 'vsrc']);
  await ok(['volume', 'rm', 'vfvol']);
});

test('berth CLI: volume create/ls/inspect/rm/prune and run -v/--mount', async () => {
  const b = async (args: string[], input?: string) => { const r = await d.berth(args, { input }); assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`); return r.stdout; };
  assert.equal((await b(['volume', 'create', '--label', 'team=a', 'bv1'])).trim(), 'bv1');
  await b(['volume', 'create', '--name', 'bv2', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m']);
  const ls = await b(['volume', 'ls']);
  assert.match(ls, /^DRIVER\s+VOLUME NAME\n/);
  assert.match(ls, /^local\s+bv1$/m);
  assert.equal(await b(['volume', 'ls', '-q', '--filter', 'label=team=a']), 'bv1\n');
  const insp = JSON.parse(await b(['volume', 'inspect', 'bv2']))[0];
  assert.deepEqual(insp.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  // the tmpfs volume is mounted while a container uses it, and only then
  const dataPath = join(d.dataRoot, 'volumes', 'bv2', '_data');
  await b(['run', '-d', '--name', 'bvc', '-v', 'bv2:/t', 'busybox', 'sleep', '60']);
  assert.ok(mountsUnder(dataPath).includes(dataPath));
  assert.match(await b(['run', '--rm', '--mount', 'type=volume,source=bv1,target=/v', 'busybox', 'sh', '-c', 'echo ok > /v/f && cat /v/f']), /ok/);
  const rm = await d.berth(['volume', 'rm', 'bv2']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /volume is in use/);
  await b(['rm', '-f', 'bvc']);
  assert.deepEqual(mountsUnder(dataPath), []);
  assert.equal(await b(['volume', 'rm', 'bv1', 'bv2']), 'bv1\nbv2\n');
  const nope = await d.berth(['volume', 'inspect', 'bv1']);
  assert.equal(nope.code, 1);
  assert.match(nope.stderr, /No such volume: bv1/);
  await b(['run', '--name', 'ban', '-v', '/anon', 'busybox', 'true']);
  await b(['rm', 'ban']);
  const declined = await b(['volume', 'prune'], 'n\n');
  assert.match(declined, /Are you sure you want to continue\? \[y\/N\]/);
  assert.equal((await volumeNames()).length, 1);
  const pr = await b(['volume', 'prune'], 'y\n');
  assert.match(pr, /Deleted Volumes:/);
  assert.deepEqual(await volumeNames(), []);
});

test('image VOLUMEs: anonymous volumes with the image content; a build does not leak the volumes of its steps', async () => {
  const ctx = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}volbuild-`));
  try {
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN mkdir /data && echo from-image > /data/f\nVOLUME /data\nRUN echo changed-after-volume > /data/f\n');
    const before = await volumeNames();
    const b = await d.docker(['build', '-t', 'volimg', ctx], { timeoutMs: 120000 });
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(await volumeNames(), before, 'RUN steps after VOLUME leave no anonymous volumes behind');
    // Docker semantics: changes to a VOLUME directory after its declaration are discarded
    await ok(['run', '--name', 'vi1', 'volimg', 'cat', '/data/f']).then((out) => assert.equal(out.trim(), 'from-image'));
    const m = JSON.parse(await ok(['inspect', 'vi1']))[0].Mounts;
    assert.equal(m.length, 1);
    assert.equal(m[0].Destination, '/data');
    assert.equal(readFileSync(join(m[0].Source, 'f'), 'utf8'), 'from-image\n', 'copied up into the anonymous volume');
    assert.deepEqual((await ok(['ps', '-a', '--filter', `volume=${m[0].Name}`, '--format', '{{.Names}}'])).trim(), 'vi1');
    assert.deepEqual((await ok(['ps', '-a', '--filter', 'volume=/data', '--format', '{{.Names}}'])).trim(), 'vi1');
    assert.deepEqual((await ok(['volume', 'ls', '-q', '--filter', 'dangling=false'])).trim(), m[0].Name);
    await ok(['rm', '-v', 'vi1']);
    assert.deepEqual(await volumeNames(), before);
    await ok(['rmi', 'volimg']);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
});

test('a local volume with type=none,o=bind,device=DIR shows the host directory while in use', async () => {
  const dev = join(hostDir, 'bind-volume-device');
  mkdirSync(dev);
  writeFileSync(join(dev, 'seed'), 'seeded\n');
  await ok(['volume', 'create', '--driver', 'local', '--opt', 'type=none', '--opt', 'o=bind', '--opt', `device=${dev}`, 'bindvol']);
  const dataPath = join(d.dataRoot, 'volumes', 'bindvol', '_data');
  assert.equal((await ok(['run', '--rm', '-v', 'bindvol:/b', 'busybox', 'sh', '-c', 'cat /b/seed; echo back > /b/out'])).trim(), 'seeded');
  assert.equal(readFileSync(join(dev, 'out'), 'utf8'), 'back\n');
  assert.deepEqual(mountsUnder(dataPath), [], 'unmounted after the last user');
  assert.deepEqual(readdirSync(dataPath), []);
  const missing = await d.docker(['volume', 'create', '--opt', 'type=none', '--opt', 'o=bind', '--opt', `device=${join(hostDir, 'nope')}`, 'badbind']);
  assert.equal(missing.code, 0, 'created: the device is only needed at mount time, as Docker');
  const r = await d.docker(['run', '--rm', '-v', 'badbind:/b', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /failed to mount local volume/);
  assert.deepEqual((await d.api('GET', '/v1.50/containers/json?all=1')).json(), []);
  await ok(['volume', 'rm', 'bindvol', 'badbind']);
});

test('volume events: create, mount, unmount, destroy', async () => {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  await ok(['volume', 'create', 'evvol']);
  await ok(['run', '--rm', '-v', 'evvol:/e', 'busybox', 'true']);
  await ok(['volume', 'rm', 'evvol']);
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const ev = await ok(['events', '--since', since, '--until', until, '--filter', 'type=volume', '--filter', 'volume=evvol', '--format', '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}']);
  assert.deepEqual(ev.trim().split('\n'), ['create evvol local', 'mount evvol local', 'unmount evvol local', 'destroy evvol local']);
});

const BAD: { name: string; hostConfig?: Record<string, unknown>; body?: Record<string, unknown>; status: number; message: RegExp }[] = [
  { name: 'a relative host path in Binds', hostConfig: { Binds: ['rel/dir:/x'] }, status: 400, message: /"rel\/dir" includes invalid characters for a local volume name/ },
  { name: 'a relative destination', hostConfig: { Binds: ['okvol:rel'] }, status: 400, message: /invalid mount path: 'rel' mount path must be absolute/ },
  { name: 'a bad mode', hostConfig: { Binds: ['okvol:/x:rw,ro'] }, status: 400, message: /invalid mode: rw,ro/ },
  { name: 'destination /', hostConfig: { Binds: ['okvol:/'] }, status: 400, message: /destination can't be '\/'/ },
  { name: 'an unknown mount type', hostConfig: { Mounts: [{ Type: 'weird', Target: '/x' }] }, status: 400, message: /invalid mount config for type "weird": mount type unknown/ },
  { name: 'an unknown mount field', hostConfig: { Mounts: [{ Type: 'volume', Target: '/x', Bogus: 1 }] }, status: 400, message: /unknown field Bogus/ },
  { name: 'a bind without source', hostConfig: { Mounts: [{ Type: 'bind', Target: '/x' }] }, status: 400, message: /field Source must not be empty/ },
  { name: 'volume options on a bind', hostConfig: { Mounts: [{ Type: 'bind', Source: '/tmp', Target: '/x', VolumeOptions: { NoCopy: true } }] }, status: 400, message: /field VolumeOptions must not be specified/ },
  { name: 'an unknown volume driver', hostConfig: { Mounts: [{ Type: 'volume', Source: 'okvol', Target: '/x', VolumeOptions: { DriverConfig: { Name: 'nfs-plugin' } } }] }, status: 404, message: /error looking up volume plugin nfs-plugin: plugin "nfs-plugin" not found/ },
  { name: 'a bad local driver option', hostConfig: { Mounts: [{ Type: 'volume', Source: 'okvol', Target: '/x', VolumeOptions: { DriverConfig: { Options: { colour: 'red' } } } }] }, status: 400, message: /invalid option: "colour"/ },
  { name: 'duplicate mount points', hostConfig: { Binds: ['okvol:/x'], Mounts: [{ Type: 'tmpfs', Target: '/x' }] }, status: 400, message: /Duplicate mount point: \/x/ },
  { name: 'an unknown --volumes-from container (bad input, as dockerd: TestCreateVolumesFromNonExistingContainer)', hostConfig: { Binds: ['okvol:/x'], VolumesFrom: ['ghost'] }, status: 400, message: /^No such container: ghost$/ },
  { name: 'a second volume failing after a first was created', hostConfig: { Binds: ['okvol:/x', 'bad/name:/y'] }, status: 400, message: /includes invalid characters/ },
];

for (const c of BAD) {
  test(`create with ${c.name} → ${c.status}, no container and no volume left`, async () => {
    const vols = await volumeNames();
    const r = await d.api('POST', '/v1.50/containers/create', { Image: 'busybox', ...(c.body ?? {}), HostConfig: c.hostConfig });
    assert.equal(r.status, c.status, r.body.toString());
    assert.match(r.json<{ message: string }>().message, c.message);
    assert.deepEqual((await d.api('GET', '/v1.50/containers/json?all=1')).json(), []);
    assert.deepEqual(await volumeNames(), vols);
    assert.deepEqual(readdirSync(join(d.dataRoot, 'volumes')).sort(), vols);
  });
}

test('volume API bad input: bad names, unknown drivers, bad options, unknown filters', async () => {
  const cases: [string, string, unknown, number, RegExp][] = [
    ['POST', '/v1.50/volumes/create', { Name: 'bad/name' }, 400, /includes invalid characters for a local volume name/],
    ['POST', '/v1.50/volumes/create', { Name: 'v', Driver: 'flocker' }, 404, /plugin "flocker" not found/],
    ['POST', '/v1.50/volumes/create', { Name: 'vo', DriverOpts: { type: 'tmpfs' } }, 400, /missing required option: "device"/],
    ['POST', '/v1.50/volumes/create', { Name: 'vo', DriverOpts: { size: '1g' } }, 400, /quota size requested but no quota support/],
    ['GET', '/v1.50/volumes?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D', undefined, 400, /invalid filter 'colour'/],
    ['GET', '/v1.50/volumes/nosuch', undefined, 404, /get nosuch: no such volume/],
    ['DELETE', '/v1.50/volumes/nosuch', undefined, 404, /get nosuch: no such volume/],
  ];
  for (const [method, path, body, status, msg] of cases) {
    const r = await d.api(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${r.body}`);
    assert.match(r.json<{ message: string }>().message, msg);
  }
  assert.equal((await d.api('DELETE', '/v1.50/volumes/nosuch?force=1')).status, 204);
  assert.deepEqual(await volumeNames(), []);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'volumes')), []);
});

test('docker CLI refuses bad --mount keys before calling the daemon', async () => {
  const r = await d.docker(['run', '--rm', '--mount', 'type=bind,src=/tmp,dst=/x,colour=red', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unexpected key 'colour'/);
  const b = await d.berth(['run', '--rm', '--mount', 'type=bind,src=/tmp,dst=/x,colour=red', 'busybox', 'true']);
  assert.equal(b.code, 125);
  assert.match(b.stderr, /unexpected key 'colour' in 'colour=red'/);
});

test('kill -9 of berthd: a running user keeps its tmpfs volume mounted; a user that died meanwhile releases it', async () => {
  await ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=2m', 'tv']);
  const dataPath = join(d.dataRoot, 'volumes', 'tv', '_data');
  await ok(['run', '-d', '--name', 'tv1', '-v', 'tv:/t', 'busybox', 'sh', '-c', 'echo kept > /t/f; sleep 300']);
  await ok(['run', '-d', '--name', 'tv2', '-v', 'tv:/t', 'busybox', 'sleep', '300']);
  await d.crash();
  await d.start();
  assert.ok(mountsUnder(dataPath).includes(dataPath), 'still mounted for its running users');
  assert.equal((await ok(['run', '--rm', '-v', 'tv:/t', 'busybox', 'cat', '/t/f'])).trim(), 'kept');
  // now both users die while berthd is down: the restart must unmount the stale tmpfs
  const pids = [JSON.parse(await ok(['inspect', 'tv1']))[0].State.Pid, JSON.parse(await ok(['inspect', 'tv2']))[0].State.Pid];
  await d.crash();
  for (const p of pids) process.kill(p, 'SIGKILL');
  const gone = (p: number) => { try { return /\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8')); } catch { return true; } };
  await until(() => pids.every(gone), 10000);
  await d.start();
  await until(async () => JSON.parse(await ok(['inspect', 'tv1', 'tv2'])).every((c: { State: { Status: string } }) => c.State.Status === 'exited'), 15000);
  await until(() => !mountsUnder(dataPath).includes(dataPath), 10000);
  await ok(['rm', 'tv1', 'tv2']);
  await ok(['volume', 'rm', 'tv']);
  assert.deepEqual(mountsUnder(join(d.dataRoot, 'volumes')), []);
});
