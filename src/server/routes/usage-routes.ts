/**
 * server/routes/usage-routes — disk usage and pruning of containers:
 * `GET /system/df` (`type` repeated to pick sections, API 1.42+) and
 * `POST /containers/prune` (`filters`).
 */
import type { Router } from '../router.js';
import { sendJson } from '../router.js';
import type { DiskUsageBackend } from '../backend.js';

export function usageRoutes(r: Router, b: DiskUsageBackend): void {
  r.add('GET', '/system/df', async ({ res, query }) => sendJson(res, 200, await b.df(query.getAll('type'))));
  r.add('POST', '/containers/prune', async ({ res, query }) => sendJson(res, 200, await b.pruneContainers(query.get('filters') ?? undefined)));
}
