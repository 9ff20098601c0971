/**
 * builder/builder tests — the evaluator against a fake BuildBackend: step
 * output, configs from metadata instructions, cache keys (parent + step +
 * content hash + ARGs RUN sees), reproducible IDs, stages and errors.
 * The fake's "layers" are digests of the scratch directory's listing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, statSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { BuildBackend, BuildImage, RunStepRequest } from './build-backend.js';
import type { ImageConfig } from '../oci/image.js';
import { runBuild, planBuild, exposedPorts, BuildStepError, type BuildRequest } from './builder.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-builder-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function listing(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const n of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    const st = statSync(join(dir, r));
    out.push(`${r} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.isFile() ? readFileSync(join(dir, r), 'utf8') : ''}`);
    if (st.isDirectory()) out.push(...listing(dir, r));
  }
  return out;
}

class FakeBackend implements BuildBackend {
  images = new Map<string, BuildImage>();
  /** image id → files (copied into each mount) */
  files = new Map<string, string>();
  cache = new Map<string, string>();
  runs: RunStepRequest[] = [];
  runExit = 0;
  tags: [string, string][] = [];
  private n = 0;

  constructor() {
    const base: ImageConfig = { architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Env: ['PATH=/bin'], Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: ['sha256:base'] }, history: [{ created: '2024-01-01T00:00:00Z', created_by: 'import' }] };
    this.images.set('sha256:base', { id: 'sha256:base', config: base });
  }
  async resolveImage(ref: string) {
    const img = ref === 'base' ? this.images.get('sha256:base') : this.images.get(ref);
    if (!img) throw Object.assign(new Error(`No such image: ${ref}`), { kind: 'not-found' });
    return img;
  }
  async mount(image: BuildImage | null) {
    const dir = mkdtempSync(join(tmp, `m${this.n++}-`));
    const from = image && this.files.get(image.id);
    if (from) cpSync(from, dir, { recursive: true });
    const before = JSON.stringify(listing(dir));
    return {
      rootfs: dir,
      commitLayer: async () => {
        const now = JSON.stringify(listing(dir));
        if (now === before) return null;
        const id = `sha256:${createHash('sha256').update(now).digest('hex')}`;
        this.files.set(`pending:${id}`, dir);
        return id;
      },
      release: async () => {},
    };
  }
  async run(req: RunStepRequest) {
    this.runs.push(req);
    req.onContainer?.('c'.repeat(64));
    req.onOutput('ran\n', 'stdout');
    const m = await this.mount(req.image);
    writeFileSync(join(m.rootfs, 'ran'), req.argv.join(' '));
    return { exitCode: this.runExit, containerId: 'c'.repeat(64), commitLayer: m.commitLayer, release: m.release };
  }
  async lookupUser(_rootfs: string, spec: string) {
    const [u, g] = spec.split(':');
    return { uid: Number(u), gid: Number(g ?? u) };
  }
  async registerImage(config: ImageConfig, _parent: string | null) {
    const id = `sha256:${createHash('sha256').update(JSON.stringify(config)).digest('hex')}`;
    const img = { id, config };
    this.images.set(id, img);
    const last = config.rootfs.diff_ids[config.rootfs.diff_ids.length - 1];
    const dir = this.files.get(`pending:${last}`);
    if (dir) this.files.set(id, dir);
    else if (_parent && this.files.has(_parent)) this.files.set(id, this.files.get(_parent)!);
    return img;
  }
  cacheGet(key: string) { const id = this.cache.get(key); return id ? this.images.get(id) : undefined; }
  cachePut(key: string, id: string) { this.cache.set(key, id); }
  tag(id: string, ref: string) { this.tags.push([id, ref]); return ref; }
}

function ctxDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'ctx-'));
  for (const [n, t] of Object.entries(files)) { mkdirSync(join(dir, n, '..'), { recursive: true }); writeFileSync(join(dir, n), t); }
  return dir;
}

async function build(b: FakeBackend, dockerfile: string, contextDir: string, over: Partial<BuildRequest> = {}) {
  let out = '';
  const r = await runBuild(b, { contextDir, dockerfile, buildArgs: {}, labels: {}, noCache: false, pull: false, network: 'default', signal: new AbortController().signal, out: (t) => { out += t; }, ...over });
  return { image: r.image, out };
}

