/**
 * The builder end to end: the seed example (examples/node-app) built with
 * the unmodified docker CLI against berthd, the cache (edit server.js →
 * every step before `COPY . .` is `Using cache`; surviving a daemon
 * restart), reproducible image IDs with --no-cache, multi-stage builds,
 * RUN semantics, and bad input leaving no image, tag, container or mount.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, symlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, REPO, mountsUnder, until, sleep } from './harness.js';
import { freePort, httpGet } from './net-helpers.js';

const d = new TestDaemon();
let work: string;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'p-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function build(dir: string, args: string[] = [], opts: { input?: string } = {}) {
  return d.docker(['build', ...args, dir], { timeoutMs: 120000, ...opts });
}

async function imageIds(): Promise<string[]> {
  return (await d.api('GET', '/images/json?all=1')).json<{ Id: string }[]>().map((i) => i.Id).sort();
}

async function containerIds(): Promise<string[]> {
  return (await d.api('GET', '/containers/json?all=1')).json<{ Id: string }[]>().map((c) => c.Id);
}

/** Nothing left by a failed build: no new image, no container, no scratch mount. */
async function assertNothingLeft(imagesBefore: string[]) {
  assert.deepEqual(await imageIds(), imagesBefore);
  assert.deepEqual(await containerIds(), []);
  assert.deepEqual(mountsUnder(join(d.dataRoot, 'builder')), []);
}

before(async () => {
  await d.start();
  work = join(d.root, 'work');
  mkdirSync(work);
  await d.importBusybox();
  const tarball = join(d.root, 'node.tar');
  execFileSync('sh', [join(REPO, 'test', 'fixtures', 'make-node-rootfs.sh'), tarball]);
  const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `ENV NODE_VERSION=${process.version.slice(1)}`, 'CMD ["node"]'];
  const r = await d.api('POST', `/images/create?fromSrc=-&repo=node&tag=lts-slim&${changes.map((c) => `changes=${encodeURIComponent(c)}`).join('&')}`, readFileSync(tarball));
  assert.equal(r.status, 200, r.body.toString());
  rmSync(tarball);
});
after(async () => { await d.cleanup(); });

test('seed example: docker build --tag examplenodeapp:1.0 . then images and run', async () => {
  const app = join(work, 'node-app');
  cpSync(join(REPO, 'examples', 'node-app'), app, { recursive: true });
  const r = await d.docker(['build', '--tag', 'examplenodeapp:1.0', '.'], { timeoutMs: 120000, cwd: app });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Step 1\/7 : FROM node:lts-slim/);
  assert.match(r.stdout, /Step 4\/7 : RUN npm install\n ---> Running in [0-9a-f]{12}\n/);
  assert.match(r.stdout, /Successfully built [0-9a-f]{12}\n/);
  assert.match(r.stdout, /Successfully tagged examplenodeapp:1\.0\n/);
  const images = await d.docker(['images']);
  assert.match(images.stdout, /examplenodeapp\s+1\.0\s+[0-9a-f]{12}/);
  // intermediate step images are hidden from `images` (as in Docker), shown with -a
  assert.equal(images.stdout.split('\n').filter((l) => l.startsWith('<none>')).length, 0, images.stdout);
  const inspect = JSON.parse((await d.docker(['image', 'inspect', 'examplenodeapp:1.0'])).stdout)[0];
  assert.deepEqual(inspect.Config.Cmd, ['npm', 'start']);
  assert.equal(inspect.Config.WorkingDir, '/usr/src/app');
  assert.deepEqual(Object.keys(inspect.Config.ExposedPorts), ['3000/tcp']);
  // The app runs: the image's CMD (npm start) serves on 3000 inside the container.
  const script = 'npm start & for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.3; node -e \'require("http").get("http://127.0.0.1:3000",r=>r.pipe(process.stdout)).on("error",()=>process.exit(1))\' && exit 0; done; exit 1';
  const run = await d.docker(['run', '--rm', 'examplenodeapp:1.0', 'sh', '-c', script], { timeoutMs: 30000 });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Hello from examplenodeapp/);
  // and as the main job does: published and reached from the host
  const port = await freePort();
  const ena = await d.docker(['run', '--publish', `${port}:3000`, '--detach', '--name', 'berth-tb-ena', 'examplenodeapp:1.0']);
  assert.equal(ena.code, 0, ena.stderr);
  assert.match(await httpGet('127.0.0.1', port, 20000), /Hello from examplenodeapp/);
  assert.equal((await d.docker(['rm', '-f', 'berth-tb-ena'])).code, 0);
  // npm install ran in the build: its lock file is in the image
  const ls = await d.docker(['run', '--rm', 'examplenodeapp:1.0', 'ls', '/usr/src/app']);
  assert.match(ls.stdout, /package-lock\.json/);
  assert.deepEqual(await containerIds(), []);
});

