/**
 * test/torture/stream-case — one lossless-stream check: N seeded random
 * bytes through a hijacked connection into a container and back.
 * Modes: `run` (create with OpenStdin+StdinOnce, attach, then start — as
 * `docker run -i`), `attach` (start, then attach stdin), `exec` (exec -i
 * in a running container). Directions: `in` — the container reports
 * `wc -c` and `sha256sum` of what it read; `out` — it `cat`s the bytes
 * back and they are compared byte for byte (stdcopy frames demultiplexed
 * when there is no TTY). With a TTY the container first sets the terminal
 * raw (`stty raw -echo -iexten`), prints READY, and reads exactly N bytes
 * (a terminal has no EOF); ctrl-p is replaced in TTY input, since there it
 * is the detach key. Without a TTY dockerd copies stdin verbatim (no
 * detach keys: moby container/stream/attach.go uses them for TTYs only),
 * so every byte value is sent.
 */
import { createHash } from 'node:crypto';
import { SeededStream } from './prng.js';
import { HttpConn, FrameDemuxer, call, formatRequest } from './raw-http.js';
import { sleep, until } from '../integration/harness.js';

export type Mode = 'run' | 'attach' | 'exec';
export interface StreamCase { mode: Mode; tty: boolean; direction: 'in' | 'out'; size: number }
export interface StreamResult { ok: boolean; problems: string[]; bytesChecked: number; ms: number }

const v = '/v1.47';
const CHUNK = 64 * 1024;
/** Streams need no network: --network none keeps create, start and rm quick. */
const NO_NET = { NetworkMode: 'none' };

export const caseName = (c: StreamCase) => `${c.mode}${c.tty ? ' -t' : ''} ${c.direction} ${c.size >= 1e6 ? `${c.size / 1e6} MB` : `${c.size / 1e3} kB`}`;

/** The bytes sent: the seeded stream, with ctrl-p turned into a space for a TTY. */
class Payload {
  private readonly s: SeededStream;
  constructor(seed: string, private readonly tty: boolean) { this.s = new SeededStream(seed); }
  take(n: number): Buffer {
    const b = this.s.take(n);
    if (this.tty) for (let i = 0; i < b.length; i++) if (b[i] === 0x10) b[i] = 0x20;
    return b;
  }
}

function script(c: StreamCase): string {
  const raw = c.tty ? 'stty raw -echo -iexten; echo READY; ' : '';
  const src = c.tty ? `head -c ${c.size}` : 'cat';
  if (c.direction === 'out') return `${raw}${src}`;
  return `${raw}mkfifo /tmp/p; sha256sum < /tmp/p & ${src} | tee /tmp/p | wc -c; wait`;
}

