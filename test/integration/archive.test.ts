/**
 * The archive API and `docker cp` / `berth cp`: directories in and out of
 * running and stopped containers, through volumes, `-` tar streams, Docker's
 * path rules (`/.` copies contents), read-only refusals — and symlink
 * escapes: links to `/`, `..` chains and absolute links inside a container
 * never read or write anything outside its root.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TestDaemon, TEST_PREFIX, DOCKER, BERTH, mountsUnder } from './harness.js';

const d = new TestDaemon();
let work: string;
let secret: string;

before(async () => {
  await d.start();
  await d.importBusybox();
  work = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}cp-`));
  // a host directory no container may reach: its path does not exist inside containers
  secret = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}secret-`));
  writeFileSync(join(secret, 'secret.txt'), 'host secret\n');
});
after(async () => {
  await d.cleanup();
  rmSync(work, { recursive: true, force: true });
  rmSync(secret, { recursive: true, force: true });
});

async function ok(args: string[], input?: string | Buffer) {
  const r = await d.docker(args, { input });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Run a CLI and keep stdout as bytes (a tar). */
function rawRun(cmd: string, args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env: { ...process.env, ...d.env } });
    const out: Buffer[] = [];
    let err = '';
    c.stdout.on('data', (b: Buffer) => out.push(b));
    c.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const t = setTimeout(() => { c.kill('SIGKILL'); reject(new Error(`timeout: ${args.join(' ')}`)); }, 60000);
    c.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }); });
    c.stdin.end();
  });
}

function tarList(buf: Buffer): string[] {
  const f = join(work, `list-${process.hrtime.bigint()}.tar`);
  writeFileSync(f, buf);
  try { return execFileSync('tar', ['-tf', f]).toString().split('\n').filter(Boolean); } finally { rmSync(f); }
}

async function rootfsOf(name: string): Promise<string> {
  return JSON.parse(await ok(['inspect', name]))[0].GraphDriver.Data.MergedDir;
}

function secretUntouched() {
  assert.deepEqual(readdirSync(secret), ['secret.txt']);
  assert.equal(readFileSync(join(secret, 'secret.txt'), 'utf8'), 'host secret\n');
}

let src: string;

test('docker cp a directory into and out of a running container, with /. and - forms', async () => {
  src = join(work, 'srcdir');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'a.txt'), 'alpha\n');
  writeFileSync(join(src, 'sub', 'b.txt'), 'beta\n');
  symlinkSync('a.txt', join(src, 'link'));
  await ok(['run', '-d', '--name', 'cp1', 'busybox', 'sleep', '300']);
  await ok(['cp', src, 'cp1:/tmp']);
  const root = await rootfsOf('cp1');
  assert.equal(readFileSync(join(root, 'tmp', 'srcdir', 'sub', 'b.txt'), 'utf8'), 'beta\n');
  assert.equal(execFileSync('readlink', [join(root, 'tmp', 'srcdir', 'link')]).toString().trim(), 'a.txt');
  // a destination that does not exist: the directory is created under that name
  await ok(['cp', src, 'cp1:/tmp/renamed']);
  assert.equal(readFileSync(join(root, 'tmp', 'renamed', 'a.txt'), 'utf8'), 'alpha\n');

  const out = join(work, 'out1');
  await ok(['cp', 'cp1:/tmp/srcdir', out]);
  assert.equal(readFileSync(join(out, 'sub', 'b.txt'), 'utf8'), 'beta\n');
  const into = join(work, 'into');
  mkdirSync(into);
  await ok(['cp', 'cp1:/tmp/srcdir/.', into]);
  assert.deepEqual(readdirSync(into).sort(), ['a.txt', 'link', 'sub']);
  await ok(['cp', 'cp1:/etc/passwd', join(work, 'passwd')]);
  assert.match(readFileSync(join(work, 'passwd'), 'utf8'), /^root:/);

  const tarOut = await rawRun(DOCKER, ['cp', 'cp1:/tmp/srcdir', '-']);
  assert.equal(tarOut.code, 0, tarOut.stderr);
  assert.ok(tarList(tarOut.stdout).includes('srcdir/sub/b.txt'));

  const tarIn = execFileSync('tar', ['-C', src, '-cf', '-', 'a.txt', 'sub']);
  await ok(['cp', '-', 'cp1:/root'], tarIn);
  assert.equal(readFileSync(join(root, 'root', 'sub', 'b.txt'), 'utf8'), 'beta\n');
  const missing = await d.docker(['cp', 'cp1:/no/such/file', work]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /Could not find the file \/no\/such\/file in container cp1/);
  await ok(['rm', '-f', 'cp1']);
});

