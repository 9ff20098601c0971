/**
 * test/torture/raw-http — HTTP/1.1 on berthd's unix socket written and
 * parsed by hand, so a request can be cut anywhere: mid-header, mid-body,
 * after a half-close, while the response streams, or left paused. Parses
 * the response head, de-chunks bodies, hands over the raw stream after a
 * 101 (attach/exec hijack), and demultiplexes Docker's stdcopy frames.
 */
import { connect as netConnect, type Socket } from 'node:net';

export interface Head { status: number; reason: string; headers: Record<string, string>; raw: string }

/** Bytes of a request head (and body): Host, Content-Length when there is a body, caller's headers last. */
export function formatRequest(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Buffer {
  const h: Record<string, string> = { Host: 'docker', ...(body ? { 'Content-Length': String(body.length) } : {}), ...headers };
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

export function connectUnix(path: string, timeoutMs = 5000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ path, allowHalfOpen: true });
    const t = setTimeout(() => { s.destroy(); reject(new Error(`connect timeout ${path}`)); }, timeoutMs);
    s.once('connect', () => { clearTimeout(t); s.off('error', reject); resolve(s); });
    s.once('error', (e) => { clearTimeout(t); reject(e); });
  });
}

/** Incremental Transfer-Encoding: chunked decoder. */
export class ChunkedDecoder {
  private buf: Buffer = Buffer.alloc(0);
  /** -1: reading a size line; -2: reading the CRLF after data; > 0: data left in this chunk. */
  private remaining = -1;
  done = false;

  push(b: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, b]) : b;
    const out: Buffer[] = [];
    while (!this.done) {
      if (this.remaining === -1) {
        const i = this.buf.indexOf('\r\n');
        if (i < 0) break;
        const size = parseInt(this.buf.subarray(0, i).toString('latin1').split(';')[0].trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw new Error(`bad chunk size line ${JSON.stringify(this.buf.subarray(0, Math.min(i, 40)).toString('latin1'))}`);
        this.buf = this.buf.subarray(i + 2);
        if (size === 0) { this.done = true; break; }
        this.remaining = size;
      } else if (this.remaining === -2) {
        if (this.buf.length < 2) break;
        this.buf = this.buf.subarray(2);
        this.remaining = -1;
      } else {
        const take = Math.min(this.remaining, this.buf.length);
        if (take === 0) break;
        out.push(this.buf.subarray(0, take));
        this.buf = this.buf.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.remaining = -2;
      }
    }
    return out;
  }
}

export interface Frame { stream: number; data: Buffer }

