/**
 * builder/dockerfile/shell-lexer — word splitting and variable expansion for
 * Dockerfile words, with the same semantics as BuildKit's `shell.Lex`.
 *
 * Owns: quote handling (`'…'` literal, `"…"` with `$` expansion and escapes of
 * `"`, `$` and the escape char only), the escape char (`\` or `` ` ``),
 * `$NAME`, `${NAME}` and the modifiers `-  :-  +  :+  ?  :?  #  ##  %  %%  /  //`.
 *
 * Vocabulary:
 *  - word: one Dockerfile argument as written (quotes still in it).
 *  - env: the variables in scope (ARG and ENV values), a lookup by name.
 *  - escape char: `\` by default, `` ` `` with `# escape=``; always the one the
 *    Dockerfile declared, except for heredoc detection, which BuildKit does
 *    with `\` regardless.
 *  - expand: processWord — quotes removed, variables substituted, one string.
 *  - split: processWords — the same, then split on unquoted whitespace that
 *    came from the text or from an unquoted substitution.
 *
 * Pure; may import only errdefs.
 */

import { invalidArgument } from '../../errdefs/errors.js';

/** Variables in scope: a Map, a plain record, or a lookup function. */
export type Env =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>
  | ((name: string) => string | undefined);

export interface LexOptions {
  /** `\` (default) or `` ` ``. */
  escapeChar?: string;
  /** Keep quote characters in the output (used for heredoc detection). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output (used for heredoc detection). */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (used for heredoc bodies). */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written instead of "". */
  skipUnsetEnv?: boolean;
}

export interface ProcessResult {
  /** The expanded word. */
  result: string;
  /** The word split into fields after expansion. */
  words: string[];
  /** Names that were looked up and found. */
  matched: Set<string>;
  /** Names that were looked up and not found. */
  unmatched: Set<string>;
}

const EOF = -1;

/** Go's unicode.IsSpace (BuildKit's definition of whitespace). */
export function isSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(ch);
}

