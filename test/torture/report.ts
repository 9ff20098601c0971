/**
 * test/torture/report — what a torture run found: counters per phase (and
 * the run's totals), failures (they make the verdict "fail": a berthd
 * crash, a lost or changed byte, a 5xx or dropped connection on hostile
 * input, a leftover, a hang) and anomalies (reported, not fatal: a 5xx in
 * the chaos phase, an error line in berthd's log). Findings with the same
 * signature (IDs and numbers blanked) are counted once, keeping the first
 * sample. Rendered as JSON and as a human summary.
 */

export type PhaseName = 'A' | 'B' | 'C' | 'D';
export const PHASE_TITLES: Record<PhaseName, string> = {
  A: 'chaos clients', B: 'lossless streams', C: 'kill -9 and consistency', D: 'hostile inputs',
};

/** The run's totals: every phase counter of these names adds to them. */
export const TOTAL_KEYS = ['operations', 'faultsInjected', 'inputsTried', 'daemonRestarts', 'crashes', 'leftoversFound', 'bytesChecked'] as const;
export type TotalKey = typeof TOTAL_KEYS[number];

export interface Finding {
  phase: PhaseName;
  /** A short class: crash, stream-mismatch, hostile-5xx, leftover, hang, chaos-5xx, daemon-log-error, … */
  kind: string;
  message: string;
  /** The seed that replays the run (`--seed`). */
  seed: string;
  /** The operation (or input) being done, with its fault. */
  op?: string;
  /** berthd's stack (crash: the tail of its stderr; log errors: the logged err). */
  stack?: string;
  /** Operations in flight when it happened. */
  inFlight?: string[];
  count: number;
  firstAtMs: number;
}

export interface Verdict {
  verdict: 'pass' | 'fail';
  seed: string;
  options: Record<string, unknown>;
  durationMs: number;
  phaseDurationsMs: Partial<Record<PhaseName, number>>;
  totals: Record<TotalKey, number>;
  phases: Partial<Record<PhaseName, Record<string, number>>>;
  watchdog: { pings: number; failedPings: number; maxGapMs: number; gapsOver1s: number; gapsOver5s: number };
  rssMaxMb: Partial<Record<PhaseName, number>>;
  failures: Finding[];
  anomalies: Finding[];
  /** Where berthd's logs of phases with findings were saved. */
  logs: string[];
}

