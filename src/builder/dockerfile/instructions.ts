/**
 * builder/dockerfile/instructions — syntax tree → typed instructions and
 * build stages, following BuildKit's `frontend/dockerfile/instructions`.
 *
 * Owns: per-instruction argument rules and messages (`FROM requires either one
 * or three arguments`, `ENV names can not be blank`, …), flag parsing
 * (`--from`, `--chown`, `--chmod`, `--link`, `--platform`, `--mount` kept raw,
 * `--network`, HEALTHCHECK durations to nanoseconds), ONBUILD triggers,
 * splitting into stages at FROM with the ARGs before the first FROM as meta
 * args, and the single entry point `parseDockerfile`.
 *
 * Vocabulary:
 *  - instruction: one typed Dockerfile command, `kind` = lower-case keyword.
 *  - words as written: values here are NOT expanded and may still carry
 *    quotes (`ENV a="b c"` has value `"b c"`); run an instruction through
 *    expand.ts (`expandInstruction`, `createStageScope`) before using it.
 *  - stage: a FROM and the instructions up to the next FROM.
 *  - meta args: ARG instructions before the first FROM (the FROM scope).
 *  - command line: exec form (`["a","b"]`, argv as is) or shell form (one
 *    string the builder runs with the SHELL, default `/bin/sh -c`).
 *
 * No I/O. May import only errdefs (and sibling files of this folder).
 */

import { invalidArgument } from '../../errdefs/errors.js';
import {
  type Ast,
  type Directive,
  type EscapeChar,
  type Heredoc,
  type Node,
  type Warning,
  DockerfileParseError,
  SyntaxFailure,
  chompHeredocContent,
  goQuote,
  mustParseHeredoc,
  parseAst,
  trimSpace,
} from './parser.js';

export type CommandLine =
  | { form: 'shell'; command: string }
  | { form: 'exec'; argv: string[] };

export interface InstructionBase {
  /** Lower-case keyword, e.g. `run`. */
  kind: string;
  /** The logical source line, trimmed (continuations joined). */
  original: string;
  startLine: number;
  endLine: number;
  /** Flags as written after quote removal, e.g. `--from=build`. */
  flags: string[];
}

export interface KeyValuePair {
  key: string;
  value: string;
  /** Written in the legacy `ENV key value` / `LABEL key value` form. */
  legacy: boolean;
}

export interface ArgDefinition {
  key: string;
  /** The default as written; undefined for `ARG name`. */
  value?: string;
}

/** A COPY/ADD source written as a heredoc. */
export interface HeredocSource {
  /** The file name (the delimiter word). */
  path: string;
  /** Body, with leading tabs already stripped for `<<-`. */
  content: string;
  /** False when the delimiter was quoted: no variable expansion in the body. */
  expand: boolean;
}

/** A RUN heredoc. `content` has leading tabs stripped already for `<<-`. */
export type RunHeredoc = Heredoc;

export interface FromInstruction extends InstructionBase {
  kind: 'from';
  /** Image reference or stage name as written (expand with meta args). */
  image: string;
  /** Stage name from `AS name`, lower-cased. */
  name?: string;
  /** `--platform` as written. */
  platform?: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'run';
  command: CommandLine;
  heredocs: RunHeredoc[];
  /** `--mount` values, raw (CSV `type=…,target=…`), in order. */
  mounts: string[];
  network: 'default' | 'none' | 'host';
  security: 'sandbox' | 'insecure';
  /** `--device` values, raw. */
  devices: string[];
}

interface CopyLike extends InstructionBase {
  /** Source paths (heredoc sources excluded). */
  sources: string[];
  heredocs: HeredocSource[];
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
  /** Sources/dest were given as a JSON array. */
  json: boolean;
}

export interface CopyInstruction extends CopyLike {
  kind: 'copy';
  /** `--from` stage name, index or image; never variable-expanded. */
  from?: string;
  parents: boolean;
}

export interface AddInstruction extends CopyLike {
  kind: 'add';
  checksum?: string;
  keepGitDir?: boolean;
  unpack?: boolean;
}

