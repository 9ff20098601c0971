/**
 * builder/builder — the Dockerfile evaluator: walks the parsed stages up to
 * the target, dispatches each instruction against a BuildBackend, and
 * writes the legacy builder's progress text (`Step 2/7 : WORKDIR …`,
 * ` ---> Using cache`, ` ---> <short id>`).
 *
 * Every step yields one image whose parent is the previous step's image:
 * filesystem steps (RUN, COPY, ADD, WORKDIR) add at most one layer,
 * metadata steps change the config only; `history` records every step.
 * A step is looked up in the cache by its key — parent image ID + the
 * expanded instruction (+ the content hash of COPY/ADD sources, downloaded
 * again for `ADD <url>` as Docker's builder does, + the
 * build-time variables RUN sees, + the timestamp in use) — before any work.
 *
 * Reproducible by default: every `created` time and every file timestamp in
 * a layer is the build's epoch — `SOURCE_DATE_EPOCH` (build arg) if given,
 * else the base image's own `created` (0 for `FROM scratch`) — so the same
 * Dockerfile, context and base give the same image ID, with or without cache.
 *
 * May import: builder/*, oci, lib, errdefs.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { BerthError, invalidArgument, notFound, notImplemented } from '../errdefs/errors.js';
import type { HistoryEntry, ImageConfig, ImageRunConfig } from '../oci/image.js';
import {
  parseDockerfile, createStageScope, expandFrom, resolveMetaArgs,
  type Instruction, type Stage, type ParseResult, type CopyInstruction, type AddInstruction, type RunInstruction, type StageScope,
} from './dockerfile/index.js';
import type { BuildBackend, BuildImage, PendingLayer, ScratchMount } from './build-backend.js';
import { copyIntoRootfs, hashSources, resolveSources, type ResolvedSource } from './copy-sources.js';
import { downloadRemote, remoteFileName, REMOTE_URL_RE } from './remote-source.js';
import { writeInRoot } from './tar-extract.js';
import { secureMkdirAll } from '../lib/secure-join.js';

export interface BuildRequest {
  /** Host directory with the (already filtered) context. */
  contextDir: string;
  dockerfile: string;
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  pull: boolean;
  /** Network mode for RUN steps (`default`, `none`, `host`, `bridge`, …). */
  network: string;
  /** `--add-host` entries (`name:ip`) for RUN steps' /etc/hosts. */
  extraHosts?: string[];
  /**
   * `--cache-from`, resolved at the build's start: when given, a cached step
   * counts only if its image is in this set (the named images and their
   * ancestors, as dockerd's classic builder; unknown names add nothing).
   */
  cacheFrom?: ReadonlySet<string>;
  platform?: string;
  signal: AbortSignal;
  /** Progress text, line-oriented (each call ends with `\n` except RUN output). */
  out: (text: string) => void | Promise<void>;
  /** The same progress as events (a BuildKit-style view: one vertex per step). */
  progress?: BuildProgress;
}

/** A build's steps as events: a step begins, it was cached, it printed output. */
export interface BuildProgress {
  /** `pos` of `count` steps of stage `stage` (of `stages`); `text` is the instruction as written. */
  step(s: { stage: number; stageName?: string; stages: number; pos: number; count: number; text: string }): void;
  cached(): void;
  log(text: string, stream: 'stdout' | 'stderr'): void;
}

export interface BuildResult {
  image: BuildImage;
}

/** Docker's build-time proxy args: usable without ARG, never in the image or cache key. */
export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** A RUN step that exited non-zero; `exitCode` goes into the stream's errorDetail. */
export class BuildStepError extends BerthError {
  /** `command`: the step's argv joined, as both builders name it. */
  constructor(readonly command: string, readonly exitCode: number) {
    super('BUILD_STEP_FAILED', `The command '${command}' returned a non-zero code: ${exitCode}`);
  }

