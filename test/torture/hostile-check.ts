/**
 * test/torture/hostile-check — how phase D judges one hostile input: it
 * must get an answer (no dropped connection), never a 5xx; a 4xx must be
 * Docker's {"message": "..."}; inputs that must be refused are refused;
 * nothing outside the daemon's roots changes (a canary directory with a
 * secret file, and /etc/passwd, compared before and after); the secret
 * never shows up in what berthd hands back; berthd answers /_ping after.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PREFIX } from '../integration/harness.js';
import { HttpConn, call, dockerMessage, formatRequest } from './raw-http.js';
import type { DaemonUnderTest } from './daemon-under-test.js';
import type { Report } from './report.js';

/** A host directory outside every daemon root: a file with a random secret, watched for any change. */
export class Canary {
  readonly dir = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}canary-`));
  readonly file = join(this.dir, 'canary.txt');
  readonly secret = `torture-canary-${randomBytes(16).toString('hex')}`;
  private readonly original: string;
  private readonly reported = new Set<string>();

  constructor() {
    writeFileSync(this.file, `${this.secret}\n`, { mode: 0o600 });
    this.original = this.state();
  }

  private state(): string {
    const st = (p: string) => { try { const s = statSync(p); return `${p} ino=${s.ino} nlink=${s.nlink} size=${s.size} mode=${s.mode.toString(8)} mtime=${s.mtimeMs}`; } catch (e) { return `${p} ${(e as Error).message}`; } };
    let listing: string[];
    try { listing = readdirSync(this.dir).sort(); } catch (e) { listing = [(e as Error).message]; }
    let content = '';
    try { content = readFileSync(this.file, 'utf8'); } catch (e) { content = (e as Error).message; }
    return [`listing=${listing.join(',')}`, `content=${content.trim()}`, st(this.file), st('/etc/passwd'), st('/etc/shadow')].join('\n');
  }

  /** What differs from the start that was not reported yet (an escape is reported once, its undoing not at all). */
  changes(): string[] {
    const o = this.original.split('\n');
    const diff = this.state().split('\n').flatMap((l, i) => (l === o[i] || this.reported.has(l) ? [] : [`${o[i]} → ${l}`]));
    for (const l of this.state().split('\n')) if (!o.includes(l)) this.reported.add(l);
    return diff;
  }

  leaked(body: Buffer | undefined): boolean { return !!body && body.includes(this.secret); }

  remove(): void { rmSync(this.dir, { recursive: true, force: true }); }
}

export type Expect = '4xx' | 'no-5xx';

export interface HostileResult { status?: number; body?: Buffer; message?: string; complete: boolean }

/** Send a hostile request (the body written while the answer is awaited: berthd may answer before reading it all). */
export async function hostileCall(sock: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer; rawHead?: Buffer; timeoutMs?: number; limit?: number } = {}): Promise<HostileResult & { error?: string }> {
  let conn: HttpConn;
  try { conn = await HttpConn.open(sock); } catch (e) { return { complete: false, error: `connect: ${(e as Error).message}` }; }
  conn.noBody = method === 'HEAD';
  try {
    const body = opts.body;
    // keep-alive, as the docker CLI: berthd should read (or drain) a body it refuses before it closes
    const head = opts.rawHead ?? formatRequest(method, path, { ...(body ? { 'Content-Length': String(body.length) } : {}), ...opts.headers });
    void (async () => {
      if (!(await conn.send(head))) return;
      if (body) for (let o = 0; o < body.length; o += 1 << 20) if (!(await conn.send(body.subarray(o, o + (1 << 20))))) return;
    })();
    const h = await conn.waitHead(opts.timeoutMs ?? 60000).catch((e: Error) => e);
    if (h instanceof Error) return { complete: false, error: h.message };
    const { body: got, complete } = await conn.readBody(opts.timeoutMs ?? 60000, opts.limit ?? 16 << 20);
    return { status: h.status, body: got, message: dockerMessage(got), complete };
  } finally { conn.destroy(); }
}

export class HostileJudge {
  constructor(private readonly dut: DaemonUnderTest, private readonly report: Report, readonly canary: Canary) {}

  /**
   * Judge one input's answer. `leakBody`: bytes berthd returned that must
   * not hold the canary's secret. Returns whether it passed.
   */
  async judge(input: string, r: HostileResult & { error?: string }, expect: Expect, extra: { leakBody?: Buffer } = {}): Promise<boolean> {
    const { report } = this;
    report.count('D', 'inputsTried');
    const epoch = this.dut.epoch;
    let ok = true;
    const fail = (kind: string, message: string) => { ok = false; report.fail({ phase: 'D', kind, message: `${input}: ${message}`, op: input }); };
    // berthd must still answer; if it crashed (and was started again), the crash is the finding
    const ping = await call(this.dut.sock, 'GET', '/_ping', undefined, { timeoutMs: 10000 }).catch((e: Error) => e);
    const answered = !(ping instanceof Error) && ping.status === 200;
    if (!answered) await this.dut.ready();
    const crashed = this.dut.epoch !== epoch;
    if (crashed) fail('hostile-crash', `berthd crashed on it${r.status !== undefined ? ` (after answering ${r.status})` : ''}`);
    else if (!answered) fail('hostile-ping', `berthd did not answer /_ping after it: ${ping instanceof Error ? ping.message : ping.status}`);
    if (crashed) { /* the crash says it all */ } else if (r.status === undefined) fail('hostile-dropped', `no answer (${r.error ?? 'connection closed'})`);
    else if (r.status >= 500) fail('hostile-5xx', `${r.status} ${r.message ?? r.body?.toString('utf8').slice(0, 200) ?? ''}`);
    else if (expect === '4xx' && r.status < 400) fail('hostile-accepted', `answered ${r.status}, a 4xx was expected`);
    else if (r.status >= 400 && !r.message) fail('hostile-not-docker-error', `${r.status} without Docker's {"message"} body: ${JSON.stringify(r.body?.toString('latin1').slice(0, 120) ?? '')}`);
    else if (r.status < 300 && !r.complete) fail('hostile-dropped', `${r.status} with a body cut short`);
    if (r.status !== undefined) report.count('D', `status.${Math.floor(r.status / 100)}xx`);
    for (const c of this.canary.changes()) fail('escape', `changed outside the roots: ${c}`);
    if (this.canary.leaked(r.body) || this.canary.leaked(extra.leakBody)) fail('leak', 'the canary\'s secret (a host file outside the roots) came back from berthd');
    report.count('D', ok ? 'inputsHandled' : 'inputsFailed');
    return ok;
  }
}
