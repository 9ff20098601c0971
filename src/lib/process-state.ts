/**
 * lib/process-state — is a PID a live process? Alive means it exists and is
 * not a zombie: a monitor that exited but was not yet reaped by init counts
 * as gone. Reads /proc; imports only node built-ins.
 */
import { readFileSync } from 'node:fs';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Resolve once `pid` is gone, or after `timeoutMs`. */
export async function waitPidGone(pid: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (pidAlive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}
