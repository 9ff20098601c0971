/**
 * engine/restart-policy — Docker's restart policies as decisions: whether an
 * exit is followed by a restart (the container is "restarting" meanwhile)
 * and after what back-off. Pure.
 */
import type { RestartPolicy } from './container-types.js';

export interface ExitFacts {
  policy?: RestartPolicy;
  autoRemove?: boolean;
  exitCode: number;
  /** restarts the policy made so far */
  restartCount: number;
  /** a stop, or a kill with SIGKILL/SIGTERM, by the user */
  stoppedByUser?: boolean;
}

/** always, unless-stopped and on-failure[:N] restart an exit the user did not ask for; --rm containers are removed instead. */
export function restartPlanned(f: ExitFacts): boolean {
  const p = f.policy;
  if (f.autoRemove || !p || p.Name === 'no' || p.Name === '' || f.stoppedByUser) return false;
  if (p.Name === 'on-failure') {
    if (f.exitCode === 0) return false;
    if (p.MaximumRetryCount && f.restartCount >= p.MaximumRetryCount) return false;
  }
  return true;
}

/** Docker's back-off: 100 ms doubling up to a minute, back to 100 ms after a run of 10 s or more. */
export function restartDelayMs(ranMs: number, restartCount: number): number {
  return ranMs >= 10_000 ? 100 : Math.min(100 * 2 ** restartCount, 60_000);
}
