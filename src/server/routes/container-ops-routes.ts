/**
 * server/routes/container-ops-routes — the operations on running
 * containers beyond the lifecycle: pause, unpause, top, stats (one sample
 * or a stream, one JSON document per second with precpu_stats from the
 * previous one) and update.
 */
import { invalidArgument } from '../../errdefs/errors.js';
import { WireWriter } from '../wire-writer.js';
import type { Router } from '../router.js';
import { boolParam, objectBody, readJson, sendEmpty, sendJson } from '../router.js';
import { UPDATE_CONFIG } from '../wire-schemas.js';
import type { ContainerOpsBackend } from '../backend.js';

type Sample = Record<string, unknown> & { read: string; cpu_stats: unknown; id: string };

function sendJsonLine(res: import('node:http').ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
}

export function containerOpsRoutes(r: Router, b: ContainerOpsBackend): void {
  r.add('POST', '/containers/{id}/pause', async ({ res, params }) => { await b.pause(params.id); sendEmpty(res, 204); });
  r.add('POST', '/containers/{id}/unpause', async ({ res, params }) => { await b.unpause(params.id); sendEmpty(res, 204); });
  r.add('GET', '/containers/{id}/top', async ({ res, params, query }) => sendJson(res, 200, await b.top(params.id, query.get('ps_args') ?? '')));

  r.add('POST', '/containers/{id}/update', async ({ req, res, params }) => {
    const body = objectBody<Record<string, unknown>>(await readJson(req, { type: UPDATE_CONFIG }));
    sendJson(res, 200, await b.update(params.id, body));
  });

  r.add('GET', '/containers/{id}/stats', async ({ res, params, query, signal }) => {
    const stream = query.get('stream') === null ? true : boolParam(query, 'stream');
    const oneShot = boolParam(query, 'one-shot');
    if (oneShot && stream) throw invalidArgument('cannot have stream=true and one-shot=true');
    const empty = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: 0, online_cpus: 0, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
    let prev = (await b.stats(params.id)) as Sample;
    const withPre = (cur: Sample, pre?: Sample) => ({ ...cur, preread: pre?.read ?? '0001-01-01T00:00:00Z', precpu_stats: pre?.cpu_stats ?? empty, num_procs: 0, storage_stats: {} });
    if (!stream) {
      // Like dockerd: a second sample a second later, so the CPU figure has a base; taken
      // before the headers, so a container removed meanwhile is a 404, not a cut response
      const body = oneShot ? withPre(prev) : await new Promise((r2) => setTimeout(r2, 1000)).then(async () => withPre((await b.stats(params.id)) as Sample, prev));
      sendJsonLine(res, body);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const out = new WireWriter(res, signal);
    try {
      if (!(await out.write(JSON.stringify(withPre(prev)) + '\n'))) return;
      while (!signal.aborted) {
        await new Promise<void>((r2) => {
          const onAbort = () => { clearTimeout(t); r2(); };
          const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); r2(); }, 1000);
          signal.addEventListener('abort', onAbort, { once: true });
        });
        if (signal.aborted) break;
        let cur: Sample;
        try { cur = (await b.stats(params.id)) as Sample; } catch { break; } // removed meanwhile
        if (!(await out.write(JSON.stringify(withPre(cur, prev)) + '\n'))) break;
        prev = cur;
      }
    } finally {
      out.end();
    }
  });
}
