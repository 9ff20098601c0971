/**
 * runtime/log-file — read the container log conmon writes (CRI "k8s-file"
 * format: `<RFC3339Nano> <stdout|stderr> <P|F> <bytes>`; P = partial line,
 * F = full line). The bytes are the process's output exactly as written
 * (binary included): records carry them as Buffers and are never decoded
 * here. Parsing is pure; `readLog` filters by since/until/tail and can
 * follow the file while the container runs, across rotations
 * (`rotateLogFiles`: `<log>.1`, `.2`, … oldest last). It reads in bounded
 * chunks and yields as it goes, so a huge log never sits in memory and a
 * consumer that stops pulling (a slow client) stops the reading.
 */
import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface LogRecord {
  /** the timestamp as conmon wrote it (RFC 3339, nanoseconds) */
  time: string;
  timeMs: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  /** the output bytes of this line, without the newline */
  data: Buffer;
}

const SPACE = 0x20;
const NL = 0x0a;

/** One log line (without its newline) → a record; undefined for anything that is not one. */
export function parseLogLine(line: Buffer | string): LogRecord | undefined {
  const buf = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const a = buf.indexOf(SPACE);
  if (a < 0 || a > 64) return undefined;
  const b = buf.indexOf(SPACE, a + 1);
  if (b < 0) return undefined;
  const c = buf.indexOf(SPACE, b + 1);
  const time = buf.toString('latin1', 0, a);
  const stream = buf.toString('latin1', a + 1, b);
  const tag = buf.toString('latin1', b + 1, c < 0 ? buf.length : c);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) return undefined;
  return { time, timeMs, stream, partial: tag.split(':')[0] === 'P', data: c < 0 ? Buffer.alloc(0) : buf.subarray(c + 1) };
}

/** Docker's timestamp form for `logs -t`: RFC 3339 with nanoseconds, in UTC. */
export function dockerTimestamp(rec: LogRecord): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?/.exec(rec.time);
  if (!m) return new Date(rec.timeMs).toISOString();
  // conmon writes local offsets (+00:00 here); normalise to Z via the parsed ms but keep the digits.
  const iso = new Date(rec.timeMs).toISOString().slice(0, 19);
  return `${iso}${(m[2] ?? '.000000000').padEnd(10, '0').slice(0, 10)}Z`;
}

export interface ReadLogOptions {
  sinceMs?: number;
  untilMs?: number;
  /** last N records; undefined = all */
  tail?: number;
  follow?: boolean;
  /** Called while following: resolves when the container has stopped. */
  stopped?: Promise<void>;
  signal?: AbortSignal;
  /** Start at the file's current end (attach semantics). */
  fromEnd?: boolean;
  /** With fromEnd: the byte offset to start at. */
  fromOffset?: number;
}

export async function fileSize(path: string): Promise<number> {
  try { return (await stat(path)).size; } catch { return 0; }
}

/** The rotated files of a log, oldest first (`<path>.N` … `<path>.1`). */
export async function rotatedLogs(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try { names = await readdir(dir); } catch { return []; }
  return names
    .map((n) => ({ n, i: n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)) ? Number(n.slice(base.length + 1)) : 0 }))
    .filter((x) => x.i > 0)
    .sort((a, b) => b.i - a.i)
    .map((x) => join(dir, x.n));
}

/**
 * Rotate: `<path>.N-1` is dropped, `.k` becomes `.k+1`, the current file
 * becomes `.1`. `maxFile` counts the current file: at most maxFile - 1
 * rotated ones are kept. The writer must then reopen `path`.
 */
