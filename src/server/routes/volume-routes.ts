/**
 * server/routes/volume-routes — /volumes: list (filters), create (201),
 * inspect, remove (`force`), prune (`filters`; before API 1.42 Docker
 * pruned named volumes too, so the version is passed on).
 */
import { compareApiVersions } from '../../api/version.js';
import type { Router } from '../router.js';
import { boolParam, objectBody, readJson, sendEmpty, sendJson } from '../router.js';
import { VOLUME_CREATE } from '../wire-schemas.js';
import type { VolumesBackend } from '../backend.js';

export function volumeRoutes(r: Router, b: VolumesBackend): void {
  r.add('GET', '/volumes', ({ res, query }) => sendJson(res, 200, b.list(query.get('filters') ?? undefined)));

  r.add('POST', '/volumes/create', async ({ req, res }) => {
    const body = objectBody(await readJson<unknown>(req, { allowEmpty: true, type: VOLUME_CREATE }) ?? {});
    sendJson(res, 201, await b.create(body));
  });

  r.add('POST', '/volumes/prune', async ({ res, query, apiVersion }) => {
    sendJson(res, 200, await b.prune(query.get('filters') ?? undefined, { allByDefault: compareApiVersions(apiVersion, '1.42') < 0 }));
  });

  r.add('GET', '/volumes/{name}', ({ res, params }) => sendJson(res, 200, b.inspect(params.name)));

  r.add('DELETE', '/volumes/{name}', async ({ res, params, query }) => {
    await b.remove(params.name, { force: boolParam(query, 'force') });
    sendEmpty(res, 204);
  });
}