function isLetter(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

function isSpecialParam(ch: string): boolean {
  return '@*#?-$!0'.includes(ch);
}

function lookup(env: Env, name: string): string | undefined {
  if (typeof env === 'function') return env(name);
  if (env instanceof Map) return (env as ReadonlyMap<string, string>).get(name);
  const rec = env as Readonly<Record<string, string>>;
  return Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined;
}

class LexError extends Error {}

/** Accumulates fields the way BuildKit's wordsStruct does. */
class Fields {
  private buf = '';
  private inWord = false;
  readonly words: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length !== 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.buf += ch;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  addRawString(s: string): void {
    this.buf += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly escape: string;

  constructor(word: string, private readonly env: Env, private readonly opts: LexOptions) {
    this.chars = Array.from(word);
    this.rawEscapes = opts.rawEscapes ?? false;
    this.escape = opts.escapeChar ?? '\\';
  }

  private peek(): string | typeof EOF {
    return this.pos < this.chars.length ? this.chars[this.pos]! : EOF;
  }

  private next(): string | typeof EOF {
    return this.pos < this.chars.length ? this.chars[this.pos++]! : EOF;
  }

  process(): { result: string; words: string[] } {
    return this.processStopOn(EOF, this.rawEscapes);
  }

  /** Read until `stop` (consumed) or the end of input. */
  private processStopOn(stop: string | typeof EOF, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    const fields = new Fields();
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      for (;;) {
        const ch = this.peek();
        if (ch === EOF) break;
        if (stop !== EOF && ch === stop) {
          this.next();
          return { result, words: fields.finish() };
        }
        if (ch === '$') {
          const v = this.processDollar();
          result += v;
          fields.addString(v);
          continue;
        }
        if (ch === '<') {
          const v = this.processPossibleHeredoc();
          result += v;
          fields.addRawString(v);
          continue;
        }
        if (!this.opts.skipProcessQuotes && (ch === "'" || ch === '"')) {
          const v = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
          result += v;
          fields.addRawString(v);
          continue;
        }
        let c = this.next() as string;
        if (c === this.escape) {
          if (this.rawEscapes) {
            fields.addRawChar(c);
            result += c;
          }
          // The escape char escapes the next character, and vanishes at the end.
          const n = this.next();
          if (n === EOF) break;
          c = n;
          fields.addRawChar(c);
        } else {
          fields.addChar(c);
        }
        result += c;
      }
      if (stop !== EOF) {
        throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
      }
      return { result, words: fields.finish() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; ' cannot be escaped inside.
    let out = '';
    const open = this.next() as string;
    if (this.opts.rawQuotes) out += open;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.opts.rawQuotes) out += ch;
        return out;
      }
      out += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except `$` (expanded) and the escape char, which escapes only
    // `"`, `$` and itself; before anything else it stays as written.
    let out = '';
    const open = this.next() as string;
    if (this.opts.rawQuotes) out += open;
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        this.next();
        if (this.opts.rawQuotes) out += p;
        return out;
      }
      if (p === '$') {
        out += this.processDollar();
        continue;
      }
      let ch = this.next() as string;
      if (ch === this.escape) {
        if (this.rawEscapes) out += ch;
        const n = this.peek();
        if (n === EOF) continue; // ignore the escape char at the very end
        if (n === '"' || n === '$' || n === this.escape) ch = this.next() as string;
      }
      out += ch;
    }
  }

  private getEnv(name: string): string | undefined {
    const v = lookup(this.env, name);
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }

  private processName(): string {
    let name = '';
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) break;
      if (name.length === 0 && isDigit(ch)) {
        // Positional parameters: $1, $12 — all digits, never set.
        while (this.peek() !== EOF && isDigit(this.peek() as string)) name += this.next() as string;
        return name;
      }
      if (name.length === 0 && isSpecialParam(ch)) {
        return this.next() as string;
      }
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += this.next() as string;
    }
    return name;
  }

  private processDollar(): string {
    this.next(); // $
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    this.next(); // {
    const first = this.peek();
    if (first === EOF) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    let mod = ch === EOF ? '' : ch;
    let nullIsUnset = false;

    if (ch === '}') {
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      mod += ch === EOF ? '' : ch;
    }
    if (nullIsUnset || ch === '+' || ch === '-' || ch === '?' || ch === '#' || ch === '%') {
      const rawEscapes = ch === '#' || ch === '%';
      if (nullIsUnset && rawEscapes) throw new LexError(`unsupported modifier (${mod}) in substitution`);
      let word: string;
      try {
        word = this.processStopOn('}', rawEscapes).result;
      } catch (err) {
        if (this.peek() === EOF) throw new LexError("syntax error: missing '}'");
        throw err;
      }
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}${mod}${word}}`;
      const unset = value === undefined || (nullIsUnset && value === '');
      switch (ch) {
        case '-':
          return unset ? word : (value as string);
        case '+':
          return unset ? '' : word;
        case '?':
          if (value === undefined) throw new LexError(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
          if (nullIsUnset && value === '') throw new LexError(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
          return value;
        case '#':
        case '%': {
          // # and % trim the shortest match, ## and %% the longest.
          let greedy = false;
          if (word.length > 0 && word[0] === ch) {
            greedy = true;
            word = word.slice(1);
          }
          return ch === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
        }
        default:
          // `${X:=y}`, `${X:y}`: read to the closing brace, then refuse.
          throw new LexError(`unsupported modifier (${mod}) in substitution`);
      }
    }
    if (ch === '/') {
      const replaceAll = this.peek() === '/';
      if (replaceAll) this.next();
      let pattern: string;
      try {
        pattern = this.processStopOn('/', true).result;
      } catch (err) {
        if (this.peek() === EOF) throw new LexError("syntax error: missing '/' in ${}");
        throw err;
      }
      let replacement: string;
      try {
        replacement = this.processStopOn('}', true).result;
      } catch (err) {
        if (this.peek() === EOF) throw new LexError("syntax error: missing '}'");
        throw err;
      }
      const found = this.getEnv(name);
      if (found === undefined && this.opts.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
      let value = found ?? '';
      const re = shellPatternToRegex(pattern, true, false, replaceAll);
      if (replaceAll) {
        value = value.replace(re, () => replacement);
      } else {
        const m = re.exec(value);
        if (m) value = value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length);
      }
      return value;
    }
    throw new LexError(`unsupported modifier (${mod}) in substitution`);
  }

  private processPossibleHeredoc(): string {
    this.next(); // <
    if (this.peek() !== '<') return '<';
    this.next();
    // Keep `<<  EOF` together as one field: whitespace after << is not a split.
    let space = '';
    for (let p = this.peek(); p === '\t' || p === '\r' || p === ' '; p = this.peek()) {
      space += p;
      this.next();
    }
    return '<<' + space;
  }
}

/**
 * Converts a shell wildcard pattern (`*`, `?`, `\` escapes; no brackets) to a
 * RegExp, as BuildKit does for `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/rep}`.
 */
function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  const star = greedy ? '[^]*' : '[^]*?';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      out += star;
    } else if (c === '?') {
      out += '[^]';
    } else if (c === '\\') {
      const n = chars[i + 1];
      // `\}` and `\/` inside ${} are escapes of the syntax, not of the pattern.
      if (n === '}' || n === '/') continue;
      if (n !== '*' && n !== '?' && n !== '\\') {
        throw new LexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${n ?? ''}'`);
      }
      out += '\\' + n;
      i++;
    } else {
      out += c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    }
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const re = shellPatternToRegex(pattern, greedy, true);
  const m = re.exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** Reverse a pattern keeping `\x` escapes in front of the char they escape. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    if (chars[i] === '\\' && i !== chars.length - 1) {
      out.unshift(chars[i]!, chars[i + 1]!);
      i += 2;
    } else {
      out.unshift(chars[i]!);
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  // Shortest/longest rightmost match = leftmost match on the reversed strings.
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/** Run the lexer; throws invalidArgument naming the word on syntax errors. */
export function processWordFull(word: string, env: Env, opts: LexOptions = {}): ProcessResult {
  const sw = new ShellWord(word, env, opts);
  try {
    const { result, words } = sw.process();
    return { result, words, matched: sw.matched, unmatched: sw.unmatched };
  } catch (err) {
    if (err instanceof LexError) {
      throw invalidArgument(`failed to process ${JSON.stringify(word)}: ${err.message}`, 'INVALID_PARAMETER', err);
    }
    throw err;
  }
}

/**
 * Expand one word: quotes removed, escapes applied, `$VAR`/`${VAR…}`
 * substituted from `env` (unset → ""). Whitespace is kept as is.
 */
export function expandWord(word: string, env: Env, escapeChar = '\\'): string {
  return processWordFull(word, env, { escapeChar }).result;
}

/**
 * Expand and split into fields: unquoted whitespace (written or produced by an
 * unquoted substitution) separates fields; quoted whitespace does not.
 */
export function expandWords(word: string, env: Env, escapeChar = '\\'): string[] {
  return processWordFull(word, env, { escapeChar }).words;
}