export interface WorkdirInstruction extends InstructionBase { kind: 'workdir'; path: string }
export interface EnvInstruction extends InstructionBase { kind: 'env'; pairs: KeyValuePair[] }
export interface ArgInstruction extends InstructionBase { kind: 'arg'; args: ArgDefinition[] }
export interface LabelInstruction extends InstructionBase { kind: 'label'; pairs: KeyValuePair[] }
export interface ExposeInstruction extends InstructionBase { kind: 'expose'; ports: string[] }
export interface UserInstruction extends InstructionBase { kind: 'user'; user: string }
export interface VolumeInstruction extends InstructionBase { kind: 'volume'; paths: string[]; json: boolean }
export interface CmdInstruction extends InstructionBase { kind: 'cmd'; command: CommandLine }
export interface EntrypointInstruction extends InstructionBase { kind: 'entrypoint'; command: CommandLine }
export interface ShellInstruction extends InstructionBase { kind: 'shell'; shell: string[] }
export interface StopsignalInstruction extends InstructionBase { kind: 'stopsignal'; signal: string }
export interface MaintainerInstruction extends InstructionBase { kind: 'maintainer'; maintainer: string }

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'healthcheck';
  /** Docker's Healthcheck.Test: `["NONE"]`, `["CMD", argv…]` or `["CMD-SHELL", cmd]`. */
  test: string[];
  /** Nanoseconds; 0 = not set (inherit / default). */
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'onbuild';
  /** The trigger text stored in the image config (`RUN echo hi`, heredocs appended). */
  expression: string;
  /** The trigger, parsed (validated now rather than in the child build). */
  trigger: Instruction;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CopyInstruction
  | AddInstruction
  | WorkdirInstruction
  | EnvInstruction
  | ArgInstruction
  | LabelInstruction
  | ExposeInstruction
  | UserInstruction
  | VolumeInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | OnbuildInstruction
  | MaintainerInstruction;

export interface Stage {
  /** Lower-cased `AS` name, if any. */
  name?: string;
  /** Position among stages, 0-based (what `COPY --from=0` refers to). */
  index: number;
  from: FromInstruction;
  /** Everything after the FROM up to the next FROM. */
  instructions: Instruction[];
}

export interface ParseResult {
  stages: Stage[];
  /** ARGs before the first FROM: the only variables FROM may use. */
  metaArgs: ArgInstruction[];
  directives: Directive[];
  warnings: Warning[];
  /** The escape char in force (`# escape=`); the expander needs it. */
  escapeChar: EscapeChar;
}

export const INSTRUCTION_NAMES = [
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck',
  'label', 'maintainer', 'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
] as const;

const VALID_STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

/**
 * Parse a Dockerfile into stages. Throws DockerfileParseError (a BerthError of
 * kind invalid-argument) whose message names the line:
 * `Dockerfile parse error on line N: unknown instruction: FOO`.
 */
export function parseDockerfile(text: string): ParseResult {
  const ast = parseAst(text);
  return instructionsFromAst(ast);
}

