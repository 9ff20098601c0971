/**
 * builder/dockerfile/parser — Dockerfile text → syntax tree (one Node per
 * instruction), following BuildKit's `frontend/dockerfile/parser`.
 *
 * Owns: parser directives (`# syntax=`, `# escape=`, `# check=`, only before
 * the first non-directive line), comments (also inside continuations), line
 * continuation with the escape char (trailing blanks allowed; empty and
 * comment lines inside a continuation are skipped, empty ones warn),
 * instruction/flag/argument splitting per instruction, JSON vs shell form,
 * heredocs for RUN/COPY/ADD (and ONBUILD wrapping them), line numbers.
 *
 * Vocabulary:
 *  - line: 1-based line of the source text.
 *  - node: one logical instruction (its continuation lines joined).
 *  - keyword: the instruction name lower-cased (`run`); `rawKeyword` as written.
 *  - flags: the leading `--name[=value]` words, quotes removed, values raw.
 *  - args: the instruction's arguments as BuildKit's line parser leaves them:
 *    quotes are still in ENV/LABEL/ARG words (the expander removes them);
 *    ENV/LABEL args are (key, value, "=" | "") triples, "" meaning the legacy
 *    `ENV key value` form; shell-form RUN/CMD/ENTRYPOINT is one arg.
 *  - json: the arguments were a JSON string array (exec form).
 *  - heredoc: `<<[-]WORD` plus the lines up to WORD; content is raw (not
 *    tab-stripped even for `<<-`; see `chomp`).
 *
 * No I/O. May import only errdefs (and sibling files of this folder).
 */

import { BerthError } from '../../errdefs/errors.js';
import { isSpace, processWordFull } from './shell-lexer.js';

export type EscapeChar = '\\' | '`';

export interface Directive {
  /** Lower-cased: `syntax`, `escape` or `check`. */
  name: string;
  value: string;
  line: number;
}

export interface Warning {
  message: string;
  line: number;
  url?: string;
}

export interface Heredoc {
  /** The delimiter word with quotes removed (`EOF` for `<<"EOF"`). */
  name: string;
  /** `3<<EOF` → 3; 0 when not given. */
  fileDescriptor: number;
  /** False when any part of the delimiter was quoted: the body is literal. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from body lines when used. */
  chomp: boolean;
  /** Body lines with their line endings, delimiter line excluded. */
  content: string;
}

export interface Node {
  keyword: string;
  rawKeyword: string;
  /** The logical line: continuations joined, escape chars and comments removed. */
  original: string;
  flags: string[];
  args: string[];
  json: boolean;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
  /** Comment lines directly above the instruction (`#` stripped). */
  comments: string[];
  /** ONBUILD's trigger instruction. */
  child?: Node;
}

export interface Ast {
  nodes: Node[];
  escapeChar: EscapeChar;
  directives: Directive[];
  warnings: Warning[];
}

/** A parse failure; `line` is 1-based, `detail` the message without location. */
export class DockerfileParseError extends BerthError {
  readonly line: number;
  readonly endLine: number;
  readonly detail: string;
  constructor(detail: string, line: number, endLine = line, cause?: unknown) {
    super('INVALID_PARAMETER', `Dockerfile parse error on line ${line}: ${detail}`, { cause });
    this.name = 'DockerfileParseError';
    this.line = line;
    this.endLine = Math.max(line, endLine);
    this.detail = detail;
  }
}

/** A message-only failure raised below the line loop, located by the caller. */
export class SyntaxFailure extends Error {}

const WHITESPACE_RUN = /[\t\v\f\r ]+/;
const HEREDOC_RE = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const DIRECTIVE_RE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const VALID_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const HEREDOC_KEYWORDS = new Set(['add', 'copy', 'run']);

const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

export function trimLeftSpace(s: string): string {
  let i = 0;
  const chars = Array.from(s);
  while (i < chars.length && isSpace(chars[i]!)) i++;
  return chars.slice(i).join('');
}

