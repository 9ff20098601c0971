/**
 * builder/dockerfile/expand — which words of which instruction the builder
 * expands, and with which variables, following BuildKit's dockerfile2llb.
 *
 * Owns the expansion table (see docs/dockerfile-parser.md):
 *  - FROM image and --platform: meta args only (ARGs before the first FROM,
 *    plus build args and whatever predefined args the caller supplies).
 *  - ADD/COPY sources, dest, --chown, --chmod (ADD --checksum too), and the
 *    bodies of heredoc sources whose delimiter was not quoted.
 *  - ENV and LABEL keys and values; the whole instruction is expanded with
 *    the scope *before* it (`ENV a=1 b=$a` gives b the old a).
 *  - EXPOSE (each word may split into several), STOPSIGNAL, USER, VOLUME,
 *    WORKDIR: their words.
 *  - ARG: the default value only (never the name), with the scope so far.
 *  - RUN: only the values of --mount fields. The command line itself, CMD,
 *    ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER and ONBUILD are left for the
 *    shell / the child build.
 *  - COPY --from is never expanded; a variable there is an error.
 *
 * Vocabulary: scope = the variables visible to an instruction (base image ENV,
 * then the stage's ARG and ENV values in order); meta args = the FROM scope.
 *
 * Pure; may import only errdefs (and sibling files of this folder).
 */

import { invalidArgument } from '../../errdefs/errors.js';
import type {
  ArgInstruction,
  FromInstruction,
  Instruction,
} from './instructions.js';
import { splitCsv } from './instructions.js';
import { type Env, expandWord, expandWords, processWordFull } from './shell-lexer.js';

export { expandWord, expandWords } from './shell-lexer.js';
export type { Env } from './shell-lexer.js';

/**
 * Expand the words of one instruction that BuildKit expands, using `env`.
 * Returns a new instruction; the input is not modified. FROM is returned
 * unchanged (use expandFrom with the meta args).
 */
export function expandInstruction<T extends Instruction>(instr: T, env: Env, escapeChar = '\\'): T {
  const x = (w: string) => expandWord(w, env, escapeChar);
  const i = instr as Instruction;
  switch (i.kind) {
    case 'add':
    case 'copy': {
      if (i.kind === 'copy' && i.from !== undefined) {
        if (expandWord(i.from, {}, escapeChar) !== i.from) {
          throw invalidArgument(
            `Dockerfile parse error on line ${i.startLine}: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround`,
          );
        }
      }
      const out = { ...i, sources: i.sources.map(x), dest: x(i.dest) };
      if (i.chown !== undefined) out.chown = x(i.chown);
      if (i.chmod !== undefined) out.chmod = x(i.chmod);
      if (out.kind === 'add' && out.checksum !== undefined) out.checksum = x(out.checksum);
      // Heredoc bodies: `$VAR` only — quotes are data here, and `\` escapes.
      out.heredocs = i.heredocs.map((h) =>
        h.expand ? { ...h, content: processWordFull(h.content, env, { escapeChar: '\\', skipProcessQuotes: true }).result } : h,
      );
      return out as T;
    }
    case 'env':
    case 'label':
      return { ...i, pairs: i.pairs.map((p) => ({ ...p, key: x(p.key), value: x(p.value) })) } as T;
    case 'expose':
      return { ...i, ports: i.ports.flatMap((p) => expandWords(p, env, escapeChar)) } as T;
    case 'stopsignal':
      return { ...i, signal: x(i.signal) } as T;
    case 'user':
      return { ...i, user: x(i.user) } as T;
    case 'volume':
      return { ...i, paths: i.paths.map(x) } as T;
    case 'workdir':
      return { ...i, path: x(i.path) } as T;
    case 'arg':
      return {
        ...i,
        args: i.args.map((a) => (a.value === undefined ? { ...a } : { ...a, value: x(a.value) })),
      } as T;
    case 'run':
      return { ...i, mounts: i.mounts.map((m) => expandMount(m, env, escapeChar)) } as T;
    default:
      return instr;
  }
}

