/** engine/signals — signal names and numbers as Docker accepts them ("KILL", "SIGKILL", "9"). */
import { invalidArgument } from '../errdefs/errors.js';
import { constants } from 'node:os';

const BY_NAME = constants.signals as Record<string, number>;

export function signalNumber(input: string): number {
  const s = input.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = parseInt(s, 10);
    if (n < 1 || n > 64) throw invalidArgument(`Invalid signal: ${input}`);
    return n;
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  const n = BY_NAME[name];
  if (n === undefined) {
    const rt = /^SIGRTMIN(\+(\d+))?$/.exec(name);
    if (rt) return 34 + Number(rt[2] ?? 0);
    throw invalidArgument(`Invalid signal: ${input}`);
  }
  return n;
}

/** Canonical "SIGxxx" (or the number as a string for real-time signals). */
export function signalName(input: string): string {
  const n = signalNumber(input);
  const found = Object.entries(BY_NAME).find(([, v]) => v === n);
  return found ? found[0] : String(n);
}
