/**
 * test/torture/faulty-request — one raw API request with a fault injected
 * at a random point (or none): cut mid-header or mid-body, dropped before
 * the response, half-closed (socket.end()) after sending, dropped while the
 * response streams, or paused for seconds as a slow reader. Hijacked
 * requests (attach, exec start) get their own faults: cut mid-hijack while
 * writing stdin, half-close, destroy while reading, pause. Outcomes are
 * counted in the report; a 5xx is an anomaly; no response head within the
 * deadline (with berthd up and no fault that explains it) is a hang.
 */
import { HttpConn, formatRequest, dockerMessage, type Head } from './raw-http.js';
import type { Rng } from './prng.js';
import type { DaemonUnderTest } from './daemon-under-test.js';
import type { PhaseName, Report } from './report.js';
import { sleep } from '../integration/harness.js';

export type Fault = 'none' | 'mid-header' | 'mid-body' | 'before-response' | 'half-close' | 'mid-response' | 'slow-read';
export type HijackFault = 'none' | 'mid-hijack' | 'half-close' | 'destroy-while-reading' | 'slow-read';

export interface Outcome {
  status?: number;
  body?: Buffer;
  /** What happened: ok, cut (by our fault), no-head, daemon-down, crashed (berthd restarted meanwhile). */
  result: 'ok' | 'cut' | 'no-head' | 'daemon-down' | 'crashed';
  fault: string;
  bytes: number;
}

export interface RequestEnv {
  dut: DaemonUnderTest; report: Report; phase: PhaseName; rng: Rng;
  /** Open connections, so the phase can drop them all when its time is up. */
  conns?: Set<HttpConn>;
  /** True once the phase is dropping its connections: a missing answer is then no finding. */
  stopping?: () => boolean;
  /** Called when a request got no answer in time (the phase may stop using what it targeted). */
  onHang?: () => void;
}

/** No response head in this time (berthd up, no fault to explain it) is a hang. */
const HEAD_TIMEOUT_MS = 15000;

function classOf(status: number): string { return `${Math.floor(status / 100)}xx`; }

/** Record status and 5xx: an anomaly naming the op, the fault and berthd's message. */
export function noteStatus(env: RequestEnv, label: string, fault: string, status: number, body: Buffer | undefined): void {
  env.report.count(env.phase, `status.${classOf(status)}`);
  env.report.count(env.phase, `http.${status}`);
  if (status >= 500) env.report.anomaly({ phase: env.phase, kind: 'chaos-5xx', message: `${label.split(' ').slice(0, 2).join(' ')} → ${status}: ${dockerMessage(body ?? Buffer.alloc(0)) ?? body?.toString('utf8').slice(0, 200) ?? ''}`, op: `${label} [fault ${fault}]` });
}

export function pickFault(rng: Rng, hasBody: boolean, pFault = 0.4): Fault {
  if (!rng.chance(pFault)) return 'none';
  const all: Fault[] = ['mid-header', 'before-response', 'half-close', 'mid-response', 'slow-read', ...(hasBody ? ['mid-body' as Fault] : [])];
  return rng.pick(all);
}

/**
 * Send `method path` with `body` and inject `fault`. Streaming endpoints
 * give `readMs`: the response is read that long, then dropped.
 */
