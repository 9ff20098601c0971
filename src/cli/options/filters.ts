/**
 * cli/options/filters — repeated `--filter key=value` into the API's filters
 * map. Pure; imports api types and errdefs.
 */
import type { Filters } from '../../api/types.js';
import { invalidArgument } from '../../errdefs/errors.js';

export function parseFilters(values: string[]): Filters {
  const out: Filters = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw invalidArgument(`bad format of filter (expected name=value)`);
    const key = v.slice(0, eq).trim().toLowerCase();
    (out[key] ??= []).push(v.slice(eq + 1).trim());
  }
  return out;
}