test('metadata instructions build the config; steps print the legacy view', async () => {
  const b = new FakeBackend();
  const df = 'FROM base\nENV A=1 B=two\nLABEL k=v\nEXPOSE 3000 53/udp\nUSER 1000\nWORKDIR /app\nVOLUME /data\nSTOPSIGNAL SIGINT\nCMD ["node"]\nENTRYPOINT ["tini", "--"]\n';
  const { image, out } = await build(b, df, ctxDir({}));
  const c = image.config.config!;
  assert.deepEqual(c.Env, ['PATH=/bin', 'A=1', 'B=two']);
  assert.deepEqual(c.Labels, { k: 'v' });
  assert.deepEqual(c.ExposedPorts, { '3000/tcp': {}, '53/udp': {} });
  assert.equal(c.User, '1000');
  assert.equal(c.WorkingDir, '/app');
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.Entrypoint, ['tini', '--']);
  assert.deepEqual(c.Cmd, ['node'], 'CMD set in this stage survives ENTRYPOINT');
  assert.match(out, /^Step 1\/10 : FROM base\n ---> base\n/);
  assert.match(out, /Step 10\/10 : ENTRYPOINT \["tini", "--"\]\n ---> [0-9a-f]{12}\n$/);
  assert.equal(image.config.history!.length, 10);
  assert.equal(image.config.created, '2024-01-01T00:00:00Z', 'the base image\'s created is the default epoch');
  assert.deepEqual(image.config.rootfs.diff_ids.length, 2, 'only WORKDIR added a layer');
});

test('ENTRYPOINT resets an inherited CMD; shell forms use SHELL', async () => {
  const b = new FakeBackend();
  const { image } = await build(b, 'FROM base\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT exec app\n', ctxDir({}));
  assert.deepEqual(image.config.config!.Entrypoint, ['/bin/bash', '-c', 'exec app']);
  assert.equal(image.config.config!.Cmd, undefined);
});

test('the cache: hits on identical steps, misses from a changed COPY source on, ARG values key RUN', async () => {
  const b = new FakeBackend();
  const ctx = ctxDir({ 'a.txt': 'A', 'b.txt': 'B' });
  const df = 'FROM base\nCOPY a.txt /a\nARG V=1\nRUN echo $V\nCOPY b.txt /b\n';
  const first = await build(b, df, ctx);
  assert.equal(b.runs.length, 1);
  assert.deepEqual(b.runs[0].env.filter((e) => e.startsWith('V=')), ['V=1']);
  const second = await build(b, df, ctx);
  assert.equal(second.image.id, first.image.id);
  assert.equal(second.out.match(/Using cache/g)?.length, 4);
  assert.equal(b.runs.length, 1, 'RUN not repeated');

  writeFileSync(join(ctx, 'b.txt'), 'B2');
  const third = await build(b, df, ctx);
  assert.equal(third.out.match(/Using cache/g)?.length, 3, 'only the last COPY re-runs');
  assert.notEqual(third.image.id, first.image.id);

  const fourth = await build(b, df, ctx, { buildArgs: { V: '2' } });
  assert.equal(b.runs.length, 2, 'a new ARG value re-runs RUN');
  assert.equal(fourth.out.match(/Using cache/g)?.length, 1, 'only the COPY before the ARG is cached');

  const nocache = await build(b, df, ctx, { noCache: true });
  assert.doesNotMatch(nocache.out, /Using cache/);
  assert.equal(nocache.image.id, third.image.id, 'same inputs → same image ID without the cache');
});

test('SOURCE_DATE_EPOCH sets the timestamps; unused build args are reported', async () => {
  const b = new FakeBackend();
  const { image, out } = await build(b, 'FROM base\nENV X=1\n', ctxDir({}), { buildArgs: { SOURCE_DATE_EPOCH: '1700000000', UNUSED: 'x' } });
  assert.equal(image.config.created, '2023-11-14T22:13:20Z');
  assert.equal(image.config.history!.at(-1)!.created, '2023-11-14T22:13:20Z');
  assert.match(out, /\[Warning\] One or more build-args \[UNUSED\] were not consumed/);
});

