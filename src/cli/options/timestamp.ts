/**
 * cli/options/timestamp — `logs --since/--until` values into the API's
 * "seconds.nanoseconds" form (Docker's timetypes.GetTimestamp): a Go duration
 * ("10m") counts back from now, a number passes through, a date is parsed.
 * Pure (now is passed in); imports errdefs.
 */
import { invalidArgument } from '../../errdefs/errors.js';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go duration → ms, or undefined if it is not one. */
export function parseGoDurationMs(s: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += parseFloat(m[1]) * UNITS[m[2]];
  return total;
}

function fromMs(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const nanos = Math.round((ms - sec * 1000) * 1e6);
  return `${sec}.${String(nanos).padStart(9, '0')}`;
}

export function toApiTimestamp(value: string, nowMs: number): string {
  if (value === '') return value;
  const d = parseGoDurationMs(value);
  if (d !== undefined) return fromMs(nowMs - d);
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  // Date-only and zone-less forms are local time, as in Docker.
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  if (Number.isNaN(ms)) throw invalidArgument(`failed to parse value as time or duration: "${value}"`);
  return fromMs(ms);
}