export async function faultyRequest(env: RequestEnv, label: string, method: string, path: string, opts: { body?: Buffer; json?: unknown; headers?: Record<string, string>; fault?: Fault; readMs?: number; limit?: number } = {}): Promise<Outcome> {
  const { rng, report, phase, dut } = env;
  const body = opts.json !== undefined ? Buffer.from(JSON.stringify(opts.json)) : opts.body;
  const fault = opts.fault ?? pickFault(rng, !!body);
  if (fault !== 'none') { report.count(phase, 'faultsInjected'); report.count(phase, `fault.${fault}`); }
  const epoch = dut.epoch;
  const headers = { ...(opts.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(rng.chance(0.5) ? { Connection: 'close' } : {}), ...opts.headers };
  // the head alone (with the body's length): the body goes out in its own writes, so it can be cut
  const head = formatRequest(method, path, { ...(body ? { 'Content-Length': String(body.length) } : {}), ...headers });
  let conn: HttpConn;
  try { conn = await HttpConn.open(dut.sock); } catch { return { result: 'daemon-down', fault, bytes: 0 }; }
  env.conns?.add(conn);
  const crashed = () => dut.epoch !== epoch || !dut.alive || !!env.stopping?.();
  try {
    if (fault === 'mid-header') {
      await conn.send(head.subarray(0, rng.int(1, head.length - 1)));
      await sleep(rng.int(0, 80));
      return { result: 'cut', fault, bytes: 0 };
    }
    await conn.send(head);
    if (body) {
      if (fault === 'mid-body') {
        await conn.send(body.subarray(0, rng.int(0, Math.max(0, body.length - 1))));
        await sleep(rng.int(0, 80));
        return { result: 'cut', fault, bytes: 0 };
      }
      // a slow client: the body in pieces
      if (rng.chance(0.2)) {
        for (let o = 0; o < body.length;) { const n = rng.int(1, 4096); await conn.send(body.subarray(o, o + n)); o += n; if (rng.chance(0.1)) await sleep(rng.int(1, 30)); }
      } else await conn.send(body);
    }
    if (fault === 'before-response') { await sleep(rng.int(0, 30)); return { result: 'cut', fault, bytes: 0 }; }
    if (fault === 'half-close') conn.end();
    let h: Head;
    try { h = await conn.waitHead(HEAD_TIMEOUT_MS); } catch (err) {
      // a connection dropped because berthd died: its exit may be noticed only now
      if (!/within/.test((err as Error).message)) await dut.ready();
      if (crashed()) return { result: 'crashed', fault, bytes: 0 };
      // after a half-close berthd may take the request as abandoned (dockerd cancels it too)
      if (fault === 'half-close') return { result: 'no-head', fault, bytes: 0 };
      if (/within/.test((err as Error).message)) env.onHang?.();
      report.fail({ phase, kind: /within/.test((err as Error).message) ? 'hang' : 'dropped-connection', message: `${method} ${path.split('?')[0].replace(/[0-9a-f]{64}/, '<id>')}: ${(err as Error).message}`, op: `${label} [fault ${fault}]` });
      return { result: 'no-head', fault, bytes: 0 };
    }
    if (fault === 'mid-response') {
      const want = rng.int(0, 64 * 1024);
      await new Promise<void>((resolve) => { conn.onData(() => { if (conn.received >= want) resolve(); }); void conn.waitEnd(5000).then(() => resolve()); });
      noteStatus(env, label, fault, h.status, undefined);
      return { status: h.status, result: 'cut', fault, bytes: conn.received };
    }
    if (fault === 'slow-read') {
      conn.pause();
      await sleep(rng.int(1000, 5000));
      conn.resume();
    }
    const { body: got } = await conn.readBody(opts.readMs ?? 20000, opts.limit ?? 4 << 20);
    if (crashed()) return { result: 'crashed', fault, bytes: conn.received };
    noteStatus(env, label, fault, h.status, got);
    return { status: h.status, body: got, result: 'ok', fault, bytes: conn.received };
  } finally { conn.destroy(); env.conns?.delete(conn); }
}

export interface HijackOptions {
  /** Bytes to write as stdin after the 101 (none: no stdin). */
  stdin?: Buffer;
  fault?: HijackFault;
  /** How long to read the stream at most. */
  readMs: number;
  body?: unknown;
}

export function pickHijackFault(rng: Rng, pFault = 0.5): HijackFault {
  if (!rng.chance(pFault)) return 'none';
  return rng.pick(['mid-hijack', 'half-close', 'destroy-while-reading', 'slow-read'] as HijackFault[]);
}

/** A hijacked request (Upgrade: tcp): 101, then stdin out and the raw stream in, with a fault. */
export async function hijack(env: RequestEnv, label: string, path: string, opts: HijackOptions): Promise<Outcome> {
  const { rng, report, phase, dut } = env;
  const fault = opts.fault ?? pickHijackFault(rng);
  if (fault !== 'none') { report.count(phase, 'faultsInjected'); report.count(phase, `fault.${fault}`); }
  const epoch = dut.epoch;
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  let conn: HttpConn;
  try { conn = await HttpConn.open(dut.sock); } catch { return { result: 'daemon-down', fault, bytes: 0 }; }
  env.conns?.add(conn);
  const crashed = () => dut.epoch !== epoch || !dut.alive || !!env.stopping?.();
  try {
    await conn.send(formatRequest('POST', path, { ...(body ? { 'Content-Type': 'application/json' } : {}), Connection: 'Upgrade', Upgrade: 'tcp' }, body));
    let h: Head;
    try { h = await conn.waitHead(HEAD_TIMEOUT_MS); } catch (err) {
      // a connection dropped because berthd died: its exit may be noticed only now
      if (!/within/.test((err as Error).message)) await dut.ready();
      if (crashed()) return { result: 'crashed', fault, bytes: 0 };
      if (/within/.test((err as Error).message)) env.onHang?.();
      report.fail({ phase, kind: /within/.test((err as Error).message) ? 'hang' : 'dropped-connection', message: `POST ${path.split('?')[0].replace(/[0-9a-f]{64}/, '<id>')} (hijack): ${(err as Error).message}`, op: `${label} [fault ${fault}]` });
      return { result: 'no-head', fault, bytes: 0 };
    }
    if (h.status !== 101) {
      const { body: b } = await conn.readBody(5000);
      noteStatus(env, label, fault, h.status, b);
      return { status: h.status, body: b, result: 'ok', fault, bytes: 0 };
    }
    report.count(phase, 'status.1xx');
    conn.onData(() => { /* counted in conn.received */ });
    const stdin = opts.stdin;
    if (stdin) {
      if (fault === 'mid-hijack') {
        await conn.send(stdin.subarray(0, rng.int(0, stdin.length)));
        return { status: 101, result: 'cut', fault, bytes: conn.received };
      }
      for (let o = 0; o < stdin.length;) { const n = rng.int(512, 32768); if (!(await conn.send(stdin.subarray(o, o + n)))) break; o += n; }
    }
    if (fault === 'half-close' || (stdin && rng.chance(0.5))) conn.end();
    if (fault === 'destroy-while-reading') {
      const want = rng.int(0, 128 * 1024);
      await Promise.race([new Promise<void>((r) => conn.onData(() => { if (conn.received >= want) r(); })), conn.waitEnd(rng.int(100, opts.readMs))]);
      return { status: 101, result: 'cut', fault, bytes: conn.received };
    }
    if (fault === 'slow-read') { conn.pause(); await sleep(rng.int(1000, 5000)); conn.resume(); }
    await conn.waitEnd(opts.readMs);
    return { status: 101, result: crashed() ? 'crashed' : 'ok', fault, bytes: conn.received };
  } finally { conn.destroy(); env.conns?.delete(conn); }
}
