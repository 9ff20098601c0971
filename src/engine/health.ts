/**
 * engine/health — Docker's HEALTHCHECK: while a container with a health
 * test runs, probe it every Interval by running the test as an exec session
 * inside it (a real process, with Timeout), keep the last 5 results in
 * State.Health.Log, and move Status starting → healthy / unhealthy
 * (Retries consecutive failures; failures within StartPeriod do not count),
 * publishing `health_status: <status>` events on changes.
 *
 * Monitors follow the container's life through the event bus (start → run,
 * die/destroy → stop); `resume()` picks up running containers at daemon
 * start. Nothing here is faked: every probe is a process in the container.
 *
 * May import: engine (containers, exec, events), lib.
 */
import type { Logger } from '../lib/log.js';
import type { ContainerService } from './containers.js';
import type { ExecService } from './exec.js';
import type { EventsService } from './events.js';
import type { ContainerRecord, HealthLogEntry } from './container-types.js';

const NS_PER_MS = 1_000_000;
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;
const MAX_LOG = 5;
const MAX_OUTPUT = 4096;

/** The probe command for a health test, or undefined when there is none (NONE, empty). */
export function probeCommand(test: string[] | undefined): string[] | undefined {
  if (!test?.length) return undefined;
  switch (test[0]) {
    case 'NONE': return undefined;
    case 'CMD': return test.length > 1 ? test.slice(1) : undefined;
    case 'CMD-SHELL': return test.length > 1 ? ['/bin/sh', '-c', test.slice(1).join(' ')] : undefined;
    default: return ['/bin/sh', '-c', test.join(' ')]; // Docker treats a bare list as a shell command
  }
}

export class HealthService {
  private readonly monitors = new Map<string, AbortController>();

  constructor(private readonly o: { containers: ContainerService; exec: ExecService; events: EventsService; log: Logger }) {}

  /** Follow container events until `signal` aborts; start monitors for containers already running. */
  async run(signal: AbortSignal): Promise<void> {
    for (const rec of this.o.containers.list()) if (rec.state.Status === 'running' || rec.state.Status === 'paused') this.startMonitor(rec.id, false);
    for await (const ev of this.o.events.subscribe({ filters: new Map([['type', ['container']], ['event', ['start', 'die', 'destroy']]]), signal })) {
      if (ev.Action === 'start') this.startMonitor(ev.Actor.ID, true);
      else this.stopMonitor(ev.Actor.ID);
    }
    for (const id of [...this.monitors.keys()]) this.stopMonitor(id);
  }

  private stopMonitor(id: string): void {
    this.monitors.get(id)?.abort();
    this.monitors.delete(id);
  }

  private startMonitor(id: string, fresh: boolean): void {
    const rec = this.o.containers.tryGet(id);
    if (!rec) return;
    const cmd = probeCommand(rec.config.Healthcheck?.Test);
    this.stopMonitor(id);
    if (!cmd) return;
    const ac = new AbortController();
    this.monitors.set(id, ac);
    if (fresh || !rec.state.Health) void this.o.containers.update(id, async (r) => { r.state.Health = { Status: 'starting', FailingStreak: 0, Log: [] }; }).catch(() => {});
    void this.loop(rec, cmd, ac.signal).catch((err) => this.o.log.warn('health monitor failed', { id, err: (err as Error).message }));
  }

  private async loop(rec: ContainerRecord, cmd: string[], signal: AbortSignal): Promise<void> {
    const hc = rec.config.Healthcheck ?? {};
    const interval = hc.Interval ? hc.Interval / NS_PER_MS : DEFAULT_INTERVAL_MS;
    const startInterval = hc.StartInterval ? hc.StartInterval / NS_PER_MS : interval;
    const timeout = hc.Timeout ? hc.Timeout / NS_PER_MS : DEFAULT_TIMEOUT_MS;
    const retries = hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES;
    const startPeriod = hc.StartPeriod ? hc.StartPeriod / NS_PER_MS : 0;
    const started = Date.parse(this.o.containers.tryGet(rec.id)?.state.StartedAt ?? '') || Date.now();
    const runId = this.o.containers.tryGet(rec.id)?.state.runId;
    while (!signal.aborted) {
      const inStart = Date.now() - started < startPeriod;
      await sleep(inStart ? startInterval : interval, signal);
      if (signal.aborted) return;
      const cur = this.o.containers.tryGet(rec.id);
      if (!cur || cur.state.runId !== runId) return;
      if (cur.state.Status !== 'running') { if (cur.state.Status === 'paused') continue; return; }
      const entry = await this.probe(rec.id, cmd, timeout);
      if (signal.aborted) return;
      let changed: string | undefined;
      await this.o.containers.update(rec.id, async (r) => {
        // a probe of an earlier run must not write into the next one's health
        if (r.state.runId !== runId) return;
        const h = r.state.Health ?? { Status: 'starting' as const, FailingStreak: 0, Log: [] };
        h.Log = [...h.Log, entry].slice(-MAX_LOG);
        const before = h.Status;
        if (entry.ExitCode === 0) { h.FailingStreak = 0; h.Status = 'healthy'; }
        else if (!(Date.now() - started < startPeriod && h.Status === 'starting')) {
          h.FailingStreak += 1;
          if (h.FailingStreak >= retries) h.Status = 'unhealthy';
        }
        r.state.Health = h;
        if (h.Status !== before) changed = h.Status;
      }).catch(() => {});
      const now = this.o.containers.tryGet(rec.id);
      if (now && changed) this.o.containers.emit(now, `health_status: ${changed}`);
    }
  }

  /** Run the test once as an exec session; a timeout kills it (exit -1, as Docker reports). */
  private async probe(id: string, cmd: string[], timeoutMs: number): Promise<HealthLogEntry> {
    const start = new Date().toISOString();
    let execId: string | undefined;
    try {
      execId = this.o.exec.create(id, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const s = await this.o.exec.start(execId);
      let output = '';
      const collect = (async () => {
        for await (const r of this.o.exec.output(execId!, { stdout: true, stderr: true })) {
          if (output.length < MAX_OUTPUT) output += r.data.toString() + (r.partial ? '' : '\n');
        }
      })();
      const deadline = new AbortController();
      const code = await Promise.race([s.exited, sleep(timeoutMs, deadline.signal).then(() => undefined)]);
      deadline.abort();
      if (code === undefined) {
        try { if (s.pid && s.running) process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
        return { Start: start, End: new Date().toISOString(), ExitCode: -1, Output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
      }
      await collect;
      return { Start: start, End: new Date().toISOString(), ExitCode: code, Output: output.slice(0, MAX_OUTPUT) };
    } catch (err) {
      return { Start: start, End: new Date().toISOString(), ExitCode: -1, Output: (err as Error).message };
    } finally {
      if (execId) this.o.exec.discard(execId);
    }
  }
}

/** Resolves after `ms` or at the abort; either way the other is cleared (a listener per probe would pile up on the monitor's signal). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(t); resolve(); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