test('editing only server.js reuses the cache for every step before COPY . .', async () => {
  const app = join(work, 'node-app');
  writeFileSync(join(app, 'server.js'), readFileSync(join(app, 'server.js'), 'utf8').replace('Hello from', 'Hello again from'));
  const r = await d.docker(['build', '--tag', 'examplenodeapp:1.0', '.'], { timeoutMs: 120000, cwd: app });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const steps = r.stdout.split(/^Step /m).slice(1);
  assert.equal(steps.length, 7);
  for (const s of steps.slice(1, 6)) assert.match(s, / ---> Using cache\n/, s);
  assert.doesNotMatch(steps[6], /Using cache/);
  assert.doesNotMatch(r.stdout, /Running in/);
});

test('the cache survives a daemon restart; --no-cache gives the same image ID', async () => {
  const dir = project({ Dockerfile: 'FROM busybox\nRUN echo built > /built.txt\nENV A=1\nCOPY f /f\n', f: 'x' });
  const first = await build(dir, ['-q']);
  assert.equal(first.code, 0, first.stderr);
  const id = first.stdout.trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  await d.stop();
  await d.start();
  const cached = await build(dir);
  assert.equal(cached.code, 0, cached.stderr);
  assert.equal(cached.stdout.match(/Using cache/g)?.length, 3, cached.stdout);
  assert.match(cached.stdout, new RegExp(`Successfully built ${id.slice(7, 19)}`));
  const fresh = await build(dir, ['--no-cache', '-q']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.stdout.trim(), id, 'same Dockerfile + context → same image ID without cache');
  // SOURCE_DATE_EPOCH sets every timestamp (and so changes the ID)
  const epoch = await build(dir, ['-q', '--build-arg', 'SOURCE_DATE_EPOCH=1700000000']);
  assert.equal(epoch.code, 0, epoch.stderr);
  assert.notEqual(epoch.stdout.trim(), id);
  const created = (await d.docker(['image', 'inspect', '--format', '{{.Created}}', epoch.stdout.trim()])).stdout.trim();
  assert.equal(created, '2023-11-14T22:13:20Z');
  const mtime = await d.docker(['run', '--rm', epoch.stdout.trim(), 'stat', '-c', '%Y', '/built.txt', '/f']);
  assert.equal(mtime.stdout, '1700000000\n1700000000\n');
});