  /** BuildKit's wording for the same failure. */
  get buildkitMessage(): string {
    return `process "${this.command}" did not complete successfully: exit code: ${this.exitCode}`;
  }
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const DEFAULT_SHELL = ['/bin/sh', '-c'];

function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** What a stage has built so far. */
interface StageState {
  image: BuildImage | null;
  runConfig: ImageRunConfig;
  diffIds: string[];
  history: HistoryEntry[];
  architecture: string;
  os: string;
  author?: string;
  scope: StageScope;
  cmdSet: boolean;
  /** Build args this stage declared with ARG (for the unused-args warning and RUN's key). */
  declaredArgs: Set<string>;
}

/** Parse the Dockerfile and count the steps up to the target; throws parse errors before any work. */
export function planBuild(dockerfile: string, target?: string): { parsed: ParseResult; stages: Stage[]; steps: number } {
  const parsed = parseDockerfile(dockerfile);
  let last = parsed.stages.length - 1;
  if (target) {
    const t = target.toLowerCase();
    last = parsed.stages.findIndex((s) => s.name === t);
    if (last < 0) throw notFound(`failed to reach build target ${target} in Dockerfile`, 'NO_SUCH_BUILD_STAGE');
  }
  const stages = parsed.stages.slice(0, last + 1);
  const steps = stages.reduce((n, s) => n + 1 + s.instructions.length, 0);
  return { parsed, stages, steps };
}

function envPairs(env: string[] | undefined): [string, string][] {
  return (env ?? []).map((e) => { const i = e.indexOf('='); return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)]; });
}

function parseEpoch(v: string | undefined | null): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw invalidArgument(`invalid SOURCE_DATE_EPOCH: ${v}`);
  return Number(v);
}

