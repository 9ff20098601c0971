/**
 * server/routes/auth-routes — what the daemon asks a registry for a client:
 * POST /auth (check credentials, docker login) and GET
 * /distribution/{name}/json (a reference's manifest descriptor and
 * platforms, `docker manifest inspect`'s daemon side; dockerode's
 * image.distribution()).
 */
import type { AuthConfig } from '../../api/types.js';
import type { Router } from '../router.js';
import { objectBody, readJson, sendJson } from '../router.js';
import { AUTH_CONFIG } from '../wire-schemas.js';
import { registryAuth } from '../json-lines.js';
import type { AuthBackend } from '../backend.js';

export function authRoutes(r: Router, b: AuthBackend): void {
  r.add('POST', '/auth', async ({ req, res }) => {
    sendJson(res, 200, await b.login(objectBody<AuthConfig>(await readJson(req, { type: AUTH_CONFIG }))));
  });

  r.add('GET', '/distribution/{name*}/json', async ({ req, res, params }) => {
    // dockerd ignores an X-Registry-Auth it cannot decode here ("for compatibility with the existing API")
    let auth: AuthConfig | undefined;
    try { auth = registryAuth(req.headers['x-registry-auth']); } catch { auth = undefined; }
    sendJson(res, 200, await b.distributionInspect(params.name, auth));
  });
}
