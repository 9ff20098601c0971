/**
 * test/torture/phase-streams — phase B: the lossless-stream matrix
 * (stream-case: run -i / attach / exec -i, with and without a TTY, input
 * counted and hashed in the container, output compared byte for byte) at
 * 200 kB and 5 MB (and 100 MB in the long form), then back-pressure: a
 * reader that stops reading a flooding container (attach, logs?follow=1,
 * exec) must not make berthd's RSS grow without bound.
 */
import { sleep } from '../integration/harness.js';
import { HttpConn, call, formatRequest } from './raw-http.js';
import { rssMbOf, type DaemonUnderTest } from './daemon-under-test.js';
import { caseName, runStreamCase, type StreamCase, type Mode } from './stream-case.js';
import type { Report } from './report.js';

export interface StreamsOptions { sizes: number[]; pauseMs: number; rssBoundMb: number; maxMs: number }

const v = '/v1.47';

export function streamCases(sizes: number[]): StreamCase[] {
  const out: StreamCase[] = [];
  for (const size of sizes) {
    for (const mode of ['run', 'attach', 'exec'] as Mode[]) {
      for (const tty of [false, true]) out.push({ mode, tty, direction: 'in', size });
      out.push({ mode, tty: false, direction: 'out', size });
    }
    out.push({ mode: 'exec', tty: true, direction: 'out', size });
  }
  return out;
}

export async function runStreams(dut: DaemonUnderTest, report: Report, seed: string, o: StreamsOptions): Promise<void> {
  const end = Date.now() + o.maxMs;
  const cases = streamCases(o.sizes);
  for (const [i, c] of cases.entries()) {
    if (!(await dut.ready())) return;
    if (Date.now() > end) {
      report.count('B', 'streamCasesNotRun', cases.length - i);
      report.fail({ phase: 'B', kind: 'out-of-time', message: `phase B ran out of its ${o.maxMs / 1000} s: ${cases.length - i} of ${cases.length} stream cases not run (from ${caseName(c)})` });
      break;
    }
    const name = caseName(c);
    const epoch = dut.epoch;
    report.count('B', 'operations');
    report.count('B', 'streamCases');
    const t0 = Date.now();
    const r = await dut.track(`B ${name}`, () => runStreamCase(dut.sock, c, `${seed}/B/${name}`));
    report.count('B', 'ms.casesWithCleanup', Date.now() - t0);
    report.count('B', 'bytesChecked', r.bytesChecked);
    report.count('B', `ms.${name.replace(/ /g, '_')}`, r.ms);
    if (r.ok) { report.count('B', 'streamsIntact'); continue; }
    report.count('B', 'streamsBroken');
    await dut.ready();
    const crashed = dut.epoch !== epoch;
    report.fail({ phase: 'B', kind: crashed ? 'stream-lost-to-crash' : 'stream-mismatch', message: `${name}: ${r.problems[0]}`, op: `${name}: ${r.problems.join('; ')}` });
  }
  if (!(await dut.ready())) return;
  report.count('B', 'operations');
  const epoch = dut.epoch;
  const t0 = Date.now();
  await dut.track('B back-pressure (attach, logs, exec at once)', () => backPressure(dut, report, o)).catch(async (err: Error) => {
    await dut.ready();
    if (dut.epoch === epoch) report.fail({ phase: 'B', kind: 'back-pressure-error', message: err.message });
  });
  report.count('B', 'ms.backPressure', Date.now() - t0);
}

type Reader = 'attach' | 'logs' | 'exec';

