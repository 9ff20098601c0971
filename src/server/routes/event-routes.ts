/**
 * server/routes/event-routes — GET /events: Docker's event stream, one JSON
 * object per line, headers flushed at once, ending when `until` passes or
 * the client goes away. since/until/filters are passed through raw; the
 * engine parses and validates them (bad input → 400 before any output).
 */
import { WireWriter } from '../wire-writer.js';
import type { Router } from '../router.js';
import type { EventsBackend } from '../backend.js';

export function eventRoutes(r: Router, b: EventsBackend): void {
  r.add('GET', '/events', async ({ res, query, signal }) => {
    const it = b.subscribe({ since: query.get('since') ?? undefined, until: query.get('until') ?? undefined, filters: query.get('filters') ?? undefined, signal })[Symbol.asyncIterator]();
    // The first step validates the request: errors surface before the headers.
    const first = it.next();
    await Promise.race([first, new Promise((r2) => setImmediate(r2))]);
    let cur = first;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const out = new WireWriter(res, signal);
    try {
      for (let v = await cur; !v.done; v = await cur) {
        if (!(await out.write(JSON.stringify(v.value) + '\n'))) break;
        cur = it.next();
      }
    } finally {
      await it.return?.(undefined);
      out.end();
    }
  });
}