export function trimSpace(s: string): string {
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && isSpace(chars[a]!)) a++;
  while (b > a && isSpace(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

function trimNewline(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

function isComment(line: string): boolean {
  return trimLeftSpace(line).startsWith('#');
}

/** Parser state: the escape char and the directive scanner. */
class Directives {
  escapeChar: EscapeChar = '\\';
  done = false;
  readonly seen = new Map<string, Directive>();
  private line = 0;

  /** Feed every physical line; returns the directive if this line is one. */
  possibleDirective(line: string): Directive | undefined {
    this.line++;
    if (this.done) return undefined;
    if (!line.startsWith('#')) {
      this.done = true;
      return undefined;
    }
    const m = DIRECTIVE_RE.exec(trimLeftSpace(line.slice(1)));
    const key = m?.[1]?.toLowerCase();
    if (!m || key === undefined || !VALID_DIRECTIVES.has(key)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(key)) {
      throw new SyntaxFailure(`only one ${key} parser directive can be used`);
    }
    const d: Directive = { name: key, value: m[2]!, line: this.line };
    this.seen.set(key, d);
    if (key === 'escape') {
      if (d.value !== '`' && d.value !== '\\') {
        throw new SyntaxFailure(`invalid escape token '${d.value}' does not match \` or \\`);
      }
      this.escapeChar = d.value;
    }
    return d;
  }

  /**
   * If the line ends in the escape char (blanks after it allowed) and that
   * escape char is not itself escaped, strip it: the line continues.
   */
  trimContinuation(line: string): { line: string; end: boolean } {
    const m = /[ \t]*$/.exec(line)!;
    const body = line.slice(0, m.index);
    if (body.endsWith(this.escapeChar)) {
      const before = body.slice(0, -1);
      if (before.length === 0 || !before.endsWith(this.escapeChar)) {
        return { line: before, end: false };
      }
    }
    return { line, end: true };
  }
}

/** Split text into lines keeping their endings, as BuildKit's scanner does. */
function scanLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = text.indexOf('\n', start);
    if (i < 0) break;
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** Parse a Dockerfile into its syntax tree. Throws DockerfileParseError. */
export function parseAst(text: string): Ast {
  const d = new Directives();
  const lines = scanLines(text);
  const nodes: Node[] = [];
  const warnings: Warning[] = [];
  let comments: string[] = [];
  let idx = 0;
  let currentLine = 0;

  const processLine = (raw: string, stripLeft: boolean): { text: string; directive: boolean } => {
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeftSpace(token);
    let directive = false;
    try {
      directive = d.possibleDirective(token) !== undefined;
    } catch (err) {
      if (err instanceof SyntaxFailure) throw new DockerfileParseError(err.message, currentLine + 1, currentLine + 1, err);
      throw err;
    }
    return { text: isComment(token) ? '' : token, directive };
  };

  while (idx < lines.length) {
    let raw = lines[idx++]!;
    if (currentLine === 0 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
    if (isComment(raw)) {
      const c = trimSpace(trimLeftSpace(raw).slice(1));
      if (c === '') comments = [];
      else comments.push(c);
    }
    const first = processLine(raw, true);
    if (first.directive) comments.pop();
    currentLine++;
    const startLine = currentLine;

    let { line, end } = d.trimContinuation(first.text);
    if (end && line === '') continue;

    let hasEmptyContinuation = false;
    while (!end && idx < lines.length) {
      const rawNext = lines[idx++]!;
      const next = processLine(rawNext, false);
      currentLine++;
      if (isComment(rawNext)) continue; // comment lines inside a continuation vanish
      if (trimLeftSpace(next.text) === '') {
        hasEmptyContinuation = true;
        continue;
      }
      const t = d.trimContinuation(next.text);
      line += t.line;
      end = t.end;
    }

    if (hasEmptyContinuation) {
      warnings.push({
        message: `Empty continuation line found in: ${line}`,
        line: currentLine,
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
      });
    }

    let node: Node;
    try {
      node = newNodeFromLine(line, d.escapeChar, comments);
    } catch (err) {
      if (err instanceof SyntaxFailure) throw new DockerfileParseError(err.message, startLine, currentLine, err);
      throw err;
    }

    if (canContainHeredoc(node) && line.includes('<<')) {
      let heredocs: Heredoc[];
      try {
        heredocs = heredocsFromLine(line);
      } catch (err) {
        if (err instanceof SyntaxFailure) throw new DockerfileParseError(err.message, startLine, currentLine, err);
        throw err;
      }
      for (const h of heredocs) {
        let terminated = false;
        let content = h.content;
        while (idx < lines.length) {
          const body = lines[idx++]!;
          currentLine++;
          let candidate = trimNewline(body);
          if (h.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === h.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) throw new DockerfileParseError('unterminated heredoc', startLine, currentLine);
        node.heredocs.push({ ...h, content });
      }
    }

    node.startLine = startLine;
    node.endLine = currentLine;
    if (node.child) {
      node.child.startLine = startLine;
      node.child.endLine = currentLine;
    }
    nodes.push(node);
    comments = [];
  }

  if (nodes.length === 0) {
    throw new DockerfileParseError('file with no instructions', Math.max(currentLine, 1));
  }
  return { nodes, escapeChar: d.escapeChar, directives: [...d.seen.values()], warnings };
}

function canContainHeredoc(node: Node): boolean {
  const n = node.keyword === 'onbuild' && node.child ? node.child : node;
  return HEREDOC_KEYWORDS.has(n.keyword) && !n.json;
}

/** Split `KEYWORD --flags… rest`, then parse `rest` the keyword's way. */
function newNodeFromLine(line: string, escapeChar: EscapeChar, comments: string[]): Node {
  const parts = splitFirst(trimSpace(line));
  const rawKeyword = parts[0];
  let rest = '';
  let flags: string[] = [];
  if (parts.length === 2) {
    const r = extractBuilderFlags(parts[1], escapeChar);
    rest = trimSpace(r.rest);
    flags = r.flags;
  }
  const keyword = rawKeyword.toLowerCase();
  const node: Node = {
    keyword,
    rawKeyword,
    original: line,
    flags,
    args: [],
    json: false,
    heredocs: [],
    startLine: 0,
    endLine: 0,
    comments: [...comments],
  };
  switch (keyword) {
    case 'add':
    case 'copy':
    case 'volume':
      parseMaybeJSONToList(rest, node);
      break;
    case 'arg':
      node.args = parseWords(rest, escapeChar);
      break;
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      parseMaybeJSON(rest, node);
      break;
    case 'env':
      node.args = parseNameVal(rest, 'ENV', escapeChar);
      break;
    case 'label':
      node.args = parseNameVal(rest, 'LABEL', escapeChar);
      break;
    case 'expose':
    case 'from':
      node.args = splitWhitespace(rest);
      break;
    case 'healthcheck':
      parseHealthConfig(rest, node);
      break;
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      node.args = rest === '' ? [] : [rest];
      break;
    case 'onbuild':
      if (rest !== '') {
        node.child = newNodeFromLine(rest, escapeChar, []);
        node.args = [node.child.rawKeyword, ...node.child.args];
        node.json = node.child.json;
      }
      break;
    default:
      // Unknown instructions parse to an empty node; the instruction layer
      // reports them (BuildKit does the same, so AST errors come first).
      break;
  }
  return node;
}

/** Split at the first run of blanks: [keyword, rest]. */
function splitFirst(s: string): [string] | [string, string] {
  const m = WHITESPACE_RUN.exec(s);
  if (!m) return [s];
  return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}

function splitWhitespace(rest: string): string[] {
  if (rest === '') return [];
  return rest.split(WHITESPACE_RUN);
}

/**
 * Pull leading `--flag[=value]` words off the argument text. Quotes in flags
 * are removed and the escape char escapes the next character; a bare `--`
 * ends the flags.
 */
function extractBuilderFlags(line: string, escapeChar: string): { rest: string; flags: string[] } {
  const chars = Array.from(line);
  const flags: string[] = [];
  type Phase = 'spaces' | 'word' | 'quote';
  let phase: Phase = 'spaces';
  let buf = '';
  let quote = '';
  let blankOK = false;
  const restFrom = (pos: number) => chars.slice(pos).join('');

  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = atEnd ? '' : chars[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || pos + 1 === chars.length || chars[pos + 1] !== '-') {
        return { rest: restFrom(pos), flags };
      }
      phase = 'word';
    }
    if (atEnd) {
      if (buf !== '--' && (blankOK || buf.length > 0)) flags.push(buf);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (buf === '--') return { rest: restFrom(pos), flags };
        if (blankOK || buf.length > 0) flags.push(buf);
        buf = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
        continue;
      }
      if (ch === escapeChar) {
        if (pos + 1 === chars.length) continue;
        pos++;
        ch = chars[pos]!;
      }
      buf += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === escapeChar) {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      pos++;
      ch = chars[pos]!;
    }
    buf += ch;
  }
  return { rest: '', flags };
}

/**
 * Split on whitespace outside quotes, keeping quotes and escapes in the words
 * (the expander removes them later). An escape char at the very end is dropped.
 */
export function parseWords(rest: string, escapeChar: string): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOK = false;
  let buf = '';
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = atEnd ? '' : chars[pos]!;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOK || buf.length > 0) words.push(buf);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || buf.length > 0) words.push(buf);
        buf = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escapeChar) {
        if (pos + 1 === chars.length) continue;
        // Outside quotes keep the escape char and the char it escapes.
        buf += ch;
        pos++;
        ch = chars[pos]!;
      }
      buf += ch;
      continue;
    }
    // phase === 'quote'
    if (ch === quote) phase = 'word';
    if (ch === escapeChar && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      buf += ch;
      pos++;
      ch = chars[pos]!;
    }
    buf += ch;
  }
  return words;
}

