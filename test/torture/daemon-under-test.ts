/**
 * test/torture/daemon-under-test — one berthd (test/integration/harness's
 * TestDaemon on temp roots) as a torture phase sees it: a watchdog pinging
 * /_ping every 200 ms (gaps recorded), its RSS sampled, its exit watched —
 * an exit nobody asked for is a crash, reported with the tail of its stderr
 * (the stack), the operations in flight and the seed, after which it is
 * started again on the same roots so the phase goes on. Error lines of its
 * log are reported as anomalies when the phase ends.
 */
import { readFileSync } from 'node:fs';
import { TestDaemon, sleep } from '../integration/harness.js';
import { call } from './raw-http.js';
import type { PhaseName, Report } from './report.js';

/** A gap between answered pings longer than this, with berthd alive, is a failure. */
const UNRESPONSIVE_MS = 10000;
/** Crashes of one phase after which it stops starting berthd again. */
const MAX_CRASHES = 12;

export function rssMbOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch { return undefined; }
}

/** The fields of one berthd log line (logfmt: key=value, values quoted as JSON strings when needed). */
export function logFields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) out[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) as string : m[2];
  return out;
}

/**
 * The interesting part of a crashed berthd's stderr: its own last words
 * (the "uncaught exception" log line's err, a stack) or else node's report
 * of an uncaught error (everything that is not a log line, from the first
 * error line on).
 */