export async function rotateLogFiles(path: string, maxFile: number): Promise<void> {
  const keep = Math.max(0, maxFile - 1);
  for (const p of await rotatedLogs(path)) {
    const i = Number(p.slice(path.length + 1));
    if (i >= keep) await rm(p, { force: true });
  }
  for (let i = keep - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
  if (keep >= 1) await rename(path, `${path}.1`);
  else await rm(path, { force: true });
}

const CHUNK = 256 * 1024;

/**
 * Reads one file from an offset in bounded chunks and yields the complete
 * lines it finds; an incomplete last line is kept (`rest`) until more of
 * it arrives.
 */
class LineReader {
  offset: number;
  private rest: Buffer = Buffer.alloc(0);
  private readonly buf = Buffer.allocUnsafe(CHUNK);

  constructor(readonly fh: FileHandle, readonly ino: number, offset: number) { this.offset = offset; }

  /** Every complete record from the offset to the file's current end. */
  async *records(keep: (r: LogRecord) => boolean): AsyncGenerator<LogRecord> {
    for (;;) {
      const { bytesRead } = await this.fh.read(this.buf, 0, CHUNK, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      // the records below keep slices of `data`: copy out of the reused read buffer
      const data = this.rest.length ? Buffer.concat([this.rest, this.buf.subarray(0, bytesRead)]) : Buffer.from(this.buf.subarray(0, bytesRead));
      let start = 0;
      let nl: number;
      while ((nl = data.indexOf(NL, start)) >= 0) {
        const rec = parseLogLine(data.subarray(start, nl));
        start = nl + 1;
        if (rec && keep(rec)) yield rec;
      }
      this.rest = data.subarray(start);
    }
  }

  close(): Promise<void> { return this.fh.close(); }
}

async function openReader(path: string, at: number | 'end'): Promise<LineReader | undefined> {
  let fh: FileHandle;
  try { fh = await open(path, 'r'); } catch { return undefined; }
  try {
    const st = await fh.stat();
    return new LineReader(fh, st.ino, at === 'end' ? st.size : at);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * Yield log records; with `follow`, keeps reading until `stopped` resolves
 * (then drains) or the signal aborts. Reading from the start takes the
 * rotated files first; a follower notices a rotation (the path names a new
 * file) and, after draining the old one, goes on with the new one.
 */
export async function* readLog(path: string, o: ReadLogOptions = {}): AsyncGenerator<LogRecord> {
  const keep = (r: LogRecord) => (o.sinceMs === undefined || r.timeMs >= o.sinceMs) && (o.untilMs === undefined || r.timeMs <= o.untilMs);
  let cur: LineReader | undefined;

  /** What is new: the rest of the open file, then (after a rotation) the new one. */
  async function* readNew(): AsyncGenerator<LogRecord> {
    if (!cur && !(cur = await openReader(path, 0))) return;
    for (let hops = 0; hops < 4; hops++) {
      yield* cur.records(keep);
      let now: number;
      try { now = (await stat(path)).ino; } catch { return; } // renamed, not yet reopened
      if (now === cur.ino) return;
      await cur.close();
      cur = await openReader(path, 0);
      if (!cur) return;
    }
  }

  /** Everything there is now: the rotated files, then the current one. */
  async function* existing(): AsyncGenerator<LogRecord> {
    if (o.fromOffset === undefined && !o.fromEnd) {
      for (const old of await rotatedLogs(path)) {
        const r = await openReader(old, 0);
        if (!r) continue;
        try { yield* r.records(keep); } finally { await r.close(); }
      }
    }
    cur = await openReader(path, o.fromOffset ?? (o.fromEnd ? 'end' : 0));
    if (cur) yield* readNew();
  }

  try {
    if (o.tail !== undefined && o.tail >= 0) {
      // the last N only: a ring of N records, never the whole log
      const n = o.tail;
      const ring: LogRecord[] = [];
      let seen = 0;
      if (n > 0) for await (const r of existing()) ring[seen++ % n] = r;
      const count = Math.min(seen, n);
      for (let i = seen - count; i < seen; i++) yield ring[i % n];
    } else {
      yield* existing();
    }
    if (!o.follow) return;

    let stopped = false;
    void o.stopped?.then(() => { stopped = true; });
    let wake: (() => void) | undefined;
    const poke = () => { wake?.(); };
    let watcher: ReturnType<typeof watch> | undefined;
    // watch the directory: the file itself is replaced on rotation
    try { watcher = watch(dirname(path), poke); watcher.on('error', () => { watcher?.close(); watcher = undefined; }); } catch { watcher = undefined; }
    o.signal?.addEventListener('abort', poke);
    void o.stopped?.then(poke);
    try {
      for (;;) {
        if (o.signal?.aborted) return;
        const wasStopped = stopped;
        yield* readNew();
        if (wasStopped) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 250);
        });
        wake = undefined;
      }
    } finally {
      watcher?.close();
      o.signal?.removeEventListener('abort', poke);
    }
  } finally {
    await cur?.close();
  }
}
