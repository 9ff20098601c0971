/**
 * runtime/log-file — read the container log conmon writes (CRI "k8s-file"
 * format: `<RFC3339Nano> <stdout|stderr> <P|F> <text>`; P = partial line,
 * F = full line). Parsing is pure; `readLog` filters by since/until/tail and
 * can follow the file while the container runs.
 */
import { open, stat } from 'node:fs/promises';
import { watch } from 'node:fs';

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

/** Yield log records; with `follow`, keeps reading until `stopped` resolves (then drains) or the signal aborts. */
export async function* readLog(path: string, o: ReadLogOptions = {}): AsyncGenerator<LogRecord> {
  let offset = o.fromOffset ?? (o.fromEnd ? await fileSize(path) : 0);
  let rest = '';
  const emitFilter = (r: LogRecord) => (o.sinceMs === undefined || r.timeMs >= o.sinceMs) && (o.untilMs === undefined || r.timeMs <= o.untilMs);

  async function readChunk(): Promise<LogRecord[]> {
    let fh;
    try { fh = await open(path, 'r'); } catch { return []; }
    try {
      const out: LogRecord[] = [];
      const buf = Buffer.alloc(256 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        rest += buf.subarray(0, bytesRead).toString('utf8');
        let nl;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const rec = parseLogLine(rest.slice(0, nl));
          rest = rest.slice(nl + 1);
          if (rec && emitFilter(rec)) out.push(rec);
        }
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  let first = await readChunk();
  if (o.tail !== undefined && o.tail >= 0) first = o.tail === 0 ? [] : first.slice(-o.tail);
  for (const r of first) yield r;
  if (!o.follow) return;

  let stopped = false;
  o.stopped?.then(() => { stopped = true; });
  let wake: (() => void) | undefined;
  const poke = () => { wake?.(); };
  let watcher: ReturnType<typeof watch> | undefined;
  try { watcher = watch(path, poke); } catch { watcher = undefined; }
  o.signal?.addEventListener('abort', poke);
  o.stopped?.then(poke);
  try {
    for (;;) {
      if (o.signal?.aborted) return;
      const wasStopped = stopped;
      for (const r of await readChunk()) yield r;
      if (wasStopped) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 250);
      });
      wake = undefined;
      if (!watcher) { try { watcher = watch(path, poke); } catch { /* file not yet created */ } }
    }
  } finally {
    watcher?.close();
    o.signal?.removeEventListener('abort', poke);
  }
}