test('docker cp with a stopped container mounts its rootfs only for the copy; volumes and binds are seen through', async () => {
  const hostBind = join(work, 'bind');
  mkdirSync(hostBind);
  await ok(['create', '--name', 'cp2', '-v', 'cpvol:/data', '-v', `${hostBind}:/bound`, '-v', 'cpvol:/rodata:ro', 'busybox', 'true']);
  await ok(['cp', join(src, 'a.txt'), 'cp2:/data/a.txt']);
  await ok(['cp', join(src, 'a.txt'), 'cp2:/bound/']);
  await ok(['cp', join(src, 'a.txt'), 'cp2:/etc/renamed.txt']);
  assert.equal(readFileSync(join(d.dataRoot, 'volumes', 'cpvol', '_data', 'a.txt'), 'utf8'), 'alpha\n');
  assert.equal(readFileSync(join(hostBind, 'a.txt'), 'utf8'), 'alpha\n');
  await ok(['cp', 'cp2:/etc/renamed.txt', join(work, 'back.txt')]);
  assert.equal(readFileSync(join(work, 'back.txt'), 'utf8'), 'alpha\n');
  await ok(['cp', 'cp2:/rodata/a.txt', join(work, 'ro.txt')]);
  const ro = await d.docker(['cp', join(src, 'a.txt'), 'cp2:/rodata/']);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /mounted volume is marked read-only/);
  assert.deepEqual(mountsUnder(join(d.dataRoot, 'containers')), [], 'rootfs unmounted after each copy');
  // the copied file is really in the container: it runs with it
  assert.equal((await ok(['run', '--rm', '--volumes-from', 'cp2', 'busybox', 'cat', '/data/a.txt'])).trim(), 'alpha');
  await ok(['create', '--name', 'cp3', '--read-only', 'busybox', 'true']);
  const rofs = await d.docker(['cp', join(src, 'a.txt'), 'cp3:/tmp/']);
  assert.notEqual(rofs.code, 0);
  assert.match(rofs.stderr, /container rootfs is marked read-only/);
  await ok(['rm', '-v', 'cp2', 'cp3']);
  await ok(['volume', 'rm', 'cpvol']);
});

test('symlink escapes: links to /, .. chains and absolute links never reach the host', async () => {
  const s = secret;
  await ok(['run', '-d', '--name', 'evil', 'busybox', 'sh', '-c',
    `mkdir -p /tmp/d && ln -s / /toroot && ln -s ../../../../../../../../.. /tmp/d/up && ln -s ${s}/secret.txt /abs && ln -s ${s} /absdir && sleep 300`]);
  // the links exist (the container made them); wait until then
  const root = await rootfsOf('evil');
  for (let i = 0; i < 100 && !existsSync(join(root, 'absdir')) ; i++) await new Promise((r) => setTimeout(r, 50));
  const reads: [string, RegExp][] = [
    [`evil:/toroot${s}/secret.txt`, /Could not find the file/],
    [`evil:/tmp/d/up${s}/secret.txt`, /Could not find the file/],
    [`evil:/absdir/secret.txt`, /Could not find the file/],
    [`evil:/absdir/.`, /Could not find the file|not a directory/],
  ];
  for (const [from, re] of reads) {
    const dst = join(work, `leak-${reads.findIndex((r) => r[0] === from)}`);
    const r = await d.docker(['cp', from, dst]);
    assert.notEqual(r.code, 0, `${from} must fail`);
    assert.match(r.stderr, re, from);
    assert.ok(!existsSync(dst), `${from} wrote ${dst}`);
  }
  // -L on an absolute link: followed inside the container, where the target does not exist
  const follow = await d.docker(['cp', '-L', 'evil:/abs', join(work, 'leak-L')]);
  assert.notEqual(follow.code, 0);
  assert.ok(!existsSync(join(work, 'leak-L')));
  // without -L the link itself is copied, pointing where it pointed
  await ok(['cp', 'evil:/abs', join(work, 'abslink')]);
  assert.equal(execFileSync('readlink', [join(work, 'abslink')]).toString().trim(), `${s}/secret.txt`);

  // writes through the links land inside the container or fail, never on the host
  const writes = [`evil:/toroot${s}/`, `evil:/absdir/`, `evil:/tmp/d/up${s}/`, `evil:/abs`];
  for (const to of writes) {
    await d.docker(['cp', join(src, 'a.txt'), to]);
    secretUntouched();
  }
  await ok(['cp', join(src, 'a.txt'), 'evil:/tmp/d/up/']);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'alpha\n', '.. chain stops at the container root');

  // a tar that plants a link and then writes through it, or climbs with ..
  const planted = join(work, 'planted');
  mkdirSync(planted);
  symlinkSync(s, join(planted, 'lnk'));
  mkdirSync(join(work, 'through', 'lnk'), { recursive: true });
  writeFileSync(join(work, 'through', 'lnk', 'pwned'), 'x');
  const t1 = execFileSync('tar', ['-C', planted, '-cf', '-', 'lnk']);
  const t2 = execFileSync('tar', ['-C', join(work, 'through'), '-cf', '-', 'lnk/pwned']);
  const p1 = await d.api('PUT', '/v1.50/containers/evil/archive?path=/tmp', t1, { 'Content-Type': 'application/x-tar' });
  assert.equal(p1.status, 200);
  const p2 = await d.api('PUT', '/v1.50/containers/evil/archive?path=/tmp', t2, { 'Content-Type': 'application/x-tar' });
  assert.notEqual(p2.status, 200);
  secretUntouched();
  const climb = execFileSync('tar', ['-C', work, '-cf', '-', '--transform', 's,^,../../../../,', 'passwd']);
  const p3 = await d.api('PUT', '/v1.50/containers/evil/archive?path=/tmp', climb, { 'Content-Type': 'application/x-tar' });
  assert.equal(p3.status, 400);
  assert.match(p3.json<{ message: string }>().message, /outside of the extraction point/);
  assert.ok(!existsSync(join(root, 'passwd')), 'nothing of a refused archive is written');
  secretUntouched();
  await ok(['rm', '-f', 'evil']);
});