/** ENV/LABEL: `k v…` (legacy, one pair) or `k=v k2=v2…`; flat triples. */
function parseNameVal(rest: string, key: string, escapeChar: string): string[] {
  const words = parseWords(rest, escapeChar);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const parts = splitFirst(rest);
    if (parts.length < 2) throw new SyntaxFailure(`${key} must have two arguments`);
    return [parts[0], parts[1]!, ''];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new SyntaxFailure(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    out.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return out;
}

class NotJSON extends Error {}

/** A JSON array of strings, or NotJSON; a JSON array of non-strings is an error. */
function parseJSON(rest: string): string[] {
  const s = trimLeftSpace(rest);
  if (!s.startsWith('[')) throw new NotJSON('not a JSON array');
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    throw new NotJSON('invalid JSON');
  }
  if (!Array.isArray(value)) throw new NotJSON('not a JSON array');
  for (const v of value) {
    if (typeof v !== 'string') throw new SyntaxFailure(NOT_STRING_ARRAY);
  }
  return value as string[];
}

/** Exec form when the text is a JSON string array, else one shell-form arg. */
function parseMaybeJSON(rest: string, node: Node): void {
  if (rest === '') return;
  try {
    node.args = parseJSON(rest);
    node.json = true;
  } catch (err) {
    if (!(err instanceof NotJSON)) throw err;
    node.args = [rest];
  }
}

