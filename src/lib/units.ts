/**
 * lib/units — Docker's human units: RAM sizes ("512m", "1g", base 1024) and
 * durations in Go syntax ("30s", "1m30s", "1h"), plus the HumanDuration words
 * Docker prints in `ps` ("Up 3 seconds", "About a minute").
 */
import { invalidArgument } from '../errdefs/errors.js';

const RAM: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, p: 1024 ** 5, pb: 1024 ** 5 };

export function parseRamSize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?b?)\s*$/i.exec(s);
  if (!m) throw invalidArgument(`invalid size: '${s}'`);
  return Math.floor(parseFloat(m[1]) * RAM[m[2].toLowerCase()]);
}

const SI: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/**
 * go-units' FromHumanSize (decimal: "10m" = 10 000 000), as dockerd's
 * json-file and local log drivers read max-size: digits with an optional
 * fraction, one optional space, an optional k/m/g/t/p, `i`, `b`. Anything
 * else — a sign included — is "invalid size: '<s>'".
 */
export function parseHumanSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(s);
  if (!m) throw invalidArgument(`invalid size: '${s}'`);
  return Math.trunc(parseFloat(m[1]) * SI[(m[2] ?? '').toLowerCase()]);
}

const DUR: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Go duration string → milliseconds. */
export function parseGoDuration(s: string): number {
  if (/^\d+$/.test(s)) return parseInt(s, 10) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let mm: RegExpExecArray | null;
  while ((mm = re.exec(s))) { total += parseFloat(mm[1]) * DUR[mm[2]]; pos = re.lastIndex; }
  if (pos !== s.length || s.length === 0) throw invalidArgument(`invalid duration: '${s}'`);
  return total;
}

/** Docker's units.HumanDuration (go-units) for a duration in milliseconds, rounded as Go does. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // Go: d.Round(time.Hour).Hours() — halves round away from zero.
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}