/** Blank what differs between two instances of one finding: hex IDs, numbers, temp paths. */
export function signature(s: string): string {
  return s.replace(/[0-9a-f]{12,64}/g, '<id>').replace(/\/tmp\/[^\s"']+/g, '<path>').replace(/\d+/g, 'N').slice(0, 300);
}

export class Report {
  readonly started = Date.now();
  readonly totals = Object.fromEntries(TOTAL_KEYS.map((k) => [k, 0])) as Record<TotalKey, number>;
  readonly phases: Partial<Record<PhaseName, Record<string, number>>> = {};
  readonly phaseDurationsMs: Partial<Record<PhaseName, number>> = {};
  readonly rssMaxMb: Partial<Record<PhaseName, number>> = {};
  readonly logs: string[] = [];
  readonly watchdog = { pings: 0, failedPings: 0, maxGapMs: 0, gapsOver1s: 0, gapsOver5s: 0 };
  private readonly failures = new Map<string, Finding>();
  private readonly anomalies = new Map<string, Finding>();

  constructor(readonly seed: string, readonly options: Record<string, unknown>) {}

  /** Add `n` to a phase counter (and to the run's total of that name). */
  count(phase: PhaseName, key: string, n = 1): void {
    const p = (this.phases[phase] ??= {});
    p[key] = (p[key] ?? 0) + n;
    if ((TOTAL_KEYS as readonly string[]).includes(key)) this.totals[key as TotalKey] += n;
  }

  fail(f: Omit<Finding, 'count' | 'seed' | 'firstAtMs'>): void { this.record(this.failures, f); }
  anomaly(f: Omit<Finding, 'count' | 'seed' | 'firstAtMs'>): void { this.record(this.anomalies, f); }
  anomalyCount(phase: PhaseName): number { return [...this.anomalies.values()].filter((f) => f.phase === phase).length; }

  private record(into: Map<string, Finding>, f: Omit<Finding, 'count' | 'seed' | 'firstAtMs'>): void {
    const key = `${f.phase} ${f.kind} ${signature(f.message)}`;
    const had = into.get(key);
    if (had) { had.count++; if (!had.stack && f.stack) had.stack = f.stack; return; }
    into.set(key, { ...f, seed: this.seed, count: 1, firstAtMs: Date.now() - this.started });
  }

  get failed(): boolean { return this.failures.size > 0; }
  failureCount(phase?: PhaseName): number { return [...this.failures.values()].filter((f) => !phase || f.phase === phase).length; }

  rss(phase: PhaseName, mb: number): void { this.rssMaxMb[phase] = Math.max(this.rssMaxMb[phase] ?? 0, Math.round(mb)); }

  gap(ms: number): void {
    this.watchdog.maxGapMs = Math.max(this.watchdog.maxGapMs, Math.round(ms));
    if (ms > 1000) this.watchdog.gapsOver1s++;
    if (ms > 5000) this.watchdog.gapsOver5s++;
  }

  verdict(): Verdict {
    return {
      verdict: this.failed ? 'fail' : 'pass', seed: this.seed, options: this.options, durationMs: Date.now() - this.started,
      phaseDurationsMs: this.phaseDurationsMs, totals: this.totals, phases: this.phases, watchdog: this.watchdog, rssMaxMb: this.rssMaxMb,
      failures: [...this.failures.values()], anomalies: [...this.anomalies.values()], logs: this.logs,
    };
  }
}

/** The verdict as text for a terminal: counters, then every failure with its stack, then anomalies in short. */
export function humanSummary(v: Verdict): string {
  const out: string[] = [];
  out.push(`berth torture: ${v.verdict.toUpperCase()}  seed=${v.seed}  ${(v.durationMs / 1000).toFixed(1)} s  options=${JSON.stringify(v.options)}`);
  out.push(`totals: ${Object.entries(v.totals).map(([k, n]) => `${k}=${n}`).join('  ')}`);
  out.push(`watchdog: ${v.watchdog.pings} pings, ${v.watchdog.failedPings} failed, max gap ${v.watchdog.maxGapMs} ms, gaps >1s: ${v.watchdog.gapsOver1s}, >5s: ${v.watchdog.gapsOver5s}`);
  for (const [p, counts] of Object.entries(v.phases) as [PhaseName, Record<string, number>][]) {
    const secs = ((v.phaseDurationsMs[p] ?? 0) / 1000).toFixed(1);
    out.push(`phase ${p} (${PHASE_TITLES[p]}, ${secs} s, berthd RSS max ${v.rssMaxMb[p] ?? '?'} MB):`);
    const keys = Object.keys(counts).sort();
    for (let i = 0; i < keys.length; i += 6) out.push('  ' + keys.slice(i, i + 6).map((k) => `${k}=${counts[k]}`).join('  '));
  }
  out.push(`failures: ${v.failures.length}`);
  for (const f of v.failures) {
    out.push(`  [${f.phase}] ${f.kind} ×${f.count}: ${f.message}`);
    if (f.op) out.push(`      op: ${f.op}`);
    if (f.inFlight?.length) out.push(`      in flight: ${f.inFlight.slice(0, 8).join(' | ')}`);
    if (f.stack) out.push(f.stack.split('\n').slice(0, 25).map((l) => `      | ${l}`).join('\n'));
  }
  out.push(`anomalies: ${v.anomalies.length}`);
  for (const a of v.anomalies) out.push(`  [${a.phase}] ${a.kind} ×${a.count}: ${a.message.slice(0, 240)}${a.op ? `  (op: ${a.op})` : ''}`);
  for (const l of v.logs) out.push(`berthd log: ${l}`);
  if (v.failures.length) out.push(`replay: node dist/test/torture/run.js --seed ${v.seed} ${v.options.minutes !== undefined ? `--minutes ${v.options.minutes}` : ''} ${v.options.clients !== undefined ? `--clients ${v.options.clients}` : ''}`.trim());
  return out.join('\n');
}
