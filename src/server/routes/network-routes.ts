/**
 * server/routes/network-routes — /networks/*: thin handlers over the
 * networks backend (list, inspect, create, remove, prune, connect,
 * disconnect), Docker's shapes and statuses.
 */
import type { Router } from '../router.js';
import { objectBody, readJson, sendEmpty, sendJson } from '../router.js';
import type { NetworksBackend } from '../backend.js';
import { NETWORK_CONNECT, NETWORK_CREATE, NETWORK_DISCONNECT } from '../wire-schemas.js';

export function networkRoutes(r: Router, b: NetworksBackend): void {
  r.add('GET', '/networks', ({ res, query }) => sendJson(res, 200, b.list(query.get('filters') ?? undefined)));
  r.add('POST', '/networks/create', async ({ req, res }) => sendJson(res, 201, await b.create(objectBody(await readJson(req, { type: NETWORK_CREATE })))));
  r.add('POST', '/networks/prune', async ({ res, query }) => sendJson(res, 200, await b.prune(query.get('filters') ?? undefined)));
  r.add('GET', '/networks/{id}', ({ res, params }) => sendJson(res, 200, b.inspect(params.id)));
  r.add('DELETE', '/networks/{id}', async ({ res, params }) => { await b.remove(params.id); sendEmpty(res, 204); });
  r.add('POST', '/networks/{id}/connect', async ({ req, res, params }) => { await b.connect(params.id, objectBody(await readJson(req, { type: NETWORK_CONNECT }))); sendEmpty(res, 200); });
  r.add('POST', '/networks/{id}/disconnect', async ({ req, res, params }) => { await b.disconnect(params.id, objectBody(await readJson(req, { type: NETWORK_DISCONNECT }))); sendEmpty(res, 200); });
}
