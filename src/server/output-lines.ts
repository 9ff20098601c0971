/**
 * server/output-lines — container output as it goes on the wire: one log
 * line as a raw chunk (TTY) or an 8-byte-header frame, and the batching of
 * attach/exec output into frames the way dockerd sends them.
 *
 * conmon's log splits output at newlines, but dockerd's attach and exec
 * streams carry the process's writes: `printf 'a\nb\n'` arrives as one
 * frame of 4 bytes, and clients rely on that (dockerode's own exec test
 * expects one frame). `coalesce` joins the lines of one stream that are
 * read together (available without waiting for more I/O) into one chunk,
 * up to 64 KiB. `logs` keeps a frame per line, as dockerd's json-file
 * log gives one message per line.
 */
import { encodeFrame } from '../api/stdcopy.js';
import type { LogLine } from './backend.js';

const NEWLINE = Buffer.from('\n');
const MAX_BATCH = 64 * 1024;

/** One log line as it goes on the wire: the raw bytes with a TTY, else an 8-byte-header frame. Binary-safe. */
export function wireChunk(l: LogLine, o: { tty: boolean; timestamps: boolean }): Buffer {
  const parts = o.timestamps ? [Buffer.from(`${l.timestamp} `), l.data] : [l.data];
  if (!l.partial) parts.push(NEWLINE);
  const payload = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  return o.tty ? payload : encodeFrame(l.stream === 'stdout' ? 1 : 2, payload);
}

const IMMEDIATE = Symbol('immediate');

/**
 * Join consecutive lines of the same stream that are already at hand into
 * one line (newlines kept inside, `partial` of the last), up to 64 KiB. A
 * line that is not ready by the next turn of the event loop ends the batch.
 */
export async function* coalesce(lines: AsyncIterable<LogLine>): AsyncGenerator<LogLine> {
  const it = lines[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<LogLine>> | undefined;
  try {
    let cur = await it.next();
    while (!cur.done) {
      const parts: Buffer[] = [];
      let size = 0;
      const first = cur.value;
      let last = first;
      const add = (l: LogLine) => { parts.push(l.data); size += l.data.length; if (!l.partial) { parts.push(NEWLINE); size += 1; } last = l; };
      add(first);
      let next: IteratorResult<LogLine> | typeof IMMEDIATE;
      for (;;) {
        pending ??= it.next();
        next = await Promise.race([pending, new Promise<typeof IMMEDIATE>((r) => setImmediate(() => r(IMMEDIATE)))]);
        if (next === IMMEDIATE) break;
        pending = undefined;
        if (next.done || next.value.stream !== first.stream || size + next.value.data.length > MAX_BATCH) break;
        add(next.value);
      }
      // the newline of a complete last line is part of the data: the joined line is "partial"
      yield { stream: first.stream, data: parts.length === 1 ? parts[0] : Buffer.concat(parts), partial: true, timestamp: first.timestamp };
      if (next === IMMEDIATE) { cur = await pending!; pending = undefined; } else cur = next;
    }
  } finally {
    // a read still outstanding (a follower waiting for output) must not hold the consumer up:
    // the source is closed once it settles (its own signal ends it)
    if (pending) void pending.then(() => it.return?.(undefined), () => undefined);
    else await it.return?.(undefined);
  }
}