/** Expand each `key=value` field's value of a `--mount` spec; keys stay. */
export function expandMount(raw: string, env: Env, escapeChar = '\\'): string {
  return splitCsv(raw)
    .map((field) => {
      const eq = field.indexOf('=');
      if (eq < 0) return field;
      return field.slice(0, eq + 1) + expandWord(field.slice(eq + 1), env, escapeChar);
    })
    .map((f) => (/[",\n\r]/.test(f) || f !== f.trim() ? `"${f.replace(/"/g, '""')}"` : f))
    .join(',');
}

export interface MetaArgOptions {
  /** `--build-arg` values; they override defaults. */
  buildArgs?: Readonly<Record<string, string>>;
  /** Variables defined before the first ARG (e.g. TARGETPLATFORM, BUILDPLATFORM). */
  predefined?: Readonly<Record<string, string>>;
  escapeChar?: string;
}

/**
 * Resolve the meta args (ARGs before the first FROM) in order: a build arg
 * wins; otherwise the default, expanded with the meta args resolved so far.
 * An ARG with neither stays unset.
 */
export function resolveMetaArgs(metaArgs: readonly ArgInstruction[], opts: MetaArgOptions = {}): Map<string, string> {
  const scope = new Map<string, string>(Object.entries(opts.predefined ?? {}));
  const buildArgs = opts.buildArgs ?? {};
  for (const instr of metaArgs) {
    for (const a of instr.args) {
      let value: string | undefined;
      if (Object.prototype.hasOwnProperty.call(buildArgs, a.key)) value = buildArgs[a.key];
      else if (a.value !== undefined) value = expandWord(a.value, scope, opts.escapeChar ?? '\\');
      if (value !== undefined) scope.set(a.key, value);
    }
  }
  return scope;
}

/** Expand FROM's image and --platform with the meta args. */
export function expandFrom(from: FromInstruction, metaArgs: Env, escapeChar = '\\'): FromInstruction {
  const image = expandWord(from.image, metaArgs, escapeChar);
  if (image === '') {
    throw invalidArgument(`Dockerfile parse error on line ${from.startLine}: base name (${from.image}) should not be blank`);
  }
  const out: FromInstruction = { ...from, image };
  if (from.platform !== undefined) {
    const platform = expandWord(from.platform, metaArgs, escapeChar);
    if (platform === '') {
      throw invalidArgument(
        `Dockerfile parse error on line ${from.startLine}: empty platform value from expression ${from.platform}`,
      );
    }
    out.platform = platform;
  }
  return out;
}

export interface StageScopeOptions {
  escapeChar?: string;
  /** Resolved meta args (resolveMetaArgs); `ARG name` without default inherits from here. */
  metaArgs?: ReadonlyMap<string, string>;
  /** `--build-arg` values; they override ARG defaults inside the stage. */
  buildArgs?: Readonly<Record<string, string>>;
  /** The base image's (or parent stage's) ENV, in order. */
  baseEnv?: Iterable<readonly [string, string]>;
}

export interface StageScope {
  /** Variables visible to the next instruction. */
  readonly env: ReadonlyMap<string, string>;
  /** ENV values only (what goes into the image config), in order. */
  readonly imageEnv: ReadonlyMap<string, string>;
  /**
   * Expand `instr` with the current scope and then apply its effect on the
   * scope (ENV sets variables; ARG sets build-time variables). Returns the
   * expanded instruction; for ARG, `value` is the resolved value.
   */
  apply<T extends Instruction>(instr: T): T;
}

/**
 * The variable scope of one stage as the builder walks it. ARG semantics:
 * a build arg wins; else the default (expanded); else, for `ARG name` with no
 * default, the meta arg of that name if any; an ARG with none of these is
 * declared but unset.
 */
export function createStageScope(opts: StageScopeOptions = {}): StageScope {
  const esc = opts.escapeChar ?? '\\';
  const env = new Map<string, string>(opts.baseEnv ?? []);
  const imageEnv = new Map<string, string>(opts.baseEnv ?? []);
  const buildArgs = opts.buildArgs ?? {};
  const metaArgs = opts.metaArgs ?? new Map<string, string>();

  return {
    env,
    imageEnv,
    apply<T extends Instruction>(instr: T): T {
      const i = instr as Instruction;
      if (i.kind === 'arg') {
        const args = i.args.map((a) => {
          let value: string | undefined;
          if (Object.prototype.hasOwnProperty.call(buildArgs, a.key)) value = buildArgs[a.key];
          else if (a.value !== undefined) value = expandWord(a.value, env, esc);
          else value = metaArgs.get(a.key);
          if (value !== undefined) env.set(a.key, value);
          return value === undefined ? { key: a.key } : { key: a.key, value };
        });
        return { ...i, args } as T;
      }
      const out = expandInstruction(instr, env, esc);
      const o = out as Instruction;
      if (o.kind === 'env') {
        for (const p of o.pairs) {
          env.set(p.key, p.value);
          imageEnv.set(p.key, p.value);
        }
      }
      return out;
    },
  };
}