/** A flooding container and a reader of its output that has its response head and is about to stop reading. */
async function slowReader(sock: string, reader: Reader): Promise<{ id: string; conn: HttpConn }> {
  const flood = ['sh', '-c', 'yes torture-back-pressure-0123456789abcdefghijklmnopqrstuvwxyz'];
  const c = await call(sock, 'POST', `${v}/containers/create`, { Image: 'busybox', Cmd: reader === 'exec' ? ['sleep', '600'] : flood, HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '8m', 'max-file': '1' } } } });
  if (c.status !== 201) throw new Error(`back-pressure create: ${c.status} ${c.body}`);
  const id = (JSON.parse(c.body.toString()) as { Id: string }).Id;
  const conn = await HttpConn.open(sock);
  if (reader === 'attach') {
    await conn.send(formatRequest('POST', `${v}/containers/${id}/attach?stream=1&stdout=1&stderr=1`, { Connection: 'Upgrade', Upgrade: 'tcp' }));
    await conn.waitHead(30000);
    await call(sock, 'POST', `${v}/containers/${id}/start`);
  } else if (reader === 'logs') {
    await call(sock, 'POST', `${v}/containers/${id}/start`);
    await conn.send(formatRequest('GET', `${v}/containers/${id}/logs?follow=1&stdout=1&stderr=1`, { Connection: 'close' }));
    await conn.waitHead(30000);
  } else {
    await call(sock, 'POST', `${v}/containers/${id}/start`);
    const e = await call(sock, 'POST', `${v}/containers/${id}/exec`, { AttachStdout: true, AttachStderr: true, Cmd: flood });
    const execId = (JSON.parse(e.body.toString()) as { Id: string }).Id;
    await conn.send(formatRequest('POST', `${v}/exec/${execId}/start`, { 'Content-Type': 'application/json', Connection: 'Upgrade', Upgrade: 'tcp' }, Buffer.from('{"Detach":false,"Tty":false}')));
    await conn.waitHead(30000);
  }
  conn.pause();
  return { id, conn };
}

/**
 * Three containers flood stdout; a client asks for each one's stream
 * (attach, logs?follow=1, exec) and stops reading for `pauseMs`. berthd's
 * RSS may not grow by more than the bound: its buffers must follow the
 * slow readers, not the floods. Then the readers resume and must get data.
 */
async function backPressure(dut: DaemonUnderTest, report: Report, o: StreamsOptions): Promise<void> {
  const sock = dut.sock;
  const readers: Reader[] = ['attach', 'logs', 'exec'];
  const base = rssMbOf(dut.pid) ?? 0;
  let t = Date.now();
  const set = await Promise.allSettled(readers.map((r) => slowReader(sock, r)));
  report.count('B', 'ms.backPressureSetup', Date.now() - t);
  try {
    for (const [i, s] of set.entries()) if (s.status === 'rejected') report.fail({ phase: 'B', kind: 'back-pressure-error', message: `${readers[i]}: ${(s.reason as Error).message}` });
    let peak = base;
    const end = Date.now() + o.pauseMs;
    while (Date.now() < end) {
      await sleep(250);
      peak = Math.max(peak, rssMbOf(dut.pid) ?? 0);
      if (peak - base > o.rssBoundMb * 2) break; // clearly unbounded: no need to wait until memory runs out
    }
    const before = set.map((s) => (s.status === 'fulfilled' ? s.value.conn.received : 0));
    for (const s of set) if (s.status === 'fulfilled') s.value.conn.resume();
    await sleep(1500);
    report.count('B', 'rssGrowthMb', Math.round(peak - base));
    report.count('B', 'slowReaders', set.filter((s) => s.status === 'fulfilled').length);
    report.rss('B', peak);
    if (peak - base > o.rssBoundMb) report.fail({ phase: 'B', kind: 'unbounded-buffering', message: `three slow readers (attach, logs, exec) of flooding containers: berthd RSS grew ${Math.round(peak - base)} MB in ${(o.pauseMs / 1000).toFixed(0)} s (bound ${o.rssBoundMb} MB; ${Math.round(base)} → ${Math.round(peak)} MB)` });
    for (const [i, s] of set.entries()) {
      if (s.status !== 'fulfilled') continue;
      const got = s.value.conn.received - before[i];
      report.count('B', `readAfterPauseKb.${readers[i]}`, Math.round(got / 1024));
      if (got === 0 && dut.alive) report.fail({ phase: 'B', kind: 'stream-stalled', message: `slow ${readers[i]} reader of a flooding container got nothing in 1.5 s after it resumed reading` });
    }
  } finally {
    t = Date.now();
    await Promise.all(set.map(async (s) => {
      if (s.status !== 'fulfilled') return;
      s.value.conn.destroy();
      await call(sock, 'DELETE', `${v}/containers/${s.value.id}?force=1`).catch(() => undefined);
    }));
    report.count('B', 'ms.backPressureCleanup', Date.now() - t);
  }
}
