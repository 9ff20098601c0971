/**
 * test/torture/torture — the run: each phase on its own berthd (fresh temp
 * roots, cgroup parent, network prefix and subnets from the integration
 * harness), busybox imported, the phase, then the leftover check, a SIGTERM
 * stop, berthd's error log scanned, and the harness's own hard clean-up.
 * Budget: `minutes` of wall time split between the time-bound phases (A
 * and C); B and D are bounded by their input counts and get bigger inputs
 * and longer holds in the long form (≥ 5 minutes). A hard limit ends a run
 * that overstays (reported as a failure).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leftoverCleanup, sleep } from '../integration/harness.js';
import { DaemonUnderTest } from './daemon-under-test.js';
import { finalCheck, netBaseline } from './leftovers.js';
import { Report, humanSummary, type PhaseName, type Verdict } from './report.js';
import { runChaos } from './phase-chaos.js';
import { runStreams } from './phase-streams.js';
import { LocalRegistry, runCrash } from './phase-crash.js';
import { runHostile } from './phase-hostile.js';
import { Canary, HostileJudge } from './hostile-check.js';

export interface TortureOptions { minutes: number; clients: number; seed: string; phases: PhaseName[] }

export async function runTorture(o: TortureOptions, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<Verdict> {
  const report = new Report(o.seed, { minutes: o.minutes, clients: o.clients, phases: o.phases.join('') });
  const total = o.minutes * 60000;
  const long = o.minutes >= 5;
  const cleanups: (() => Promise<void> | void)[] = [];
  // made on first use: berthd's logs of phases with findings (kept after the run, outside the test prefix)
  let logDirPath: string | undefined;
  const logDir = () => (logDirPath ??= mkdtempSync(join(tmpdir(), 'torture-logs-')));
  let current: DaemonUnderTest | undefined;
  const hardLimit = setTimeout(() => {
    report.fail({ phase: current?.phase ?? 'A', kind: 'harness-timeout', message: `the run overstayed its hard limit (${Math.round((total * 1.5 + 180000) / 1000)} s)` });
    void (async () => {
      for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
      process.stdout.write(`${humanSummary(report.verdict())}\n${JSON.stringify(report.verdict(), null, 2)}\n`);
      process.exit(1);
    })();
  }, total * 1.5 + 180000);
  hardLimit.unref();
  const onSignal = () => {
    void (async () => {
      for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const phase = async (name: PhaseName, body: (dut: DaemonUnderTest) => Promise<void>, extra: { otherPids?: () => number[] } = {}) => {
    if (!o.phases.includes(name)) return;
    const t0 = Date.now();
    const dut = new DaemonUnderTest(name, report, ['--log-level', 'debug']);
    current = dut;
    const hard = () => { leftoverCleanup(dut.d.root, dut.d.cgroupParent, dut.d.netPrefix); };
    cleanups.push(hard);
    log(`phase ${name}: starting berthd on ${dut.d.root}`);
    try {
      await dut.start();
      await dut.d.importBusybox();
      const base = netBaseline(dut.d);
      try { await body(dut); } catch (err) {
        report.fail({ phase: name, kind: 'harness-error', message: `phase ${name} stopped: ${(err as Error).stack ?? err}` });
      }
      await dut.ready(30000);
      dut.quiet();
      log(`phase ${name}: leftover check (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      await finalCheck(name, report, dut.d, base, () => dut.stop(), extra.otherPids?.() ?? []);
    } catch (err) {
      report.fail({ phase: name, kind: 'harness-error', message: `phase ${name} set-up/teardown: ${(err as Error).message}` });
    } finally {
      dut.quiet();
      dut.scanLog();
      await dut.stop().catch(() => undefined);
      if (report.failureCount(name) || report.anomalyCount(name)) {
        const file = join(logDir(), `berthd-${name}.log`);
        writeFileSync(file, dut.log);
        report.logs.push(file);
      }
      await dut.d.cleanup().catch(() => undefined);
      cleanups.splice(cleanups.indexOf(hard), 1);
      report.phaseDurationsMs[name] = Date.now() - t0;
      log(`phase ${name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${report.failureCount(name)} distinct failures`);
    }
  };

  await phase('A', (dut) => runChaos(dut, report, o.seed, { clients: o.clients, durationMs: Math.max(12000, total * 0.3) }));
  await phase('B', (dut) => runStreams(dut, report, o.seed, { sizes: long ? [200_000, 5_000_000, 100_000_000] : [200_000, 5_000_000], pauseMs: long ? 20000 : 3000, rssBoundMb: 150, maxMs: Math.max(60000, total * 0.3) }));
  const registry = new LocalRegistry();
  cleanups.push(() => registry.stop());
  await phase('C', async (dut) => {
    await registry.start();
    await runCrash(dut, report, o.seed, registry, { durationMs: Math.max(10000, total * 0.22), minCycles: 3, pullImages: long ? 3 : 2, layerMb: long ? 24 : 8 });
  }, { otherPids: () => [registry.pid ?? 0] });
  await registry.stop();
  const canary = new Canary();
  cleanups.push(() => canary.remove());
  await phase('D', (dut) => runHostile(dut, report, new HostileJudge(dut, report, canary), { holdMs: long ? 30000 : 3000, swapMs: long ? 30000 : 3000, hugeMb: 50 }));
  // a last look at the canary (an escape that landed late)
  for (const c of canary.changes()) report.fail({ phase: 'D', kind: 'escape', message: `changed outside the roots by the end of the run: ${c}` });
  canary.remove();
  clearTimeout(hardLimit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await sleep(0);
  return report.verdict();
}
