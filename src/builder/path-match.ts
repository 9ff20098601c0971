/**
 * builder/path-match — Go's `filepath.Match` for COPY/ADD source globs: `*`
 * (any run of non-`/` characters), `?`, `[…]` classes with ranges and `^`
 * negation, `\` escapes. A pattern matches a whole path; `*` never crosses
 * `/`. Pure.
 */
import { invalidArgument } from '../errdefs/errors.js';

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) throw invalidArgument(`syntax error in pattern: ${pattern}`, 'INVALID_PARAMETER');
      re += escapeRe(pattern[i]);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^' || pattern[j] === '!') { cls += '^'; j++; }
      let closed = false;
      let first = true;
      for (; j < pattern.length; j++) {
        const d = pattern[j];
        if (d === ']' && !first) { closed = true; break; }
        first = false;
        if (d === '\\') { j++; cls += escapeRe(pattern[j] ?? ''); continue; }
        cls += d === '-' ? '-' : escapeRe(d);
      }
      if (!closed) throw invalidArgument(`syntax error in pattern: ${pattern}`, 'INVALID_PARAMETER');
      re += `(?!/)[${cls}]`;
      i = j;
    } else re += escapeRe(c);
  }
  const out = new RegExp(re + '$', 's');
  cache.set(pattern, out);
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Go filepath.Match(pattern, name). */
export function pathMatch(pattern: string, name: string): boolean {
  return globToRegExp(pattern).test(name);
}
