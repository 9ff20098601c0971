/**
 * runtime/log-file — read the container log conmon writes (CRI "k8s-file"
 * format: `<RFC3339Nano> <stdout|stderr> <P|F> <text>`; P = partial line,
 * F = full line). Parsing is pure; `readLog` filters by since/until/tail and
 * can follow the file while the container runs, across rotations
 * (`rotateLogFiles`: `<log>.1`, `.2`, … oldest last).
 */
import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface LogRecord {
  /** nanoseconds since the epoch as a bigint-safe string pair */
  time: string;
  timeMs: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  text: string;
}

export function parseLogLine(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  if (a < 0) return undefined;
  const b = line.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const c = line.indexOf(' ', b + 1);
  const time = line.slice(0, a);
  const stream = line.slice(a + 1, b);
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const timeMs = Date.parse(time);
  if (Number.isNaN(timeMs)) return undefined;
  return { time, timeMs, stream, partial: tag.split(':')[0] === 'P', text: c < 0 ? '' : line.slice(c + 1) };
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

/**
 * Yield log records; with `follow`, keeps reading until `stopped` resolves
 * (then drains) or the signal aborts. Reading from the start takes the
 * rotated files first; a follower notices a rotation (the path names a new
 * file) and, after draining the old one, goes on with the new one.
 */
export async function* readLog(path: string, o: ReadLogOptions = {}): AsyncGenerator<LogRecord> {
  const emitFilter = (r: LogRecord) => (o.sinceMs === undefined || r.timeMs >= o.sinceMs) && (o.untilMs === undefined || r.timeMs <= o.untilMs);
  let rest = '';
  let fh: FileHandle | undefined;
  let ino = -1;
  let offset = 0;

  async function openCurrent(at: number): Promise<boolean> {
    try { fh = await open(path, 'r'); } catch { fh = undefined; return false; }
    ino = (await fh.stat()).ino;
    offset = at;
    rest = '';
    return true;
  }

  async function drain(h: FileHandle, from: number): Promise<{ recs: LogRecord[]; end: number }> {
    const recs: LogRecord[] = [];
    const buf = Buffer.alloc(256 * 1024);
    let at = from;
    for (;;) {
      const { bytesRead } = await h.read(buf, 0, buf.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      rest += buf.subarray(0, bytesRead).toString('utf8');
      let nl;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const rec = parseLogLine(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
        if (rec && emitFilter(rec)) recs.push(rec);
      }
    }
    return { recs, end: at };
  }

  /** What is new: the rest of the open file, then (after a rotation) the new one. */
  async function readNew(): Promise<LogRecord[]> {
    if (!fh && !(await openCurrent(0))) return [];
    const out: LogRecord[] = [];
    for (let hops = 0; hops < 4; hops++) {
      const { recs, end } = await drain(fh!, offset);
      out.push(...recs);
      offset = end;
      let now: number;
      try { now = (await stat(path)).ino; } catch { break; } // renamed, not yet reopened
      if (now === ino) break;
      await fh!.close();
      if (!(await openCurrent(0))) break;
    }
    return out;
  }

  try {
    let first: LogRecord[] = [];
    if (o.fromOffset === undefined && !o.fromEnd) {
      for (const old of await rotatedLogs(path)) {
        let h: FileHandle | undefined;
        try { h = await open(old, 'r'); } catch { continue; }
        try { first.push(...(await drain(h, 0)).recs); } finally { await h.close(); }
        rest = '';
      }
    }
    if (await openCurrent(0)) {
      if (o.fromOffset !== undefined) offset = o.fromOffset;
      else if (o.fromEnd) offset = (await fh!.stat()).size;
      first.push(...(await readNew()));
    }
    if (o.tail !== undefined && o.tail >= 0) first = o.tail === 0 ? [] : first.slice(-o.tail);
    for (const r of first) yield r;
    if (!o.follow) return;

    let stopped = false;
    o.stopped?.then(() => { stopped = true; });
    let wake: (() => void) | undefined;
    const poke = () => { wake?.(); };
    let watcher: ReturnType<typeof watch> | undefined;
    // watch the directory: the file itself is replaced on rotation
    try { watcher = watch(dirname(path), poke); } catch { watcher = undefined; }
    o.signal?.addEventListener('abort', poke);
    o.stopped?.then(poke);
    try {
      for (;;) {
        if (o.signal?.aborted) return;
        const wasStopped = stopped;
        for (const r of await readNew()) yield r;
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
    await fh?.close();
  }
}
