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
    const r = await dut.track(`B ${name}`, () => runStreamCase(dut.sock, c, `${seed}/B/${name}`));
    report.count('B', 'bytesChecked', r.bytesChecked);
    report.count('B', `ms.${name.replace(/ /g, '_')}`, r.ms);
    if (r.ok) { report.count('B', 'streamsIntact'); continue; }
    report.count('B', 'streamsBroken');
    await dut.ready();
    const crashed = dut.epoch !== epoch;
    report.fail({ phase: 'B', kind: crashed ? 'stream-lost-to-crash' : 'stream-mismatch', message: `${name}: ${r.problems[0]}`, op: `${name}: ${r.problems.join('; ')}` });
  }
  for (const reader of ['attach', 'logs', 'exec'] as const) {
    if (!(await dut.ready())) return;
    report.count('B', 'operations');
    const epoch = dut.epoch;
    await dut.track(`B back-pressure ${reader}`, () => backPressure(dut, report, reader, o)).catch(async (err: Error) => {
      await dut.ready();
      if (dut.epoch === epoch) report.fail({ phase: 'B', kind: 'back-pressure-error', message: `${reader}: ${err.message}` });
    });
  }
}

/**
 * A container floods stdout; a client asks for the stream and stops
 * reading for `pauseMs`. berthd's RSS may not grow by more than the bound
 * (its buffers must follow the slow reader, not the flood). Then the reader
 * resumes and must still get data.
 */
async function backPressure(dut: DaemonUnderTest, report: Report, reader: 'attach' | 'logs' | 'exec', o: StreamsOptions): Promise<void> {
  const sock = dut.sock;
  const flood = ['sh', '-c', 'yes torture-back-pressure-0123456789abcdefghijklmnopqrstuvwxyz'];
  const c = await call(sock, 'POST', `${v}/containers/create`, { Image: 'busybox', Cmd: reader === 'exec' ? ['sleep', '600'] : flood, HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '8m', 'max-file': '1' } } } });
  if (c.status !== 201) { report.fail({ phase: 'B', kind: 'setup', message: `back-pressure create: ${c.status} ${c.body}` }); return; }
  const id = (JSON.parse(c.body.toString()) as { Id: string }).Id;
  let conn: HttpConn | undefined;
  try {
    await sleep(300);
    const base = rssMbOf(dut.pid) ?? 0;
    conn = await HttpConn.open(sock);
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
      const body = Buffer.from('{"Detach":false,"Tty":false}');
      await conn.send(formatRequest('POST', `${v}/exec/${execId}/start`, { 'Content-Type': 'application/json', Connection: 'Upgrade', Upgrade: 'tcp' }, body));
      await conn.waitHead(30000);
    }
    conn.pause();
    let peak = base;
    const end = Date.now() + o.pauseMs;
    while (Date.now() < end) {
      await sleep(250);
      peak = Math.max(peak, rssMbOf(dut.pid) ?? 0);
      if (peak - base > o.rssBoundMb * 2) break; // clearly unbounded: no need to wait until memory runs out
    }
    const readBefore = conn.received;
    conn.resume();
    await sleep(1500);
    const readAfter = conn.received - readBefore;
    report.count('B', `rssGrowthMb.${reader}`, Math.round(peak - base));
    report.count('B', `readAfterPauseKb.${reader}`, Math.round(readAfter / 1024));
    report.count('B', 'slowReaders');
    report.rss('B', peak);
    if (peak - base > o.rssBoundMb) report.fail({ phase: 'B', kind: 'unbounded-buffering', message: `slow ${reader} reader of a flooding container: berthd RSS grew ${Math.round(peak - base)} MB in ${(o.pauseMs / 1000).toFixed(0)} s (bound ${o.rssBoundMb} MB; ${Math.round(base)} → ${Math.round(peak)} MB)` });
    if (readAfter === 0 && dut.alive) report.fail({ phase: 'B', kind: 'stream-stalled', message: `slow ${reader} reader of a flooding container got nothing in 1.5 s after it resumed reading` });
  } finally {
    conn?.destroy();
    await call(sock, 'DELETE', `${v}/containers/${id}?force=1`).catch(() => undefined);
  }
}