test('RUN sees SHELL, ENV, ARG, USER and WORKDIR; metadata instructions land in the config', async () => {
  const dir = project({
    Dockerfile: [
      'FROM busybox',
      'ARG GREETING=hello',
      'ENV WHO=world',
      'WORKDIR /app',
      'WORKDIR sub',
      'RUN echo "$GREETING $WHO $(pwd) $(id -u)" > /app/out.txt',
      'USER 1000:1000',
      'RUN id -u > /tmp/uid',
      'SHELL ["/bin/sh", "-ec"]',
      'RUN ["/bin/sh", "-c", "echo exec-form > /tmp/exec"]',
      'LABEL org.example.k="v 1"',
      'STOPSIGNAL SIGINT',
      'ENTRYPOINT ["/bin/sh", "-c"]',
      'CMD ["cat /app/out.txt /tmp/uid /tmp/exec"]',
      'RUN <<EOF',
      'echo heredoc > /tmp/heredoc',
      'EOF',
      'VOLUME /data',
    ].join('\n') + '\n',
  });
  const r = await build(dir, ['-t', 'berth-tb-cfg:1', '-t', 'berth-tb-cfg:2', '--build-arg', 'GREETING=hi', '--label', 'from.cli=yes']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Successfully tagged berth-tb-cfg:1\nSuccessfully tagged berth-tb-cfg:2\n/);
  const out = await d.docker(['run', '--rm', 'berth-tb-cfg:1']);
  assert.equal(out.stdout, 'hi world /app/sub 0\n1000\nexec-form\n');
  const i = JSON.parse((await d.docker(['image', 'inspect', 'berth-tb-cfg:2'])).stdout)[0];
  assert.equal(i.Config.User, '1000:1000');
  assert.equal(i.Config.WorkingDir, '/app/sub');
  assert.equal(i.Config.StopSignal, 'SIGINT');
  assert.deepEqual(i.Config.Shell, ['/bin/sh', '-ec']);
  assert.deepEqual(i.Config.Labels, { 'org.example.k': 'v 1', 'from.cli': 'yes' });
  assert.deepEqual(i.Config.Volumes, { '/data': {} });
  assert.ok(i.Config.Env.includes('WHO=world'));
  assert.ok(!i.Config.Env.some((e: string) => e.startsWith('GREETING=')), 'ARGs are not persisted');
  const h = await d.docker(['run', '--rm', '--entrypoint', 'cat', 'berth-tb-cfg:1', '/tmp/heredoc']);
  assert.equal(h.stdout, 'heredoc\n');
});