/** The second half of parseDockerfile, for callers holding an Ast. */
export function instructionsFromAst(ast: Ast): ParseResult {
  const stages: Stage[] = [];
  const metaArgs: ArgInstruction[] = [];
  const warnings: Warning[] = [...ast.warnings];
  const seenNames = new Set<string>();

  for (const node of ast.nodes) {
    const instr = parseInstruction(node, warnings);
    if (stages.length === 0 && instr.kind === 'arg') {
      metaArgs.push(instr);
      continue;
    }
    if (instr.kind === 'from') {
      if (instr.name !== undefined) {
        if (seenNames.has(instr.name)) {
          warnings.push({
            message: `Duplicate stage name ${goQuote(instr.name)}, stage names should be unique`,
            line: node.startLine,
          });
        }
        seenNames.add(instr.name);
      }
      const stage: Stage = { index: stages.length, from: instr, instructions: [] };
      if (instr.name !== undefined) stage.name = instr.name;
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (!current) throw new DockerfileParseError('no build stage in current context', node.startLine, node.endLine);
    current.instructions.push(instr);
  }
  if (stages.length === 0) throw invalidArgument('dockerfile contains no stages to build');
  return { stages, metaArgs, directives: ast.directives, warnings, escapeChar: ast.escapeChar };
}

/** One node → one instruction; errors carry the node's line. */
export function parseInstruction(node: Node, warnings: Warning[] = []): Instruction {
  try {
    return parseNode(node, node.heredocs, warnings);
  } catch (err) {
    if (err instanceof SyntaxFailure) {
      throw new DockerfileParseError(err.message, node.startLine, node.endLine, err);
    }
    throw err;
  }
}

function base<K extends string>(node: Node, kind: K): InstructionBase & { kind: K } {
  return {
    kind,
    original: trimSpace(node.original),
    startLine: node.startLine,
    endLine: node.endLine,
    flags: [...node.flags],
  };
}

const fail = (msg: string): never => {
  throw new SyntaxFailure(msg);
};
const errAtLeastOne = (cmd: string) => fail(`${cmd} requires at least one argument`);
const errExactlyOne = (cmd: string) => fail(`${cmd} requires exactly one argument`);
const errNoDest = (cmd: string) =>
  fail(`${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);

function parseNode(node: Node, heredocs: Heredoc[], warnings: Warning[]): Instruction {
  const args = node.args;
  switch (node.keyword) {
    case 'env': {
      new Flags(node.flags).parse();
      const pairs = parseKvps(args, 'ENV');
      if (pairs.some((p) => p.legacy)) warnings.push(legacyKeyValue('ENV', node));
      return { ...base(node, 'env'), pairs };
    }
    case 'label': {
      new Flags(node.flags).parse();
      const pairs = parseKvps(args, 'LABEL');
      if (pairs.some((p) => p.legacy)) warnings.push(legacyKeyValue('LABEL', node));
      return { ...base(node, 'label'), pairs };
    }
    case 'maintainer': {
      if (args.length !== 1) errExactlyOne('MAINTAINER');
      new Flags(node.flags).parse();
      warnings.push({ message: 'Maintainer instruction is deprecated in favor of using label', line: node.startLine });
      return { ...base(node, 'maintainer'), maintainer: args[0]! };
    }
    case 'add':
    case 'copy':
      return parseCopyLike(node, heredocs);
    case 'from':
      return parseFrom(node);
    case 'onbuild':
      return parseOnbuild(node, heredocs, warnings);
    case 'workdir': {
      if (args.length !== 1) errExactlyOne('WORKDIR');
      new Flags(node.flags).parse();
      return { ...base(node, 'workdir'), path: args[0]! };
    }
    case 'run':
      return parseRun(node, heredocs);
    case 'cmd':
    case 'entrypoint': {
      new Flags(node.flags).parse();
      const kind = node.keyword;
      return { ...base(node, kind), command: commandLine(node) };
    }
    case 'healthcheck':
      return parseHealthcheck(node);
    case 'expose': {
      if (args.length === 0) errAtLeastOne('EXPOSE');
      new Flags(node.flags).parse();
      // BuildKit sorts the words as written (before expansion).
      const ports = [...args].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return { ...base(node, 'expose'), ports };
    }
    case 'user': {
      if (args.length !== 1) errExactlyOne('USER');
      new Flags(node.flags).parse();
      return { ...base(node, 'user'), user: args[0]! };
    }
    case 'volume': {
      if (args.length === 0) errAtLeastOne('VOLUME');
      new Flags(node.flags).parse();
      const paths = args.map((v) => {
        const t = trimSpace(v);
        if (t === '') fail('VOLUME specified can not be an empty string');
        return t;
      });
      return { ...base(node, 'volume'), paths, json: node.json };
    }
    case 'stopsignal': {
      // BuildKit does not parse STOPSIGNAL's flags; neither do we.
      if (args.length !== 1) errExactlyOne('STOPSIGNAL');
      return { ...base(node, 'stopsignal'), signal: args[0]! };
    }
    case 'arg':
      return parseArg(node);
    case 'shell': {
      new Flags(node.flags).parse();
      if (args.length === 0) errAtLeastOne('SHELL');
      if (!node.json) fail('SHELL requires the arguments to be in JSON form');
      return { ...base(node, 'shell'), shell: [...args] };
    }
    default: {
      const hint = suggest(node.rawKeyword, INSTRUCTION_NAMES.map((n) => n.toUpperCase()), false);
      return fail(`unknown instruction: ${node.rawKeyword}${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
  }
}

function legacyKeyValue(cmd: string, node: Node): Warning {
  return {
    message: `"${cmd} key=value" should be used instead of legacy "${cmd} key value" format`,
    line: node.startLine,
    url: 'https://docs.docker.com/go/dockerfile/rule/legacy-key-value-format/',
  };
}

function parseKvps(args: string[], cmd: string): KeyValuePair[] {
  if (args.length === 0) errAtLeastOne(cmd);
  if (args.length % 3 !== 0) fail(`Bad input to ${cmd}, too many arguments`);
  const out: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i]!.length === 0) fail(`${cmd} names can not be blank`);
    out.push({ key: args[i]!, value: args[i + 1]!, legacy: args[i + 2] === '' });
  }
  return out;
}