test('archive API bad input: no path, unknown container, extracting onto a file or a missing dir, HEAD stat', async () => {
  await ok(['create', '--name', 'cp4', 'busybox', 'true']);
  const cases: [string, string, number, RegExp][] = [
    ['GET', '/v1.50/containers/cp4/archive', 400, /path cannot be empty/],
    ['GET', '/v1.50/containers/nosuch/archive?path=/etc', 404, /No such container: nosuch/],
    ['PUT', '/v1.50/containers/cp4/archive?path=/etc/passwd', 400, /extraction point is not a directory/],
    ['PUT', '/v1.50/containers/cp4/archive?path=/no/dir', 404, /Could not find the file \/no\/dir in container cp4/],
  ];
  for (const [m, p, status, re] of cases) {
    const r = await d.api(m, p, m === 'PUT' ? Buffer.alloc(1024) : undefined, m === 'PUT' ? { 'Content-Type': 'application/x-tar' } : {});
    assert.equal(r.status, status, `${m} ${p}: ${r.body}`);
    assert.match(r.json<{ message: string }>().message, re);
  }
  const h = await d.api('HEAD', '/v1.50/containers/cp4/archive?path=/etc');
  assert.equal(h.status, 200);
  const stat = JSON.parse(Buffer.from(String(h.headers['x-docker-container-path-stat']), 'base64').toString());
  assert.equal(stat.name, 'etc');
  assert.equal(stat.mode, 2 ** 31 + 0o755, 'Go os.ModeDir | 0755');
  assert.equal(stat.linkTarget, '');
  await ok(['rm', 'cp4']);
  assert.deepEqual(mountsUnder(join(d.dataRoot, 'containers')), []);
});