/** Docker's multiplexed stream (8-byte header: stream, 0, 0, 0, big-endian length) → frames. */
export class FrameDemuxer {
  private buf: Buffer = Buffer.alloc(0);
  push(b: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, b]) : b;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const stream = this.buf[0];
      if (stream > 3 || this.buf[1] || this.buf[2] || this.buf[3]) throw new Error(`bad stdcopy frame header ${this.buf.subarray(0, 8).toString('hex')}`);
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      out.push({ stream, data: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
  get pending(): number { return this.buf.length; }
}

/**
 * One connection: send bytes, then read a response head and its body (or,
 * after a 101, the raw stream) through `onData`. Everything the caller did
 * not consume yet is queued, so reading can start late.
 */
export class HttpConn {
  private pre: Buffer = Buffer.alloc(0);
  private parsed?: Head;
  private decoder?: ChunkedDecoder;
  private lengthLeft = -1;
  private sink?: (b: Buffer) => void;
  private queued: Buffer[] = [];
  private headWaiters: { resolve: (h: Head) => void; reject: (e: Error) => void }[] = [];
  private endWaiters: (() => void)[] = [];
  /** Body (or raw stream) bytes received so far. */
  received = 0;
  /** The request was a HEAD: the response has no body whatever its Content-Length says. */
  noBody = false;
  ended = false;
  error?: Error;

  constructor(readonly socket: Socket) {
    socket.on('data', (b: Buffer) => this.onBytes(b));
    socket.on('error', (e) => { this.error ??= e; });
    socket.on('close', () => this.finish());
    // berthd ended its side: nothing more comes (a cut body shows in bodyComplete)
    socket.on('end', () => this.finish());
  }

  static async open(sock: string): Promise<HttpConn> { return new HttpConn(await connectUnix(sock)); }

  get head(): Head | undefined { return this.parsed; }
  get destroyed(): boolean { return this.socket.destroyed; }

  /** Write with back-pressure; false if the connection is gone. */
  async send(b: Buffer): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return false;
    const ok = this.socket.write(b);
    if (ok) return true;
    return new Promise((resolve) => {
      const done = (v: boolean) => { this.socket.off('drain', onDrain); this.socket.off('close', onClose); resolve(v); };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
    });
  }

  /** Half-close: our side is done sending. */
  end(): void { if (!this.socket.destroyed) this.socket.end(); }
  destroy(): void { this.socket.destroy(); }
  pause(): void { this.socket.pause(); }
  resume(): void { this.socket.resume(); }

  /** The response head, or an error if the connection closes first or time runs out. */
  waitHead(timeoutMs: number): Promise<Head> {
    if (this.parsed) return Promise.resolve(this.parsed);
    if (this.ended) return Promise.reject(new Error(`connection closed before a response head${this.error ? ` (${this.error.message})` : ''}`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no response head within ${timeoutMs} ms`)), timeoutMs);
      this.headWaiters.push({ resolve: (h) => { clearTimeout(t); resolve(h); }, reject: (e) => { clearTimeout(t); reject(e); } });
    });
  }

  /** Take body bytes as they come (queued ones first). */
  onData(fn: (b: Buffer) => void): void {
    this.sink = fn;
    const q = this.queued;
    this.queued = [];
    for (const b of q) fn(b);
  }

  /** Resolves when the body is complete or the connection closed; false on timeout. */
  waitEnd(timeoutMs: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.endWaiters.push(() => { clearTimeout(t); resolve(true); });
    });
  }

  /** The whole body up to `limit` bytes (then the connection is dropped); `complete` false on timeout or limit. */
  async readBody(timeoutMs: number, limit = 8 << 20): Promise<{ body: Buffer; complete: boolean }> {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    this.onData((b) => {
      if (over) return;
      size += b.length;
      if (size > limit) { over = true; this.destroy(); return; }
      chunks.push(b);
    });
    const ended = await this.waitEnd(timeoutMs);
    return { body: Buffer.concat(chunks), complete: ended && !over && this.bodyComplete };
  }

  /** Whether the body ended as its framing says (not cut by a close mid-way). */
  get bodyComplete(): boolean {
    if (!this.parsed) return false;
    if (this.decoder) return this.decoder.done;
    return this.lengthLeft <= 0;
  }

  private onBytes(b: Buffer): void {
    if (!this.parsed) {
      this.pre = this.pre.length ? Buffer.concat([this.pre, b]) : b;
      const i = this.pre.indexOf('\r\n\r\n');
      if (i < 0) {
        if (this.pre.length > 1 << 20) { this.error = new Error('response head over 1 MiB'); this.destroy(); }
        return;
      }
      const raw = this.pre.subarray(0, i).toString('latin1');
      const rest = this.pre.subarray(i + 4);
      this.pre = Buffer.alloc(0);
      const [status, ...lines] = raw.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(status);
      if (!m) { this.error = new Error(`bad status line ${JSON.stringify(status.slice(0, 80))}`); this.destroy(); return; }
      const headers: Record<string, string> = {};
      for (const l of lines) { const c = l.indexOf(':'); if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim(); }
      this.parsed = { status: Number(m[1]), reason: m[2], headers, raw };
      if (this.parsed.status !== 101) {
        if (this.noBody) this.lengthLeft = 0;
        else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) this.decoder = new ChunkedDecoder();
        else if (headers['content-length'] !== undefined) this.lengthLeft = Number(headers['content-length']);
        else if (this.parsed.status === 204 || this.parsed.status === 304) this.lengthLeft = 0;
      }
      for (const w of this.headWaiters.splice(0)) w.resolve(this.parsed);
      if (this.lengthLeft === 0) this.complete();
      if (rest.length) this.onBytes(rest);
      return;
    }
    let parts: Buffer[];
    if (this.decoder) {
      try { parts = this.decoder.push(b); } catch (e) { this.error = e as Error; this.destroy(); return; }
    } else if (this.lengthLeft >= 0) {
      parts = [b.subarray(0, this.lengthLeft)];
      this.lengthLeft -= parts[0].length;
    } else parts = [b];
    for (const p of parts) {
      if (!p.length) continue;
      this.received += p.length;
      if (this.sink) this.sink(p); else this.queued.push(p);
    }
    if ((this.decoder?.done) || this.lengthLeft === 0) this.complete();
  }

  /** The body is complete: keep-alive is not used, so the connection goes. */
  private complete(): void {
    this.finish();
    this.socket.destroy();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.parsed) for (const w of this.headWaiters.splice(0)) w.reject(new Error(`connection closed before a response head${this.error ? ` (${this.error.message})` : ''}`));
    for (const w of this.endWaiters.splice(0)) w();
  }
}

export interface SimpleResponse { status: number; headers: Record<string, string>; body: Buffer; complete: boolean }

/** One request, whole response (no faults): for set-up and checks. Throws if no head comes. */
export async function call(sock: string, method: string, path: string, body?: unknown, opts: { headers?: Record<string, string>; timeoutMs?: number; limit?: number } = {}): Promise<SimpleResponse> {
  const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers = { ...(data && !Buffer.isBuffer(body) ? { 'Content-Type': 'application/json' } : {}), Connection: 'close', ...opts.headers };
  const c = await HttpConn.open(sock);
  try {
    void c.send(formatRequest(method, path, headers, data));
    const head = await c.waitHead(opts.timeoutMs ?? 60000);
    const { body: b, complete } = await c.readBody(opts.timeoutMs ?? 60000, opts.limit);
    return { status: head.status, headers: head.headers, body: b, complete };
  } finally { c.destroy(); }
}

/** Docker's error body: {"message": "..."} with a non-empty string. */
export function dockerMessage(body: Buffer): string | undefined {
  try {
    const j = JSON.parse(body.toString('utf8')) as { message?: unknown };
    return typeof j.message === 'string' && j.message.length > 0 ? j.message : undefined;
  } catch { return undefined; }
}
