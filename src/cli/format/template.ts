/**
 * cli/format/template — the slice of Go text/template that Docker's
 * `--format` users rely on: `{{.Field.Sub}}`, `{{.}}`, `{{json .X}}`, string
 * functions (upper, lower, title, join, split, truncate, pad, index, println,
 * len), pipes (`{{.Names | upper}}`), parentheses, and the `table` prefix
 * with `\t` / `\n` escapes. No range/if/with blocks yet: they fail loudly.
 *
 * Values print like Go's fmt %v: null → "<nil>", a missing key → "<no value>",
 * arrays "[a b]", objects "map[k:v]". Pure; imports errdefs.
 */
import { invalidArgument } from '../../errdefs/errors.js';

export interface ParsedFormat {
  /** True when the format started with "table" (render aligned, with a header). */
  table: boolean;
  /** The template text with the prefix removed and escapes replaced. */
  body: string;
}

/** Docker's preFormat: strip "table", trim spaces, turn literal \t and \n into characters. */
export function parseFormat(format: string): ParsedFormat {
  let body = format;
  const table = /^table(\s|$)/.test(format);
  if (table) body = body.slice('table'.length);
  body = body.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { table, body };
}

type Token = { t: 'field'; path: string[] } | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'ident'; v: string } | { t: 'pipe' } | { t: 'lp' } | { t: 'rp' };

const MISSING = Symbol('no value');

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '|') { out.push({ t: 'pipe' }); i++; continue; }
    if (c === '(') { out.push({ t: 'lp' }); i++; continue; }
    if (c === ')') { out.push({ t: 'rp' }); i++; continue; }
    if (c === '"' || c === '`') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== c) {
        if (c === '"' && src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1];
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else v += src[j++];
      }
      if (j >= src.length) throw invalidArgument(`template: unterminated string in "${src}"`);
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    const m = /^(\.[A-Za-z0-9_.]*|\$[A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
    if (!m) throw invalidArgument(`template: unexpected "${c}" in "${src}"`);
    const word = m[1];
    if (word.startsWith('.') || word.startsWith('$')) {
      out.push({ t: 'field', path: word.replace(/^\$/, '').split('.').filter(Boolean) });
    } else if (/^-?\d/.test(word)) out.push({ t: 'num', v: Number(word) });
    else out.push({ t: 'ident', v: word });
    i += word.length;
  }
  return out;
}

/** Go fmt %v of a JSON-ish value. */
export function goPrint(v: unknown): string {
  if (v === MISSING || v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${goPrint(x)}`).join(' ')}]`;
  }
  return String(v);
}

const str = (v: unknown) => (typeof v === 'string' ? v : goPrint(v));

type Fn = (...args: unknown[]) => unknown;
const FUNCS: Record<string, Fn> = {
  json: (v) => (v === MISSING ? 'null' : JSON.stringify(v ?? null)),
  upper: (v) => str(v).toUpperCase(),
  lower: (v) => str(v).toLowerCase(),
  title: (v) => str(v).replace(/\b\w/g, (c) => c.toUpperCase()),
  join: (list, sep) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  split: (s, sep) => str(s).split(str(sep)),
  truncate: (s, n) => [...str(s)].slice(0, Number(n)).join(''),
  pad: (s, l, r) => ' '.repeat(Number(l)) + str(s) + ' '.repeat(Number(r)),
  index: (obj, ...keys) => keys.reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[str(k)]), obj),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  println: (...a) => `${a.map(str).join(' ')}\n`,
  print: (...a) => a.map(str).join(''),
};

function lookup(data: unknown, path: string[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return MISSING;
    if (!(key in (cur as object))) return MISSING;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

class Evaluator {
  #pos = 0;
  constructor(private readonly toks: Token[], private readonly data: unknown, private readonly src: string) {}

  run(): unknown {
    const v = this.pipeline();
    if (this.#pos < this.toks.length) throw invalidArgument(`template: unexpected token in "${this.src}"`);
    return v;
  }

  private pipeline(): unknown {
    let v = this.command(undefined, false);
    while (this.toks[this.#pos]?.t === 'pipe') {
      this.#pos++;
      v = this.command(v, true);
    }
    return v;
  }

  /** A command: a function call with args, or one operand. `piped` appends the previous value as the last argument. */
  private command(prev: unknown, piped: boolean): unknown {
    const first = this.toks[this.#pos];
    if (first?.t === 'ident') {
      this.#pos++;
      const fn = FUNCS[first.v];
      if (!fn) throw invalidArgument(`template: function "${first.v}" not defined`);
      const args: unknown[] = [];
      while (this.#pos < this.toks.length && this.toks[this.#pos].t !== 'pipe' && this.toks[this.#pos].t !== 'rp') args.push(this.operand());
      if (piped) args.push(prev);
      return fn(...args);
    }
    if (piped) throw invalidArgument(`template: non-function in pipeline in "${this.src}"`);
    return this.operand();
  }

  private operand(): unknown {
    const tok = this.toks[this.#pos++];
    switch (tok?.t) {
      case 'field': return lookup(this.data, tok.path);
      case 'str': return tok.v;
      case 'num': return tok.v;
      case 'lp': {
        const v = this.pipeline();
        if (this.toks[this.#pos++]?.t !== 'rp') throw invalidArgument(`template: missing ")" in "${this.src}"`);
        return v;
      }
      case 'ident': throw invalidArgument(`template: function "${tok.v}" used as a value in "${this.src}"`);
      default: throw invalidArgument(`template: bad expression "${this.src}"`);
    }
  }
}

const BLOCK_WORDS = /^(range|if|with|end|else|define|template|block)\b/;

/** Render a template body against `data`. */
export function renderTemplate(body: string, data: unknown): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const open = body.indexOf('{{', i);
    if (open < 0) { out += body.slice(i); break; }
    out += body.slice(i, open);
    const close = body.indexOf('}}', open + 2);
    if (close < 0) throw invalidArgument(`template: unclosed action in "${body}"`);
    let action = body.slice(open + 2, close);
    // {{- and -}} trim surrounding whitespace, as in Go.
    if (action.startsWith('- ')) { out = out.replace(/\s+$/, ''); action = action.slice(1); }
    let trimAfter = false;
    if (action.endsWith(' -')) { trimAfter = true; action = action.slice(0, -1); }
    const expr = action.trim();
    if (BLOCK_WORDS.test(expr)) throw invalidArgument(`template: "{{${expr}}}" blocks are not supported yet`);
    if (!expr.startsWith('/*')) {
      const v = new Evaluator(tokenize(expr), data, expr).run();
      out += str(v === MISSING ? MISSING : v);
    }
    i = close + 2;
    if (trimAfter) while (i < body.length && /\s/.test(body[i])) i++;
  }
  return out;
}

/**
 * The header row of a table format: each action becomes the header of the
 * first field it names (`{{.ID}}` → "CONTAINER ID"); unknown fields are upper-cased.
 */
export function renderHeader(body: string, headers: Record<string, string>): string {
  return body.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_m, expr: string) => {
    const field = /\.([A-Za-z0-9_]+)/.exec(expr)?.[1];
    if (!field) return '';
    return headers[field] ?? field.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  });
}