test('berth cp: both directions, - streams, -a', async () => {
  const b = async (args: string[], input?: Buffer) => { const r = await d.berth(args, { input }); assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`); return r; };
  await ok(['create', '--name', 'bcp', '-u', 'nobody', 'busybox', 'true']);
  await b(['cp', src, 'bcp:/tmp']);
  await b(['cp', '-a', join(src, 'a.txt'), 'bcp:/tmp/owned.txt']);
  const out = join(work, 'bout');
  const r = await b(['cp', 'bcp:/tmp/srcdir', out]);
  assert.match(r.stderr, /Successfully copied/);
  assert.equal(readFileSync(join(out, 'sub', 'b.txt'), 'utf8'), 'beta\n');
  const into = join(work, 'binto');
  mkdirSync(into);
  await b(['cp', 'bcp:/tmp/srcdir/.', into]);
  assert.deepEqual(readdirSync(into).sort(), ['a.txt', 'link', 'sub']);
  const tarOut = await rawRun(process.execPath, [BERTH, 'cp', 'bcp:/tmp/owned.txt', '-']);
  assert.equal(tarOut.code, 0, tarOut.stderr);
  const f = join(work, 'owned.tar');
  writeFileSync(f, tarOut.stdout);
  assert.match(execFileSync('tar', ['--numeric-owner', '-tvf', f]).toString(), /65534\/65534/, '-a gives the file to the container user');
  await b(['cp', '-', 'bcp:/tmp'], execFileSync('tar', ['-C', src, '-cf', '-', 'sub']));
  await b(['cp', 'bcp:/tmp/sub/b.txt', join(work, 'b-from-stdin.txt')]);
  assert.equal(readFileSync(join(work, 'b-from-stdin.txt'), 'utf8'), 'beta\n');
  // hard links inside the container come out as hard links, with both CLIs
  await ok(['run', '--name', 'hl', 'busybox', 'sh', '-c', 'mkdir /hl && echo x > /hl/a && ln /hl/a /hl/b']);
  for (const [cli, dir] of [['berth', join(work, 'hl-berth')], ['docker', join(work, 'hl-docker')]] as const) {
    const r = cli === 'berth' ? await d.berth(['cp', 'hl:/hl', dir]) : await d.docker(['cp', 'hl:/hl', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(dir, 'b')).ino, statSync(join(dir, 'a')).ino, `${cli}: one inode`);
  }
  await ok(['rm', 'hl']);
    const bad = await d.berth(['cp', 'nocolon', 'alsonocolon']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /must specify at least one container source/);
  await ok(['rm', 'bcp']);
});

test("a created (never started) container has Docker's init layer: /etc/resolv.conf, hosts, hostname, /.dockerenv, /dev/console, /etc/mtab, mount points — in cp and export, not in diff", async () => {
  const id = (await ok(['create', '--name', 'cp-init', 'busybox', 'sh'])).trim();
  const stat = async (p: string) => {
    const r = await d.api('HEAD', `/containers/${id}/archive?path=${encodeURIComponent(p)}`);
    const h = r.headers['x-docker-container-path-stat'];
    return { status: r.status, stat: h ? JSON.parse(Buffer.from(String(h), 'base64').toString()) : undefined };
  };
  // dockerd 20.10 for a created busybox container: 200, {"name":"resolv.conf","size":0,"mode":493,…} (empty, 0755)
  for (const p of ['/etc/resolv.conf', '/etc/hosts', '/etc/hostname', '/.dockerenv', '/dev/console']) {
    const { status, stat: st } = await stat(p);
    assert.equal(status, 200, p);
    assert.deepEqual([st.name, st.size, st.mode], [p.split('/').pop(), 0, 0o755], p);
  }
  const mtab = await stat('/etc/mtab');
  assert.equal(mtab.stat.linkTarget, '/proc/mounts');
  for (const p of ['/dev/pts', '/dev/shm', '/proc', '/sys']) assert.ok((await stat(p)).stat.mode >= 2 ** 31, `${p} is a directory`);
  // docker cp gets the empty file (dockerode's getArchive({path: '/etc/resolv.conf'}) answered 404)
  const tarOut = execFileSync(DOCKER, ['cp', `${id}:/etc/resolv.conf`, '-'], { env: { ...process.env, ...d.env } });
  const listing = execFileSync('tar', ['-tv', '--numeric-owner'], { input: tarOut }).toString();
  assert.match(listing, /^-rwxr-xr-x 0\/0\s+0 [^\n]* resolv\.conf\n$/);
  // dockerd: docker diff of a created container is empty; export lists the init layer's entries
  assert.equal(await ok(['diff', id]), '');
  const tarPath = join(work, 'created-export.tar');
  await ok(['export', '-o', tarPath, id]);
  const names = execFileSync('tar', ['-tf', tarPath]).toString().split('\n');
  for (const n of ['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab', 'dev/console', 'dev/pts/', 'dev/shm/', 'proc/', 'sys/']) assert.ok(names.includes(n), `${n} exported`);
  // started and stopped: the files berthd writes are what cp reads, the diff stays empty, a commit has no layer
  await ok(['start', '-a', id], '');
  assert.match(await ok(['cp', `${id}:/etc/hostname`, '-']), new RegExp(id.slice(0, 12)));
  assert.equal(await ok(['diff', id]), '');
  const img = (await ok(['commit', id, 'cp-init-img:1'])).trim();
  const layers = JSON.parse(await ok(['image', 'inspect', img]))[0].RootFS.Layers;
  assert.equal(layers.length, JSON.parse(await ok(['image', 'inspect', 'busybox']))[0].RootFS.Layers.length, 'the init layer is not committed');
  await ok(['rm', id]);
  await ok(['rmi', 'cp-init-img:1']);
});