export function crashStack(stderr: string): { headline: string; stack: string } {
  const last = stderr.split('\n').filter((l) => /msg="uncaught exception \(a bug; the daemon exits\)"/.test(l)).slice(-1)[0];
  if (last) {
    const err = logFields(last).err ?? '';
    return { headline: err.split('\n')[0], stack: err };
  }
  const lines = stderr.split('\n').filter((l) => !l.startsWith('time="'));
  const tail = lines.slice(-80);
  const first = tail.findIndex((l) => /^(\w*Error\b|\w+ \[ERR_\w+\]|Uncaught|FATAL|#|\s*throw )/.test(l));
  const headIdx = tail.findIndex((l) => /^(\w*Error\b|\w+ \[ERR_\w+\])/.test(l));
  const stack = tail.slice(Math.max(0, first)).join('\n').trim();
  const logErr = stderr.split('\n').filter((l) => /level=(error|fatal)/.test(l)).slice(-1)[0];
  return { headline: headIdx >= 0 ? tail[headIdx].trim() : (logErr ?? tail.filter(Boolean).slice(-1)[0] ?? 'no stderr'), stack: stack || stderr.slice(-3000) };
}

export class DaemonUnderTest {
  readonly d = new TestDaemon();
  /** Bumped on every (re)start: an operation that spans two epochs saw berthd go down. */
  epoch = 0;
  crashes = 0;
  /** Set when the phase gives up on a berthd that keeps crashing. */
  gaveUp = false;
  private stderrFrom = 0;
  private expectingExit = false;
  private restarting?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  private lastPingOk = Date.now();
  private pingBusy = false;
  private watchdogPaused = false;
  private inflight = new Map<number, string>();
  private nextToken = 0;
  private recent: string[] = [];
  private stopped = false;

  constructor(readonly phase: PhaseName, private readonly report: Report, private readonly extraArgs: string[] = []) {}

  get sock(): string { return this.d.sock; }
  get pid(): number | undefined { return this.d.pid; }
  get alive(): boolean { const c = this.d.childProcess; return !!c && c.exitCode === null && c.signalCode === null; }

  async start(): Promise<void> {
    await this.spawn();
    this.timers.push(setInterval(() => void this.ping(), 200));
    this.timers.push(setInterval(() => { const mb = rssMbOf(this.pid); if (mb) this.report.rss(this.phase, mb); }, 500));
  }

  private async spawn(): Promise<void> {
    this.stderrFrom = this.d.stderr.length;
    await this.d.start(this.extraArgs);
    this.epoch++;
    this.lastPingOk = Date.now();
    const child = this.d.childProcess!;
    child.once('exit', (code, signal) => {
      if (this.expectingExit || this.stopped) return;
      this.onCrash(code, signal);
    });
  }

  private onCrash(code: number | null, signal: NodeJS.Signals | null): void {
    this.crashes++;
    this.report.count(this.phase, 'crashes');
    const { headline, stack } = crashStack(this.d.stderr.slice(this.stderrFrom));
    this.report.fail({
      phase: this.phase, kind: 'crash', message: `berthd exited (${signal ?? `code ${code}`}): ${headline}`, stack,
      op: this.recent.slice(-1)[0], inFlight: [...this.inflight.values(), ...this.recent.slice(-6).map((r) => `done: ${r}`)],
    });
    if (this.crashes >= MAX_CRASHES) { this.gaveUp = true; return; }
    this.restarting = (async () => {
      try {
        await this.spawn();
        this.report.count(this.phase, 'daemonRestarts');
      } catch (err) {
        this.gaveUp = true;
        this.report.fail({ phase: this.phase, kind: 'restart-failed', message: `berthd did not start again after a crash: ${(err as Error).message.slice(0, 400)}` });
      } finally { this.restarting = undefined; }
    })();
  }

  /**
   * Wait until berthd answers /_ping, through a restart after a crash
   * (whose exit event may come after the client saw its connection drop);
   * false if it is gone for good.
   */
  async ready(timeoutMs = 60000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.restarting) await this.restarting;
      if (this.gaveUp || this.stopped) return false;
      if (this.alive) {
        const ok = await call(this.sock, 'GET', '/_ping', undefined, { timeoutMs: 5000 }).then((r) => r.status === 200, () => false);
        if (ok && !this.restarting) return true;
      }
      await sleep(100);
    }
    return false;
  }

  /** kill -9 on purpose (phase C); the watchdog holds its breath. */
  async kill9(): Promise<void> {
    this.watchdogPaused = true;
    this.expectingExit = true;
    await this.d.crash();
    this.expectingExit = false;
  }

  /** Start again on the same roots after kill9. */
  async restart(): Promise<void> {
    await this.spawn();
    this.watchdogPaused = false;
    this.report.count(this.phase, 'daemonRestarts');
  }

  /** Run `fn` as an operation named `label`: listed as in flight if berthd crashes meanwhile. */
  async track<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const token = this.nextToken++;
    this.inflight.set(token, `${label} (t+${Date.now() - this.report.started} ms)`);
    try { return await fn(); } finally {
      this.inflight.delete(token);
      this.recent.push(label);
      if (this.recent.length > 40) this.recent.shift();
    }
  }

  private async ping(): Promise<void> {
    if (this.pingBusy || this.watchdogPaused || this.restarting || !this.alive) { if (!this.alive || this.watchdogPaused) this.lastPingOk = Date.now(); return; }
    this.pingBusy = true;
    const sent = Date.now();
    this.report.watchdog.pings++;
    try {
      const r = await call(this.sock, 'GET', '/_ping', undefined, { timeoutMs: 3000 });
      if (r.status !== 200) throw new Error(`/_ping answered ${r.status}`);
      const now = Date.now();
      const gap = now - this.lastPingOk;
      if (gap > 1000) this.report.gap(gap);
      if (gap > UNRESPONSIVE_MS && this.alive && !this.watchdogPaused) {
        this.report.fail({ phase: this.phase, kind: 'unresponsive', message: `berthd answered no /_ping for ${Math.round(gap / 1000)} s while running`, inFlight: [...this.inflight.values()] });
      }
      this.lastPingOk = now;
    } catch (err) {
      if (this.alive && !this.watchdogPaused && !this.restarting && sent > this.lastPingOk) this.report.watchdog.failedPings++;
      void err;
    } finally { this.pingBusy = false; }
  }

  /** Operations running now, with when they started. */
  inflightOps(): string[] { return [...this.inflight.values()]; }

  /** berthd's stderr since the daemon object was made. */
  get log(): string { return this.d.stderr; }

  /**
   * Report berthd's error log lines (5xx handlers, unhandled rejections,
   * errors after a response started) as anomalies, grouped by message.
   */
  scanLog(): void {
    for (const line of this.d.stderr.split('\n')) {
      if (!/level=(error|fatal) /.test(line)) continue;
      const f = logFields(line);
      const msg = f.msg ?? '';
      const err = f.err ?? '';
      // an uncaught error that berthd survived is a crash it hid; one it died of was reported as the crash
      if (/uncaught exception \(a bug; the daemon exits\)/.test(msg)) continue;
      const masked = /uncaught exception|unhandled rejection/.test(msg);
      const finding = { phase: this.phase, kind: masked ? 'masked-crash' : 'daemon-log-error', message: `${msg}${f.path ? ` ${f.path}` : ''}: ${err.split('\n')[0]}`, stack: err.includes('\n') ? err : undefined };
      if (masked) this.report.fail(finding); else this.report.anomaly(finding);
    }
  }

  /** Stop the watchdog and sampler; berthd keeps running (for the leftover check). */
  quiet(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** SIGTERM berthd (a clean stop is no crash). */
  async stop(): Promise<void> {
    this.quiet();
    this.stopped = true;
    if (this.restarting) await this.restarting.catch(() => undefined);
    await this.d.stop();
    const c = this.d.childProcess;
    if (c && c.exitCode === null && c.signalCode === null) {
      this.report.fail({ phase: this.phase, kind: 'stop-hang', message: 'berthd did not exit within 10 s of SIGTERM' });
      await this.d.crash();
    }
    await sleep(0);
  }
}