export async function runStreamCase(sock: string, c: StreamCase, seed: string): Promise<StreamResult> {
  const t0 = Date.now();
  const problems: string[] = [];
  const timeoutMs = 6000 + c.size / 4000; // ≥ 4 MB/s, a loaded 2-core machine does 5 MB in about a second
  let containerId: string | undefined;
  let execId: string | undefined;
  let conn: HttpConn | undefined;
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; conn?.destroy(); }, timeoutMs);
  const cmd = ['sh', '-c', script(c)];
  try {
    // --- the container and the hijacked connection -----------------------
    if (c.mode === 'exec') {
      containerId = await created(sock, { Image: 'busybox', Cmd: ['sleep', '600'], HostConfig: NO_NET });
      await started(sock, containerId);
      const e = await call(sock, 'POST', `${v}/containers/${containerId}/exec`, { AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: c.tty, Cmd: cmd });
      if (e.status !== 201) throw new Error(`exec create: ${e.status} ${e.body}`);
      execId = (JSON.parse(e.body.toString()) as { Id: string }).Id;
    } else {
      containerId = await created(sock, { Image: 'busybox', Cmd: cmd, Tty: c.tty, OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, HostConfig: NO_NET });
      if (c.mode === 'attach') {
        await started(sock, containerId);
        if (c.tty) await until(async () => (await call(sock, 'GET', `${v}/containers/${containerId}/logs?stdout=1`)).body.includes('READY'), 20000, 50);
      }
    }
    conn = await HttpConn.open(sock);
    const path = execId ? `${v}/exec/${execId}/start` : `${v}/containers/${containerId}/attach?stream=1&stdin=1&stdout=1&stderr=1`;
    const body = execId ? Buffer.from(JSON.stringify({ Detach: false, Tty: c.tty })) : undefined;
    await conn.send(formatRequest('POST', path, { ...(body ? { 'Content-Type': 'application/json' } : {}), Connection: 'Upgrade', Upgrade: 'tcp' }, body));
    const head = await conn.waitHead(30000);
    if (head.status !== 101) throw new Error(`hijack answered ${head.status} ${head.reason}`);

    // --- reading: demultiplex, compare or collect --------------------------
    const demux = c.tty ? undefined : new FrameDemuxer();
    const expected = c.direction === 'out' ? new Payload(seed, c.tty) : undefined;
    let text = '';
    let stderr = '';
    let compared = 0;
    let mismatchAt = -1;
    let ready = !c.tty || c.mode === 'attach';
    let readyResolve!: () => void;
    const readyP = new Promise<void>((r) => { readyResolve = r; if (ready) r(); });
    let pre = Buffer.alloc(0);
    const onStdout = (b: Buffer) => {
      if (!ready) {
        pre = Buffer.concat([pre, b]);
        const i = pre.indexOf('READY\n');
        if (i < 0) return;
        ready = true;
        readyResolve();
        b = pre.subarray(i + 6);
      }
      if (!expected) { text += b.toString('latin1'); return; }
      if (mismatchAt >= 0) { compared += b.length; return; }
      const want = expected.take(b.length);
      if (!want.equals(b)) {
        let k = 0;
        while (k < b.length && want[k] === b[k]) k++;
        mismatchAt = compared + k;
      }
      compared += b.length;
    };
    conn.onData((b) => {
      if (!demux) { onStdout(b); return; }
      try {
        for (const f of demux.push(b)) { if (f.stream === 2) stderr += f.data.toString('latin1'); else onStdout(f.data); }
      } catch (err) { problems.push(`bad multiplexed stream: ${(err as Error).message}`); conn?.destroy(); }
    });

    // --- writing: start (run mode), wait for READY, send, half-close -------
    if (c.mode === 'run') await started(sock, containerId);
    await Promise.race([readyP, sleep(20000)]);
    if (!ready) throw new Error('the container never printed READY');
    const payload = new Payload(seed, c.tty);
    const digest = createHash('sha256');
    let sent = 0;
    while (sent < c.size) {
      const b = payload.take(Math.min(CHUNK, c.size - sent));
      digest.update(b);
      if (!(await conn.send(b))) { problems.push(`${timedOut ? `timed out after ${timeoutMs / 1000} s` : 'connection closed'} with ${sent} of ${c.size} stdin bytes sent`); break; }
      sent += b.length;
    }
    if (!c.tty) conn.end();
    await conn.waitEnd(timeoutMs);
    if (timedOut) problems.push(`stream did not end within ${timeoutMs / 1000} s (all ${sent} bytes sent: ${sent === c.size}; ${compared || text.length} bytes read)`);
    conn.destroy();

    // --- verdict -------------------------------------------------------------
    if (c.direction === 'in') {
      const count = /^\s*(\d+)\s*$/m.exec(text)?.[1];
      const got = /\b([0-9a-f]{64})\b/.exec(text)?.[1];
      const want = digest.digest('hex');
      if (count === undefined || Number(count) !== c.size) problems.push(`wc -c in the container: ${count ?? 'none'} (sent ${sent}, expected ${c.size}${count !== undefined ? `, ${c.size - Number(count)} bytes lost` : ''})`);
      if (got !== want) problems.push(`sha256sum in the container: ${got ?? 'none'}, expected ${want}`);
      if (count === undefined || got === undefined) problems.push(`container output: ${JSON.stringify(text.slice(0, 300))}`);
    } else {
      if (mismatchAt >= 0) problems.push(`output differs from the input at byte ${mismatchAt}`);
      if (compared !== c.size) problems.push(`${compared} bytes came back, ${c.size} were sent (${c.size - compared} lost)`);
    }
    if (stderr) problems.push(`stderr: ${JSON.stringify(stderr.slice(0, 300))}`);
    const code = await exitCode(sock, containerId, execId);
    if (code !== 0) problems.push(`exit code ${code}`);
    return { ok: problems.length === 0, problems, bytesChecked: c.size, ms: Date.now() - t0 };
  } catch (err) {
    problems.push((err as Error).message);
    return { ok: false, problems, bytesChecked: 0, ms: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
    conn?.destroy();
    if (containerId) await call(sock, 'DELETE', `${v}/containers/${containerId}?force=1`).catch(() => undefined);
  }
}

async function created(sock: string, config: Record<string, unknown>): Promise<string> {
  const r = await call(sock, 'POST', `${v}/containers/create`, config);
  if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
  return (JSON.parse(r.body.toString()) as { Id: string }).Id;
}

async function started(sock: string, id: string): Promise<void> {
  const r = await call(sock, 'POST', `${v}/containers/${id}/start`);
  if (r.status !== 204) throw new Error(`start: ${r.status} ${r.body}`);
}

async function exitCode(sock: string, id: string | undefined, execId: string | undefined): Promise<number | string> {
  if (execId) {
    const r = await until(async () => {
      const e = await call(sock, 'GET', `${v}/exec/${execId}/json`);
      const j = JSON.parse(e.body.toString()) as { Running: boolean; ExitCode: number | null };
      return j.Running ? undefined : j;
    }, 5000, 100).catch(() => undefined);
    return r ? r.ExitCode ?? 'none' : 'still running';
  }
  const w = await call(sock, 'POST', `${v}/containers/${id}/wait`, undefined, { timeoutMs: 5000 }).catch((e: Error) => e);
  if (w instanceof Error) return `wait: ${w.message}`;
  if (!w.complete) return 'still running 5 s after its stream ended';
  try { return (JSON.parse(w.body.toString()) as { StatusCode: number }).StatusCode; } catch { return `wait: ${w.status} ${w.body.toString().slice(0, 100)}`; }
}