/** JSON string array, else whitespace-separated words. */
function parseMaybeJSONToList(rest: string, node: Node): void {
  try {
    node.args = parseJSON(rest);
    node.json = true;
  } catch (err) {
    if (!(err instanceof NotJSON)) throw err;
    node.args = splitWhitespace(rest);
  }
}

/** HEALTHCHECK TYPE rest: TYPE then the command the CMD way. */
function parseHealthConfig(rest: string, node: Node): void {
  const chars = Array.from(rest);
  let sep = 0;
  while (sep < chars.length && !isSpace(chars[sep]!)) sep++;
  let next = sep;
  while (next < chars.length && isSpace(chars[next]!)) next++;
  if (sep === 0) return;
  const typ = chars.slice(0, sep).join('');
  const cmd: Node = { ...node, args: [], json: false };
  parseMaybeJSON(chars.slice(next).join(''), cmd);
  node.args = [typ, ...cmd.args];
  node.json = cmd.json;
}

/** Parse a heredoc word like `<<EOF`, `<<-"EOF"`, `3<<EOF`; undefined if not one. */
export function parseHeredoc(src: string): Heredoc | undefined {
  const m = HEREDOC_RE.exec(src);
  if (!m) return undefined;
  const fd = m[1] === '' ? 0 : Number.parseInt(m[1]!, 10);
  const chomp = m[2] === '-';
  const rest = m[3]!;
  if (rest.length === 0) return undefined;
  let words: string[];
  let wordsRaw: string[];
  try {
    words = processWordFull(rest, {}, { escapeChar: '\\', skipUnsetEnv: true }).words;
    if (words.length !== 1) return undefined;
    wordsRaw = processWordFull(rest, {}, { escapeChar: '\\', skipUnsetEnv: true, rawQuotes: true }).words;
  } catch (err) {
    throw new SyntaxFailure((err as Error).message);
  }
  if (wordsRaw.length !== words.length) {
    throw new SyntaxFailure(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const quotes = (s: string) => (s.match(/['"]/g) ?? []).length;
  // Any quoting in the delimiter (`'EOF'`, `"EOF"`, `E"O"F`) turns expansion off.
  const expand = quotes(words[0]!) === quotes(wordsRaw[0]!);
  return { name: words[0]!, fileDescriptor: Number.isFinite(fd) ? fd : 0, expand, chomp, content: '' };
}

/** parseHeredoc that swallows errors (BuildKit's MustParseHeredoc). */
export function mustParseHeredoc(src: string): Heredoc | undefined {
  try {
    return parseHeredoc(src);
  } catch {
    return undefined;
  }
}

/** Every heredoc word on a logical line, in order. Always lexed with `\`. */
function heredocsFromLine(line: string): Heredoc[] {
  let words: string[];
  try {
    words = processWordFull(line, {}, {
      escapeChar: '\\',
      rawQuotes: true,
      rawEscapes: true,
      skipUnsetEnv: true,
    }).words;
  } catch {
    words = [];
  }
  const out: Heredoc[] = [];
  for (const w of words) {
    const h = parseHeredoc(w);
    if (h) out.push(h);
  }
  return out;
}

/** Strip leading tabs from every line (for `<<-`). */
export function chompHeredocContent(src: string): string {
  return src.replace(/^\t+/gm, '');
}

/** Go's %q for the plain strings that appear in error messages. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