test('stages: COPY --from by name and index, --target, FROM a stage', async () => {
  const b = new FakeBackend();
  const df = 'FROM base AS one\nRUN make\nFROM one AS two\nENV T=2\nFROM base\nCOPY --from=one /ran /got\nCOPY --from=0 /ran /got0\n';
  const { image } = await build(b, df, ctxDir({}));
  const files = b.files.get(image.id)!;
  assert.equal(readFileSync(join(files, 'got'), 'utf8'), '/bin/sh -c make');
  assert.equal(readFileSync(join(files, 'got0'), 'utf8'), '/bin/sh -c make');
  const t = await build(b, df, ctxDir({}), { target: 'two' });
  assert.ok(t.image.config.config!.Env!.includes('T=2'));
  assert.throws(() => planBuild(df, 'nope'), /failed to reach build target nope/);
});

test('errors: failing RUN, COPY outside the context, missing stage', async () => {
  const b = new FakeBackend();
  b.runExit = 7;
  await assert.rejects(build(b, 'FROM base\nRUN false\n', ctxDir({})), (e: unknown) => e instanceof BuildStepError && e.exitCode === 7 && /The command '\/bin\/sh -c false' returned a non-zero code: 7/.test(e.message));
  b.runExit = 0;
  await assert.rejects(build(b, 'FROM base\nCOPY ../x /x\n', ctxDir({})), /forbidden path outside the build context: \.\.\/x/);
  await assert.rejects(build(b, 'FROM base\nCOPY --from=ghost /x /x\n', ctxDir({})), /no build stage and no image named "ghost"/);
  await assert.rejects(build(b, 'FROM base\nCOPY a b c\n', ctxDir({ a: '1', b: '2' })), /destination must be a directory and end with a \//);
  await assert.rejects(build(b, 'FROM base\nRUN --mount=type=cache,target=/x true\n', ctxDir({})), /RUN --mount/);
});

test('exposedPorts normalises like Docker', () => {
  const cases: [string, string[] | RegExp][] = [
    ['80', ['80/tcp']], ['53/UDP', ['53/udp']], ['8000-8002', ['8000/tcp', '8001/tcp', '8002/tcp']], ['x', /invalid containerPort/], ['9-3', /invalid containerPort/],
  ];
  for (const [spec, want] of cases) {
    if (want instanceof RegExp) assert.throws(() => exposedPorts(spec), want);
    else assert.deepEqual(exposedPorts(spec), want);
  }
});

test('HEALTHCHECK and ONBUILD: stored in the config; triggers run in the child build', async () => {
  const b = new FakeBackend();
  const parent = await build(b, 'FROM base\nHEALTHCHECK --interval=5s --retries=2 CMD wget -q localhost\nONBUILD RUN echo triggered\nONBUILD ENV FROM_TRIGGER=1\n', ctxDir({}));
  assert.deepEqual(parent.image.config.config!.Healthcheck, { Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 5e9, Retries: 2 });
  assert.deepEqual(parent.image.config.config!.OnBuild, ['RUN echo triggered', 'ENV FROM_TRIGGER=1']);
  assert.equal(b.runs.length, 0, 'triggers do not run in the parent');
  const child = await build(b, `FROM ${parent.image.id}\nHEALTHCHECK NONE\n`, ctxDir({}));
  assert.match(child.out, /# Executing 2 build triggers\n/);
  assert.equal(b.runs.length, 1);
  assert.deepEqual(b.runs[0].argv, ['/bin/sh', '-c', 'echo triggered']);
  assert.ok(child.image.config.config!.Env!.includes('FROM_TRIGGER=1'));
  assert.equal(child.image.config.config!.OnBuild, undefined, 'triggers are consumed');
  assert.deepEqual(child.image.config.config!.Healthcheck, { Test: ['NONE'] });
});

test('RUN heredocs become one shell script; COPY heredocs become files', async () => {
  const b = new FakeBackend();
  const { image } = await build(b, 'FROM base\nRUN <<EOF\necho a\necho b\nEOF\nRUN cat <<EOT > /x\nhello\nEOT\nCOPY <<conf /etc/app.conf\nk=v\nconf\n', ctxDir({}));
  assert.deepEqual(b.runs[0].argv, ['/bin/sh', '-c', 'echo a\necho b\n']);
  assert.deepEqual(b.runs[1].argv, ['/bin/sh', '-c', 'cat <<EOT > /x\nhello\nEOT']);
  assert.equal(readFileSync(join(b.files.get(image.id)!, 'etc/app.conf'), 'utf8'), 'k=v\n');
});