export async function runBuild(backend: BuildBackend, req: BuildRequest): Promise<BuildResult> {
  const { parsed, stages, steps } = planBuild(req.dockerfile, req.target);
  const esc = parsed.escapeChar;
  const buildArgs: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.buildArgs)) if (v !== null && v !== undefined) buildArgs[k] = v;
  const metaArgs = resolveMetaArgs(parsed.metaArgs, { buildArgs, escapeChar: esc });
  const consumed = new Set<string>([...parsed.metaArgs.flatMap((a) => a.args.map((x) => x.key)), ...PROXY_ARGS, 'SOURCE_DATE_EPOCH']);
  const fixedEpoch = parseEpoch(buildArgs.SOURCE_DATE_EPOCH);
  const results: BuildImage[] = [];
  const stageNames = new Map<string, number>();
  let step = 0;
  let final: BuildImage | null = null;
  let epochSeconds = fixedEpoch ?? 0;

  const checkAbort = () => {
    if (req.signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
  };

  for (const stage of stages) {
    checkAbort();
    const from = expandFrom(stage.from, metaArgs, esc);
    step++;
    req.out(`Step ${step}/${steps} : ${stage.from.original}\n`);
    const count = stage.instructions.length + 1;
    req.progress?.step({ stage: stage.index, stageName: stage.name, stages: stages.length, pos: 1, count, text: `FROM ${from.image}` });
    let base: BuildImage | null = null;
    const fromName = from.image.toLowerCase();
    if (stageNames.has(fromName)) base = results[stageNames.get(fromName)!];
    else if (fromName !== 'scratch') {
      base = await backend.resolveImage(from.image, { pull: req.pull, platform: from.platform ?? req.platform, signal: req.signal, onProgress: (l) => req.out(l) });
    }
    if (base) req.out(` ---> ${short(base.id)}\n`);
    if (fixedEpoch === undefined) {
      const t = base?.config.created ? Date.parse(base.config.created) : NaN;
      epochSeconds = Number.isFinite(t) ? Math.floor(t / 1000) : 0;
    }
    const st: StageState = {
      image: base,
      runConfig: structuredClone(base?.config.config ?? {}),
      diffIds: [...(base?.config.rootfs?.diff_ids ?? [])],
      history: [...(base?.config.history ?? [])],
      architecture: base?.config.architecture ?? hostArch(),
      os: base?.config.os ?? 'linux',
      author: base?.config.author,
      scope: createStageScope({ escapeChar: esc, metaArgs, buildArgs, baseEnv: envPairs(base?.config.config?.Env) }),
      cmdSet: false,
      declaredArgs: new Set(),
    };
    const ctx = { backend, req, st, epochSeconds, results, stageNames, stageIndex: stage.index, esc };

    const triggers = st.runConfig.OnBuild ?? [];
    st.runConfig.OnBuild = null;
    if (triggers.length) {
      req.out(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      for (const t of triggers) {
        const trig = parseDockerfile(`FROM scratch\n${t}\n`).stages[0].instructions[0];
        await dispatch(ctx, trig);
      }
    }

    for (const [i, instr] of stage.instructions.entries()) {
      checkAbort();
      step++;
      req.out(`Step ${step}/${steps} : ${instr.original}\n`);
      req.progress?.step({ stage: stage.index, stageName: stage.name, stages: stages.length, pos: i + 2, count, text: instr.original });
      await dispatch(ctx, instr);
      if (instr.kind === 'arg') for (const a of instr.args) consumed.add(a.key);
    }
    if (!st.image) {
      // FROM scratch with nothing else: still an (empty) image
      await commitStep(ctx, ['EMPTY'], 'FROM scratch', undefined, true);
    }
    results[stage.index] = st.image!;
    if (stage.name) stageNames.set(stage.name, stage.index);
    final = st.image;

    if (stage === stages[stages.length - 1] && Object.keys(req.labels).length) {
      st.runConfig.Labels = { ...(st.runConfig.Labels ?? {}), ...req.labels };
      const keys = Object.keys(req.labels).sort();
      await commitStep(ctx, ['LABELS', keys.map((k) => [k, req.labels[k]])], `LABEL ${keys.map((k) => `${k}=${req.labels[k]}`).join(' ')}`, undefined, true);
      final = st.image;
    }
  }

  const unused = Object.keys(req.buildArgs).filter((k) => !consumed.has(k)).sort();
  if (unused.length) req.out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  return { image: final! };
}

interface Ctx {
  backend: BuildBackend;
  req: BuildRequest;
  st: StageState;
  epochSeconds: number;
  results: BuildImage[];
  stageNames: Map<string, number>;
  stageIndex: number;
  esc: string;
}

/**
 * Look the step up in the cache; on a miss do `work` (which returns the
 * changes to commit as a layer), build the config and register the image.
 */
async function commitStep(ctx: Ctx, keyParts: unknown[], createdBy: string, work?: () => Promise<PendingLayer>, quietId = false): Promise<void> {
  const { backend, req, st } = ctx;
  const key = createHash('sha256').update(JSON.stringify([st.image?.id ?? 'scratch', ctx.epochSeconds, ...keyParts])).digest('hex');
  if (!req.noCache) {
    const hit = backend.cacheGet(key, req.cacheFrom);
    if (hit) {
      if (!quietId) { req.out(' ---> Using cache\n'); req.progress?.cached(); }
      adopt(st, hit);
      if (!quietId) req.out(` ---> ${short(hit.id)}\n`);
      return;
    }
  }
  // RFC 3339 without fractional seconds, as Go prints a whole-second time
  const created = new Date(ctx.epochSeconds * 1000);
  const createdText = created.toISOString().replace(/\.000Z$/, 'Z');
  let diffId: string | null = null;
  if (work) {
    const pending = await work();
    try {
      diffId = await pending.commitLayer(created);
    } finally {
      await pending.release();
    }
  }
  const entry: HistoryEntry = { created: createdText, created_by: createdBy, comment: 'buildkit.dockerfile.v0' };
  if (!diffId) entry.empty_layer = true;
  const config: ImageConfig = {
    architecture: st.architecture,
    os: st.os,
    created: createdText,
    ...(st.author ? { author: st.author } : {}),
    config: cleanRunConfig(st.runConfig),
    rootfs: { type: 'layers', diff_ids: diffId ? [...st.diffIds, diffId] : [...st.diffIds] },
    history: [...st.history, entry],
  };
  const img = await backend.registerImage(config, st.image?.id ?? null);
  backend.cachePut(key, img.id);
  adopt(st, img);
  if (!quietId) req.out(` ---> ${short(img.id)}\n`);
}

function adopt(st: StageState, img: BuildImage): void {
  st.image = img;
  st.diffIds = [...(img.config.rootfs?.diff_ids ?? [])];
  st.history = [...(img.config.history ?? [])];
  st.runConfig = structuredClone(img.config.config ?? {});
}

/** Drop empty/null fields so equal configs serialise equally. */
function cleanRunConfig(c: ImageRunConfig): ImageRunConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
    out[k] = v;
  }
  return out as ImageRunConfig;
}

function resolvePath(workdir: string | undefined, p: string): string {
  return posix.normalize(p.startsWith('/') ? p : posix.join(workdir || '/', p));
}

function shellWrap(st: StageState, cmd: { form: 'shell'; command: string } | { form: 'exec'; argv: string[] }): string[] {
  return cmd.form === 'exec' ? cmd.argv : [...(st.runConfig.Shell?.length ? st.runConfig.Shell : DEFAULT_SHELL), cmd.command];
}

