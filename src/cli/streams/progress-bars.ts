/**
 * cli/streams/progress-bars — draw a pull/push JSON progress stream as
 * docker's CLI does: on a terminal, one line per layer id redrawn in place
 * (cursor up, clear line) with a bar from progressDetail; lines without an id
 * are printed and start a new block. Without a terminal, one line per state
 * change (byte counters skipped). The first error ends it as a failure.
 * Imports api, errdefs.
 */
import type { Writable } from 'node:stream';
import type { JSONMessage } from '../../api/types.js';
import { progressBar } from '../../api/progress-bar.js';
import { systemError } from '../../errdefs/errors.js';

const NOISY = new Set(['Downloading', 'Extracting', 'Pushing']);

export async function printProgressBars(messages: AsyncIterable<JSONMessage>, out: Writable & { isTTY?: boolean }, opts: { quiet?: boolean } = {}): Promise<JSONMessage[]> {
  const tty = !!out.isTTY && !opts.quiet;
  const ids = new Map<string, number>();
  const all: JSONMessage[] = [];
  for await (const m of messages) {
    all.push(m);
    if (m.error || m.errorDetail) throw systemError(m.errorDetail?.message ?? m.error ?? 'unknown error');
    if (opts.quiet || (!m.status && !m.stream)) continue;
    if (m.stream) { out.write(m.stream); continue; }
    const detail = m.progressDetail?.current !== undefined ? ` ${progressBar(m.progressDetail.current, m.progressDetail.total, 50)}` : '';
    if (!tty) {
      if (m.id && NOISY.has(m.status ?? '')) continue;
      out.write(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
      continue;
    }
    if (m.id && m.progressDetail) {
      let line = ids.get(m.id);
      if (line === undefined) { line = ids.size; ids.set(m.id, line); out.write('\n'); }
      const up = ids.size - line;
      out.write(`\x1b[${up}A\x1b[2K\r${m.id}: ${m.status}${detail}\x1b[${up}B\r`);
    } else {
      ids.clear();
      out.write(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
    }
  }
  return all;
}