/** Shell form joins the words (BuildKit's handleJSONArgs); exec form keeps them. */
function commandLine(node: Node, args: string[] = node.args): CommandLine {
  if (node.json) return { form: 'exec', argv: [...args] };
  // No arguments at all (`CMD`): nothing to wrap in a shell; treat as `CMD []`.
  if (args.length === 0) return { form: 'exec', argv: [] };
  return { form: 'shell', command: args.join(' ') };
}

function parseFrom(node: Node): FromInstruction {
  const args = node.args;
  let name: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    name = args[2]!.toLowerCase();
    if (!VALID_STAGE_NAME.test(name)) {
      fail(`invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    fail('FROM requires either one or three arguments');
  }
  const flags = new Flags(node.flags);
  const platform = flags.addString('platform');
  flags.parse();
  const out: FromInstruction = { ...base(node, 'from'), image: args[0]! };
  if (name !== undefined) out.name = name;
  if (platform.value !== '') out.platform = platform.value;
  return out;
}

function parseCopyLike(node: Node, heredocs: Heredoc[]): CopyInstruction | AddInstruction {
  const cmd = node.keyword.toUpperCase();
  if (node.args.length < 2) errNoDest(cmd);
  const flags = new Flags(node.flags);
  const chown = flags.addString('chown');
  const chmod = flags.addString('chmod');
  const link = flags.addBool('link');
  const exclude = flags.addStrings('exclude');
  const isAdd = node.keyword === 'add';
  const from = isAdd ? undefined : flags.addString('from');
  const parents = isAdd ? undefined : flags.addBool('parents');
  const keepGitDir = isAdd ? flags.addBool('keep-git-dir') : undefined;
  const checksum = isAdd ? flags.addString('checksum') : undefined;
  const unpack = isAdd ? flags.addBool('unpack') : undefined;
  flags.parse();

  const srcs = node.args.slice(0, -1);
  const dest = node.args[node.args.length - 1]!;
  if (mustParseHeredoc(dest)) fail(`${cmd} cannot accept a heredoc as a destination`);
  const byName = new Map(heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const sourceDocs: HeredocSource[] = [];
  for (const src of srcs) {
    const h = mustParseHeredoc(src);
    if (h) {
      let content = byName.get(h.name)?.content ?? '';
      if (h.chomp) content = chompHeredocContent(content);
      sourceDocs.push({ path: h.name, content, expand: h.expand });
    } else {
      sources.push(src);
    }
  }

  const common = {
    sources,
    heredocs: sourceDocs,
    dest,
    link: link.isTrue(),
    exclude: [...exclude.values],
    json: node.json,
  };
  const withOpt = <T extends object>(obj: T): T => {
    const o = obj as Record<string, unknown>;
    if (chown.value !== '') o['chown'] = chown.value;
    if (chmod.value !== '') o['chmod'] = chmod.value;
    return obj;
  };
  if (isAdd) {
    const out: AddInstruction = withOpt({ ...base(node, 'add'), ...common });
    if (checksum!.value !== '') out.checksum = checksum!.value;
    if (keepGitDir!.used) out.keepGitDir = keepGitDir!.isTrue();
    if (unpack!.used) out.unpack = unpack!.isTrue();
    return out;
  }
  const out: CopyInstruction = withOpt({ ...base(node, 'copy'), ...common, parents: parents!.isTrue() });
  if (from!.value !== '') out.from = from!.value;
  return out;
}

function parseRun(node: Node, heredocs: Heredoc[]): RunInstruction {
  const flags = new Flags(node.flags);
  const mount = flags.addStrings('mount');
  const network = flags.addString('network', 'default');
  const security = flags.addString('security', 'sandbox');
  const device = flags.addStrings('device');
  flags.parse();
  if (!['default', 'none', 'host'].includes(network.value)) fail(`invalid network mode ${goQuote(network.value)}`);
  if (!['sandbox', 'insecure'].includes(security.value)) fail(`security ${goQuote(security.value)} is not valid`);
  for (const m of mount.values) checkMountFrom(m);
  // BuildKit accepts an empty RUN and fails later; we refuse it up front.
  if (node.args.length === 0 && !node.json) errAtLeastOne('RUN');
  return {
    ...base(node, 'run'),
    command: commandLine(node),
    heredocs: heredocs.map((h) => ({ ...h, content: h.chomp ? chompHeredocContent(h.content) : h.content })),
    mounts: [...mount.values],
    network: network.value as RunInstruction['network'],
    security: security.value as RunInstruction['security'],
    devices: [...device.values],
  };
}

/** `--mount=from=$X` is refused at parse time, as BuildKit does. */
function checkMountFrom(raw: string): void {
  for (const field of splitCsv(raw)) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    if (field.slice(0, eq).toLowerCase() !== 'from') continue;
    const value = field.slice(eq + 1);
    const i = value.indexOf('$');
    if (i !== -1 && i !== value.length - 1) {
      fail("'from' doesn't support variable expansion, define alias stage instead");
    }
  }
}

/** Split a CSV record (Go encoding/csv rules: `"…"` quotes, `""` escapes). */
export function splitCsv(record: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (record[i] === '"') {
      i++;
      for (;;) {
        if (i >= record.length) fail(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
        if (record[i] === '"') {
          if (record[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += record[i++];
      }
      if (i < record.length && record[i] !== ',') fail(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
    } else {
      const j = record.indexOf(',', i);
      const end = j < 0 ? record.length : j;
      field = record.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (i >= record.length) break;
    i++; // comma
  }
  return fields;
}

/** Parse a Go duration (`1m30s`, `500ms`, `1.5h`) to nanoseconds. */
export function parseGoDuration(s: string): number {
  const orig = s;
  const invalid = () => fail(`time: invalid duration ${goQuote(orig)}`);
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') invalid();
  const units: Record<string, number> = {
    ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
  };
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = m[1]!;
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) invalid();
    s = s.slice(m[0].length);
    const u = /^[^0-9.]*/.exec(s)![0];
    if (u === '') fail(`time: missing unit in duration ${goQuote(orig)}`);
    const scale = units[u];
    if (scale === undefined) fail(`time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    s = s.slice(u.length);
    total += Number(whole || '0') * scale! + (frac ? Number(`0.${frac}`) * scale! : 0);
  }
  total = Math.round(total);
  return neg ? -total : total;
}

function parseOptInterval(flag: Flag): number {
  if (flag.value === '') return 0;
  const d = parseGoDuration(flag.value);
  if (d === 0) return 0;
  if (d < 1e6) fail(`Interval ${goQuote(flag.name)} cannot be less than 1ms`);
  return d;
}

function parseHealthcheck(node: Node): HealthcheckInstruction {
  const args = node.args;
  if (args.length === 0) errAtLeastOne('HEALTHCHECK');
  const typ = args[0]!.toUpperCase();
  const rest = args.slice(1);
  const out: HealthcheckInstruction = {
    ...base(node, 'healthcheck'),
    test: [],
    interval: 0,
    timeout: 0,
    startPeriod: 0,
    startInterval: 0,
    retries: 0,
  };
  if (typ === 'NONE') {
    // BuildKit does not look at flags for NONE.
    if (rest.length !== 0) fail('HEALTHCHECK NONE takes no arguments');
    out.test = ['NONE'];
    return out;
  }
  const flags = new Flags(node.flags);
  const interval = flags.addString('interval');
  const timeout = flags.addString('timeout');
  const startPeriod = flags.addString('start-period');
  const startInterval = flags.addString('start-interval');
  const retries = flags.addString('retries');
  flags.parse();
  if (typ !== 'CMD') fail(`Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = node.json ? rest : rest.length === 0 ? [] : [rest.join(' ')];
  if (cmd.length === 0) fail('Missing command after HEALTHCHECK CMD');
  out.test = [node.json ? 'CMD' : 'CMD-SHELL', ...cmd];
  out.interval = parseOptInterval(interval);
  out.timeout = parseOptInterval(timeout);
  out.startPeriod = parseOptInterval(startPeriod);
  out.startInterval = parseOptInterval(startInterval);
  if (retries.value !== '') {
    const v = retries.value;
    if (!/^[+-]?\d+$/.test(v)) fail(`strconv.ParseInt: parsing ${goQuote(v)}: invalid syntax`);
    const n = Number(v);
    if (n > 2147483647 || n < -2147483648) fail(`strconv.ParseInt: parsing ${goQuote(v)}: value out of range`);
    if (n < 0) fail(`--retries cannot be negative (${n})`);
    out.retries = n;
  }
  return out;
}

function parseArg(node: Node): ArgInstruction {
  if (node.args.length < 1) errAtLeastOne('ARG');
  const args = node.args.map((a): ArgDefinition => {
    const eq = a.indexOf('=');
    if (eq < 0) return { key: a };
    if (eq === 0) fail('ARG names can not be blank');
    return { key: a.slice(0, eq), value: a.slice(eq + 1) };
  });
  return { ...base(node, 'arg'), args };
}

function parseOnbuild(node: Node, heredocs: Heredoc[], warnings: Warning[]): OnbuildInstruction {
  if (node.args.length === 0 || !node.child) errAtLeastOne('ONBUILD');
  new Flags(node.flags).parse();
  const trigger = trimSpace(node.args[0]!).toUpperCase();
  if (trigger === 'ONBUILD') fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') fail(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = node.original.replace(/^[\t\n\v\f\r ]*ONBUILD[\t\n\v\f\r ]*/i, '');
  for (const h of heredocs) expression += '\n' + h.content + h.name;
  const child: Node = { ...node.child!, startLine: node.startLine, endLine: node.endLine };
  return { ...base(node, 'onbuild'), expression, trigger: parseNode(child, heredocs, warnings) };
}

/** A declared flag and what parsing found for it. */
class Flag {
  value: string;
  readonly values: string[] = [];
  used = false;
  constructor(readonly name: string, readonly type: 'bool' | 'string' | 'strings', def: string) {
    this.value = def;
  }
  isTrue(): boolean {
    return this.value === 'true';
  }
}

/** BuildKit's BFlags: declare the flags an instruction takes, then parse. */
class Flags {
  private readonly defs = new Map<string, Flag>();
  constructor(private readonly args: readonly string[]) {}

  addBool(name: string, def = false): Flag {
    return this.add(new Flag(name, 'bool', def ? 'true' : 'false'));
  }
  addString(name: string, def = ''): Flag {
    return this.add(new Flag(name, 'string', def));
  }
  addStrings(name: string): Flag {
    return this.add(new Flag(name, 'strings', ''));
  }
  private add(f: Flag): Flag {
    this.defs.set(f.name, f);
    return f;
  }

  parse(): void {
    for (const a of this.args) {
      if (a === '--') return;
      if (!a.startsWith('--')) fail(`arg should start with -- : ${a}`);
      const eq = a.indexOf('=');
      const flagName = eq < 0 ? a : a.slice(0, eq);
      const value = eq < 0 ? '' : a.slice(eq + 1);
      const hasValue = eq >= 0;
      const name = flagName.slice(2);
      const flag = this.defs.get(name);
      if (!flag) {
        const hint = suggest(name, [...this.defs.keys()], true);
        fail(`unknown flag: ${flagName}${hint ? ` (did you mean ${hint}?)` : ''}`);
      }
      const f = flag!;
      if (f.used && f.type !== 'strings') fail(`duplicate flag specified: ${flagName}`);
      f.used = true;
      switch (f.type) {
        case 'bool': {
          if (hasValue && value === '') fail(`missing a value on flag: ${flagName}`);
          const v = value.toLowerCase();
          if (v === 'true' || v === '') f.value = 'true';
          else if (v === 'false') f.value = 'false';
          else fail(`expecting boolean value for flag ${flagName}, not: ${value}`);
          break;
        }
        case 'string':
          if (!hasValue) fail(`missing a value on flag: ${flagName}`);
          f.value = value;
          break;
        case 'strings':
          if (!hasValue) fail(`missing a value on flag: ${flagName}`);
          f.values.push(value);
          break;
      }
    }
  }
}

/** BuildKit's "did you mean": closest option at Levenshtein distance < 3. */
function suggest(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const val = caseSensitive ? value : value.toLowerCase();
  let best: string | undefined;
  let min = 3;
  for (const o of options) {
    const opt = caseSensitive ? o : o.toLowerCase();
    if (opt === val) return undefined;
    const d = levenshtein(val, opt);
    if (d < min) {
      min = d;
      best = caseSensitive ? opt : matchCase(opt, value);
    }
  }
  return best;
}

function matchCase(val: string, orig: string): string {
  if (orig === orig.toLowerCase()) return val.toLowerCase();
  if (orig === orig.toUpperCase()) return val.toUpperCase();
  return val;
}

function levenshtein(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}