test('multi-stage: COPY --from a stage, --target, and COPY globs / directories / --chown / --chmod', async () => {
  const dir = project({
    Dockerfile: [
      'FROM busybox AS build',
      'RUN mkdir -p /out/bin && echo artifact > /out/bin/a && ln -s a /out/bin/link',
      'FROM busybox AS other',
      'RUN echo other > /other',
      'FROM busybox',
      'COPY --from=build /out/ /dist/',
      'COPY --chown=7:8 --chmod=600 *.txt /txt/',
      'COPY dir /copied',
    ].join('\n') + '\n',
    'a.txt': 'A', 'b.txt': 'B', 'c.md': 'C', 'dir/x/y': 'Y',
  });
  const r = await build(dir, ['-t', 'berth-tb-multi']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = await d.docker(['run', '--rm', 'berth-tb-multi', 'sh', '-c', 'cat /dist/bin/a; readlink /dist/bin/link; stat -c "%u:%g %a %n" /txt/a.txt /txt/b.txt; ls /txt; cat /copied/x/y']);
  assert.equal(out.stdout, 'artifact\na\n7:8 600 /txt/a.txt\n7:8 600 /txt/b.txt\na.txt\nb.txt\nY');
  const t = await build(dir, ['--target', 'other', '-q']);
  assert.equal(t.code, 0, t.stderr);
  const other = await d.docker(['run', '--rm', t.stdout.trim(), 'cat', '/other']);
  assert.equal(other.stdout, 'other\n');
});

test('ADD extracts local tar archives (plain and gzip) and copies other files as they are', async () => {
  const dir = project({ Dockerfile: 'FROM busybox\nADD plain.tar /plain/\nADD gz.tar.gz /gz\nADD notes.txt /notes/\nCMD ["sh", "-c", "cat /plain/a/one /gz/a/one /notes/notes.txt"]\n', 'notes.txt': 'n\n', 'src/a/one': '1\n' });
  execFileSync('tar', ['-C', join(dir, 'src'), '-cf', join(dir, 'plain.tar'), 'a']);
  execFileSync('tar', ['-C', join(dir, 'src'), '-czf', join(dir, 'gz.tar.gz'), 'a']);
  const r = await build(dir, ['-t', 'berth-tb-add']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((await d.docker(['run', '--rm', 'berth-tb-add'])).stdout, '1\n1\nn\n');
});

test('ADD <url>: downloaded by the daemon (redirects followed), mode 0600, never unpacked; --checksum; errors', async () => {
  const tgz = execFileSync('sh', ['-c', 'cd "$0" && mkdir -p s/a && echo 1 > s/a/one && tar -C s -czf - a', work]);
  const served: string[] = [];
  const server = http.createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/files/hello.txt') { res.writeHead(200, { 'content-type': 'text/plain', 'last-modified': 'Tue, 03 Mar 2020 04:05:06 GMT' }); res.end('hello from the web\n'); return; }
    if (req.url === '/files/a.tar.gz') { res.writeHead(200); res.end(tgz); return; }
    if (req.url === '/moved') { res.writeHead(302, { location: '/files/hello.txt' }); res.end(); return; }
    res.writeHead(404); res.end('no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const sum = `sha256:${createHash('sha256').update('hello from the web\n').digest('hex')}`;
    const dir = project({ Dockerfile: [
      'FROM busybox',
      `ADD ${base}/files/hello.txt /web/`,
      `ADD ${base}/moved /web/renamed.txt`,
      `ADD ${base}/files/a.tar.gz /arch/`,
      `ADD --checksum=${sum} ${base}/files/hello.txt /checked`,
      'CMD ["sh", "-c", "cat /web/hello.txt /web/renamed.txt; stat -c \'%a %n\' /web/hello.txt /checked; ls /arch"]',
    ].join('\n') + '\n' });
    const r = await build(dir, ['-t', 'berth-tb-addurl']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Downloaded http:\/\/127\.0\.0\.1:\d+\/files\/hello\.txt: 19 bytes, sha256:/);
    const out = (await d.docker(['run', '--rm', 'berth-tb-addurl'])).stdout;
    assert.equal(out, 'hello from the web\nhello from the web\n600 /web/hello.txt\n600 /checked\na.tar.gz\n');
    assert.ok(served.includes('/moved') && served.includes('/files/a.tar.gz'));
    // the same content again: every step from the cache (the files are downloaded again to know)
    const again = await build(dir, ['-t', 'berth-tb-addurl']);
    assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 5, again.stdout);

    const before = await imageIds();
    for (const [line, msg] of [
      [`ADD ${base}/missing.txt /x`, /ADD http:\/\/127\.0\.0\.1:\d+\/missing\.txt: the server answered 404/],
      [`ADD --checksum=sha256:${'0'.repeat(64)} ${base}/files/hello.txt /x`, /digest mismatch sha256:0{64}: sha256:[a-f0-9]{64}/],
      ['ADD --checksum=sha256:abc local.txt /x', /checksum can't be specified for non-HTTP\(S\) sources/],
      [`ADD ${base}/ /dir/`, /cannot determine filename from url/],
      ['ADD git@github.com:moby/moby.git /src', /git repository is not supported/],
    ] as const) {
      const bad = project({ Dockerfile: `FROM busybox\n${line}\n`, 'local.txt': 'l' });
      const b = await build(bad);
      assert.notEqual(b.code, 0, line);
      assert.match(b.stdout + b.stderr, msg, line);
    }
    await assertNothingLeft(before);
    assert.equal((await d.docker(['rmi', 'berth-tb-addurl'])).code, 0);
  } finally {
    server.close();
  }
});

test('.dockerignore is honoured (CLI and daemon) and the Dockerfile may come from -f or stdin', async () => {
  const dir = project({ Dockerfile: 'FROM busybox\nCOPY . /ctx/\nCMD ["ls", "-A", "/ctx"]\n', '.dockerignore': 'secret*\n*.log\n!keep.log\n', 'secret.txt': 's', 'a.log': 'l', 'keep.log': 'k', 'app.js': 'x', 'alt.Dockerfile': 'FROM busybox\nCMD ["echo", "alt"]\n' });
  const r = await build(dir, ['-t', 'berth-tb-ign']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const ls = await d.docker(['run', '--rm', 'berth-tb-ign']);
  assert.deepEqual(ls.stdout.trim().split('\n').sort(), ['.dockerignore', 'Dockerfile', 'alt.Dockerfile', 'app.js', 'keep.log']);
  const alt = await build(dir, ['-q', '-f', join(dir, 'alt.Dockerfile')]);
  assert.equal(alt.code, 0, alt.stderr);
  assert.equal((await d.docker(['run', '--rm', alt.stdout.trim()])).stdout, 'alt\n');
  const stdin = await d.docker(['build', '-q', '-'], { input: 'FROM busybox\nCMD ["echo", "from stdin"]\n' });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.equal((await d.docker(['run', '--rm', stdin.stdout.trim()])).stdout, 'from stdin\n');
});

test('a failing RUN reports step, command and exit code and leaves no tag and no container', async () => {
  const before = await imageIds();
  const dir = project({ Dockerfile: 'FROM busybox\nRUN echo about to fail && exit 3\nRUN echo never\n' });
  const r = await build(dir, ['-t', 'berth-tb-fail']);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /Step 2\/3 : RUN echo about to fail && exit 3\n ---> Running in [0-9a-f]{12}\nabout to fail\n/);
  assert.match(r.stderr, /The command '\/bin\/sh -c echo about to fail && exit 3' returned a non-zero code: 3/);
  assert.equal((await d.api('GET', '/images/berth-tb-fail/json')).status, 404);
  await assertNothingLeft(before);
});

test('bad input: clear errors, no partial image, no containers, no mounts', async () => {
  const before = await imageIds();
  const outside = join(work, 'outside.txt');
  writeFileSync(outside, 'secret');
  const linkDir = project({ Dockerfile: 'FROM busybox\nCOPY link /x\n' });
  symlinkSync(outside, join(linkDir, 'link'));
  const relLinkDir = project({ Dockerfile: 'FROM busybox\nCOPY rel /x\n' });
  symlinkSync('../outside.txt', join(relLinkDir, 'rel'));
  const cases: [string, string, RegExp][] = [
    ['unknown instruction', project({ Dockerfile: 'FROM busybox\nRUNN echo hi\n' }), /unknown instruction: RUNN \(did you mean RUN\?\)/],
    ['unterminated heredoc', project({ Dockerfile: 'FROM busybox\nRUN <<EOF\necho hi\n' }), /line 2.*(unterminated heredoc|EOF)/i],
    ['COPY ../x', project({ Dockerfile: 'FROM busybox\nRUN echo step-before\nCOPY ../outside.txt /x\n' }), /forbidden path outside the build context: \.\.\/outside\.txt/],
    ['absolute symlink out', linkDir, /forbidden path outside the build context: link/],
    ['relative symlink out', relLinkDir, /forbidden path outside the build context: rel/],
    ['missing --from stage', project({ Dockerfile: 'FROM busybox\nCOPY --from=nosuchstage /a /b\n' }), /--from=nosuchstage: no build stage and no image named "nosuchstage"/],
    ['missing source', project({ Dockerfile: 'FROM busybox\nCOPY nothere /b\n' }), /"\/nothere" not found/],
    // not local, so the builder pulls it — from Docker Hub, which this machine cannot reach
    ['missing base image', project({ Dockerfile: 'FROM berth-tb-nosuch:1\n' }), /No such image: berth-tb-nosuch:1|Get "https:\/\/registry-1\.docker\.io\/v2\/"|pull access denied for berth-tb-nosuch/],
    ['missing target', project({ Dockerfile: 'FROM busybox AS a\n' }), /failed to reach build target nope/],
  ];
  for (const [what, dir, re] of cases) {
    const r = await build(dir, what === 'missing target' ? ['--target', 'nope', '-t', 'berth-tb-bad'] : ['-t', 'berth-tb-bad']);
    assert.notEqual(r.code, 0, `${what}: ${r.stdout}`);
    assert.match(r.stderr, re, `${what}: ${r.stderr}`);
    assert.equal((await d.api('GET', '/images/berth-tb-bad/json')).status, 404, what);
  }
  // the step before the bad COPY was built and cached (as Docker does); nothing else is left
  const after = await imageIds();
  for (const id of before) assert.ok(after.includes(id));
  const extra = after.filter((id) => !before.includes(id));
  assert.ok(extra.length <= 1, `only the cached RUN step remains: ${extra}`);
  assert.deepEqual(await containerIds(), []);
  assert.deepEqual(mountsUnder(join(d.dataRoot, 'builder')), []);
});

test('a client that disconnects mid-RUN cancels the build: its container and mounts go', async () => {
  const before = await imageIds();
  const dir = project({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 60\n' });
  const child = spawn('docker', ['build', '-t', 'berth-tb-cancel', dir], { env: { ...process.env, ...d.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  await until(() => out.includes('\nstarted\n'), 30000);
  assert.equal((await containerIds()).length, 1);
  child.kill('SIGKILL');
  await until(async () => (await containerIds()).length === 0, 15000);
  await sleep(200);
  await assertNothingLeft(before);
});
