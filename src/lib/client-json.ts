/**
 * lib/client-json — JSON text from a client (request bodies, query
 * parameters, headers, archives), parsed with a cap on nesting.
 *
 * V8's JSON.parse copes with any depth, but what comes after it does not:
 * JSON.stringify (records, responses), structuredClone and every recursive
 * walk overflow the stack somewhere between 2 000 and 5 000 levels, and a
 * RangeError there is a 500 "Maximum call stack size exceeded". Docker's
 * bodies nest a handful of levels; Go's decoder stops at 10 000 ("invalid
 * character '[' exceeded max depth"). The check here is an iterative scan
 * of the text before parsing, so nothing recursive ever sees a deep value.
 *
 * May import: errdefs.
 */
import { BerthError } from '../errdefs/errors.js';

/** Far deeper than any Docker or OCI document, well below where recursion breaks. */
export const MAX_JSON_DEPTH = 1000;

/** The bracket that first nests deeper than `max` (outside strings), or undefined. */
export function excessNesting(text: string, max = MAX_JSON_DEPTH): { char: string; offset: number } | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return { char: text[i], offset: i };
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/**
 * Parse client JSON; a syntax error or excessive nesting is an INVALID_JSON
 * error whose message starts with `invalid JSON: ` (dockerd's httputils
 * prefix), with Go's wording for the nesting case.
 */
export function parseClientJson(text: string, max = MAX_JSON_DEPTH): unknown {
  const deep = excessNesting(text, max);
  if (deep) throw new BerthError('INVALID_JSON', `invalid JSON: invalid character '${deep.char}' exceeded max depth (more than ${max} levels of nesting)`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BerthError('INVALID_JSON', `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}
