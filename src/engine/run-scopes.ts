/**
 * engine/run-scopes — the timers and watchers that belong to one run of a
 * container (from a start to the exit that ends it): a stop's SIGKILL
 * deadline, its "monitor lost" fallback, a kill's wait. Each run has an ID
 * (recorded in the container's state); everything scheduled for a run is
 * cancelled when that run ends or a new one begins, and every action such a
 * timer takes names its run, so nothing of run N can act on run N+1
 * (`docker stop` then `docker start` used to have the new run killed by the
 * old stop's timer).
 *
 * Also owns restart-policy timers, which belong to the stopped state between
 * runs: a manual start, a stop or a removal cancels them.
 *
 * May import: lib.
 */
import { randomBytes } from 'node:crypto';

export class RunScope {
  readonly #ac = new AbortController();

  constructor(readonly containerId: string, readonly runId: string) {}

  get signal(): AbortSignal { return this.#ac.signal; }
  get ended(): boolean { return this.#ac.signal.aborted; }

  /** Resolves true after `ms`, or false as soon as the run ends (the timer is cleared). */
  sleep(ms: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.#ac.signal.removeEventListener('abort', stop); resolve(true); }, ms);
      const stop = () => { clearTimeout(t); resolve(false); };
      this.#ac.signal.addEventListener('abort', stop, { once: true });
    });
  }

  end(): void { this.#ac.abort(); }
}

export class RunScopes {
  private readonly runs = new Map<string, RunScope>();
  private readonly restarts = new Map<string, NodeJS.Timeout>();

  /** A fresh run ID for a start. */
  static newRunId(): string { return randomBytes(8).toString('hex'); }

  /** The run `runId` of the container begins: whatever was scheduled for an earlier run is cancelled. */
  begin(containerId: string, runId: string): RunScope {
    this.runs.get(containerId)?.end();
    this.cancelRestart(containerId);
    const scope = new RunScope(containerId, runId);
    this.runs.set(containerId, scope);
    return scope;
  }

  /**
   * The scope of the container's run `runId`. `live` says whether the
   * container's record names that run as running now: then the scope is the
   * registered one (or, for a run this daemon did not start — re-adopted
   * after a restart — a new one); otherwise the run is over and the scope
   * is returned ended, so nothing scheduled on it ever fires.
   */
  scope(containerId: string, runId: string | undefined, live: boolean): RunScope {
    const cur = this.runs.get(containerId);
    if (cur && cur.runId === runId && !cur.ended) return cur;
    if (!live || !runId) { const s = new RunScope(containerId, runId ?? ''); s.end(); return s; }
    cur?.end();
    const s = new RunScope(containerId, runId);
    this.runs.set(containerId, s);
    return s;
  }

  /** The run ended (its exit was recorded): cancel its timers. */
  end(containerId: string, runId?: string): void {
    const cur = this.runs.get(containerId);
    if (!cur || (runId !== undefined && cur.runId !== runId)) return;
    cur.end();
    this.runs.delete(containerId);
  }

  /** Schedule a restart-policy start; replaces any pending one. */
  scheduleRestart(containerId: string, delayMs: number, fn: () => void): void {
    this.cancelRestart(containerId);
    const t = setTimeout(() => { this.restarts.delete(containerId); fn(); }, delayMs);
    t.unref();
    this.restarts.set(containerId, t);
  }

  /** Is a restart-policy start pending (Docker shows such a container as restarting)? */
  restartPending(containerId: string): boolean { return this.restarts.has(containerId); }

  /** Cancel a pending restart-policy start; true if there was one. */
  cancelRestart(containerId: string): boolean {
    const t = this.restarts.get(containerId);
    if (!t) return false;
    clearTimeout(t);
    this.restarts.delete(containerId);
    return true;
  }

  /** The container is gone: cancel everything of it. */
  forget(containerId: string): void {
    this.end(containerId);
    this.cancelRestart(containerId);
  }

  /** Daemon shutdown: cancel everything. */
  close(): void {
    for (const id of [...this.runs.keys()]) this.end(id);
    for (const id of [...this.restarts.keys()]) this.cancelRestart(id);
  }
}