async function dispatch(ctx: Ctx, raw: Instruction): Promise<void> {
  const { st } = ctx;
  const i = st.scope.apply(raw);
  const rc = st.runConfig;
  switch (i.kind) {
    case 'workdir': {
      const path = resolvePath(rc.WorkingDir, i.path);
      rc.WorkingDir = path;
      await commitStep(ctx, ['WORKDIR', path], `WORKDIR ${path}`, async () => {
        const m = await ctx.backend.mount(st.image);
        try { await secureMkdirAll(m.rootfs, path, 0o755); } catch (err) { await m.release(); throw err; }
        return m;
      });
      return;
    }
    case 'env': {
      rc.Env = [...st.scope.imageEnv].map(([k, v]) => `${k}=${v}`);
      return commitStep(ctx, ['ENV', rc.Env], `ENV ${i.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
    }
    case 'arg': {
      for (const a of i.args) st.declaredArgs.add(a.key);
      return commitStep(ctx, ['ARG', i.args], `ARG ${i.args.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`)).join(' ')}`);
    }
    case 'label': {
      rc.Labels = { ...(rc.Labels ?? {}) };
      for (const p of i.pairs) rc.Labels[p.key] = p.value;
      return commitStep(ctx, ['LABEL', i.pairs.map((p) => [p.key, p.value])], `LABEL ${i.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`);
    }
    case 'expose': {
      rc.ExposedPorts = { ...(rc.ExposedPorts ?? {}) };
      for (const p of i.ports) for (const port of exposedPorts(p)) rc.ExposedPorts[port] = {};
      return commitStep(ctx, ['EXPOSE', i.ports], `EXPOSE map[${i.ports.flatMap(exposedPorts).map((p) => `${p}:{}`).join(' ')}]`);
    }
    case 'user':
      rc.User = i.user;
      return commitStep(ctx, ['USER', i.user], `USER ${i.user}`);
    case 'volume': {
      rc.Volumes = { ...(rc.Volumes ?? {}) };
      for (const p of i.paths) {
        if (!p.trim()) throw invalidArgument('VOLUME specified can not be an empty string');
        rc.Volumes[p] = {};
      }
      return commitStep(ctx, ['VOLUME', i.paths], `VOLUME [${i.paths.join(' ')}]`);
    }
    case 'cmd': {
      rc.Cmd = shellWrap(st, i.command);
      st.cmdSet = true;
      return commitStep(ctx, ['CMD', rc.Cmd], `CMD ${JSON.stringify(rc.Cmd)}`);
    }
    case 'entrypoint': {
      rc.Entrypoint = shellWrap(st, i.command);
      if (!st.cmdSet) rc.Cmd = null;
      return commitStep(ctx, ['ENTRYPOINT', rc.Entrypoint, rc.Cmd ?? null], `ENTRYPOINT ${JSON.stringify(rc.Entrypoint)}`);
    }
    case 'shell':
      rc.Shell = i.shell;
      return commitStep(ctx, ['SHELL', i.shell], `SHELL ${JSON.stringify(i.shell)}`);
    case 'stopsignal':
      rc.StopSignal = i.signal;
      return commitStep(ctx, ['STOPSIGNAL', i.signal], `STOPSIGNAL ${i.signal}`);
    case 'healthcheck': {
      if (i.test[0] === 'NONE') rc.Healthcheck = { Test: ['NONE'] };
      else {
        rc.Healthcheck = { Test: i.test };
        if (i.interval) rc.Healthcheck.Interval = i.interval;
        if (i.timeout) rc.Healthcheck.Timeout = i.timeout;
        if (i.startPeriod) rc.Healthcheck.StartPeriod = i.startPeriod;
        if (i.startInterval) rc.Healthcheck.StartInterval = i.startInterval;
        if (i.retries) rc.Healthcheck.Retries = i.retries;
      }
      return commitStep(ctx, ['HEALTHCHECK', rc.Healthcheck], `HEALTHCHECK ${JSON.stringify(rc.Healthcheck)}`);
    }
    case 'onbuild':
      rc.OnBuild = [...(rc.OnBuild ?? []), i.expression];
      return commitStep(ctx, ['ONBUILD', i.expression], `ONBUILD ${i.expression}`);
    case 'maintainer':
      st.author = i.maintainer;
      return commitStep(ctx, ['MAINTAINER', i.maintainer], `MAINTAINER ${i.maintainer}`);
    case 'run':
      return runStep(ctx, i);
    case 'copy':
    case 'add':
      return copyStep(ctx, i);
    case 'from':
      throw invalidArgument('FROM inside a stage');
  }
}

/** `3000` → `3000/tcp`; `8000-8001/udp` → each port. */
export function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw invalidArgument(`invalid containerPort: ${spec}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  if (lo < 0 || hi > 65535 || hi < lo) throw invalidArgument(`invalid containerPort: ${spec}`);
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}

async function runStep(ctx: Ctx, i: RunInstruction): Promise<void> {
  const { st, req, backend } = ctx;
  if (i.mounts.length) throw notImplemented('RUN --mount is a BuildKit feature the legacy builder (and berth) does not support');
  let argv: string[];
  if (i.command.form === 'exec') argv = i.command.argv;
  else {
    const body = i.heredocs.length === 1 && i.command.command.trim() === `<<${i.heredocs[0].chomp ? '-' : ''}${i.heredocs[0].name}`
      ? i.heredocs[0].content
      : [i.command.command, ...i.heredocs.map((h) => `${h.content}${h.name}`)].join('\n');
    argv = shellWrap(st, { form: 'shell', command: body });
  }
  // The variables RUN sees: the image's ENV plus the build-time ARGs (and proxy args), like Docker.
  const env = new Map<string, string>();
  for (const [k, v] of st.scope.env) env.set(k, v);
  const buildArgs = req.buildArgs;
  for (const k of PROXY_ARGS) { const v = buildArgs[k]; if (typeof v === 'string') env.set(k, v); }
  const envList = [...env].map(([k, v]) => `${k}=${v}`);
  const argEnv = [...env].filter(([k]) => !st.scope.imageEnv.has(k) && !PROXY_ARGS.includes(k)).map(([k, v]) => `${k}=${v}`).sort();
  const network = i.network === 'default' ? req.network : i.network;
  const createdBy = `RUN ${i.command.form === 'exec' ? JSON.stringify(argv) : argv.join(' ')} # buildkit`;
  await commitStep(ctx, ['RUN', argv, argEnv, network], createdBy, async () => {
    if (!st.image) throw invalidArgument('RUN needs a base image with a shell: this stage starts FROM scratch and has no files to run');
    let cid = '';
    const res = await backend.run({
      image: st.image,
      argv,
      env: envList,
      user: st.runConfig.User ?? '',
      workdir: st.runConfig.WorkingDir || '/',
      network,
      extraHosts: req.extraHosts,
      signal: req.signal,
      onContainer: (id) => { cid = id; req.out(` ---> Running in ${short(id)}\n`); },
      onOutput: (t, stream) => {
        req.progress?.log(t, stream);
        // stderr in red, each write wrapped as dockerd's builder does (docker-py checks for it)
        return req.out(stream === 'stderr' ? `\x1b[91m${t}\x1b[0m` : t);
      },
    });
    if (res.exitCode !== 0) {
      await res.release();
      throw new BuildStepError(argv.join(' '), res.exitCode);
    }
    return {
      commitLayer: (mtime) => res.commitLayer(mtime),
      release: async () => { await res.release(); if (cid) req.out(` ---> Removed intermediate container ${short(cid)}\n`); cid = ''; },
    };
  });
}

const GIT_RE = /^(git@|git:\/\/)|\.git(#.*)?$/;

async function copyStep(ctx: Ctx, i: CopyInstruction | AddInstruction): Promise<void> {
  const { st, req, backend } = ctx;
  const name = i.kind.toUpperCase();
  if (i.kind === 'add' && i.sources.some((s) => GIT_RE.test(s))) {
    throw notImplemented('ADD from a git repository is not supported by berth; clone it into the build context and COPY it');
  }
  const remote = i.kind === 'add' ? i.sources.filter((s) => REMOTE_URL_RE.test(s)) : [];
  if (i.kind === 'add' && i.checksum !== undefined && (remote.length !== i.sources.length || !remote.length)) {
    throw invalidArgument("checksum can't be specified for non-HTTP(S) sources");
  }
  const from = i.kind === 'copy' ? i.from : undefined;

  // Where sources come from: the context, an earlier stage, or an image.
  let fromImage: BuildImage | undefined;
  if (from !== undefined) {
    const f = from.toLowerCase();
    if (/^\d+$/.test(f)) {
      const idx = Number(f);
      if (idx >= ctx.stageIndex || !ctx.results[idx]) throw notFound(`invalid from flag value ${from}: refers to current or future build stage`, 'NO_SUCH_BUILD_STAGE');
      fromImage = ctx.results[idx];
    } else if (ctx.stageNames.has(f)) fromImage = ctx.results[ctx.stageNames.get(f)!];
    else {
      try {
        fromImage = await backend.resolveImage(from, { pull: false, signal: req.signal });
      } catch (err) {
        throw notFound(`COPY --from=${from}: no build stage and no image named ${JSON.stringify(from)}`, 'NO_SUCH_BUILD_STAGE', err);
      }
    }
  }
  let srcMount: ScratchMount | undefined;
  let downloads: string | undefined;
  try {
    let root = req.contextDir;
    let what = 'build context';
    if (fromImage) {
      srcMount = await backend.mount(fromImage);
      root = srcMount.rootfs;
      what = `source image ${from}`;
    }
    const local = i.sources.filter((s) => !remote.includes(s));
    const resolvedLocal = local.length ? await resolveSources(root, local, what) : [];
    const fetched = new Map<string, ResolvedSource>();
    if (remote.length) {
      downloads = await mkdtemp(join(tmpdir(), 'berth-add-'));
      const toDir = i.dest.endsWith('/') || /(^|\/)\.{1,2}$/.test(i.dest) || i.dest === '' || i.sources.length > 1;
      for (const [n, url] of remote.entries()) {
        if (toDir && !remoteFileName(url)) throw invalidArgument(`cannot determine filename from url: ${url}`);
        const dir = join(downloads, String(n));
        await mkdir(dir);
        const f = await downloadRemote(url, dir, { checksum: i.kind === 'add' ? i.checksum : undefined, signal: req.signal });
        req.out(`Downloaded ${url}: ${f.stat.size} bytes, ${f.digest}\n`);
        fetched.set(url, { written: url, rel: f.name || 'download', abs: f.path, stat: f.stat, remote: true });
      }
    }
    // sources in the order written (local patterns may expand to several)
    const resolved: ResolvedSource[] = [];
    for (const s of i.sources) {
      if (fetched.has(s)) resolved.push(fetched.get(s)!);
      else resolved.push(...resolvedLocal.filter((r) => r.written === s && !resolved.includes(r)));
    }
    const contentKey = fromImage ? [fromImage.id, resolved.map((r) => r.rel)] : await hashSources(resolved);
    const dest = resolvePath(st.runConfig.WorkingDir, i.dest);
    const destIsDir = i.dest.endsWith('/') || /(^|\/)\.{1,2}$/.test(i.dest) || (i.dest === '' );
    let chmod: number | undefined;
    if (i.chmod !== undefined) {
      if (!/^[0-7]{3,4}$/.test(i.chmod)) throw invalidArgument(`invalid chmod parameter: ${i.chmod}`);
      chmod = parseInt(i.chmod, 8);
    }
    const heredocs = i.heredocs.map((h) => [h.path, h.content]);
    const createdBy = `${name} ${[...i.sources, ...i.heredocs.map((h) => `<<${h.path}`)].join(' ')} ${i.dest} # buildkit`;
    await commitStep(ctx, [name, contentKey, heredocs, dest, destIsDir, i.chown ?? null, chmod ?? null], createdBy, async () => {
      const m = await backend.mount(st.image);
      try {
        const owner = i.chown ? await backend.lookupUser(m.rootfs, i.chown) : { uid: 0, gid: 0 };
        if (resolved.length) await copyIntoRootfs(m.rootfs, resolved, { dest, destIsDir, owner, chmod, unpack: i.kind === 'add' && i.unpack !== false });
        for (const h of i.heredocs) {
          const target = destIsDir || i.heredocs.length > 1 || resolved.length ? posix.join(dest, h.path) : dest;
          await secureMkdirAll(m.rootfs, posix.dirname(target), 0o755);
          await writeInRoot(m.rootfs, target, h.content, chmod ?? 0o644);
        }
        return m;
      } catch (err) {
        await m.release();
        throw err;
      }
    });
  } finally {
    await srcMount?.release();
    if (downloads) await rm(downloads, { recursive: true, force: true });
  }
}
