/** server/routes/auth-routes — POST /auth: check registry credentials (docker login). */
import type { AuthConfig } from '../../api/types.js';
import type { Router } from '../router.js';
import { objectBody, readJson, sendJson } from '../router.js';
import { AUTH_CONFIG } from '../wire-schemas.js';
import type { AuthBackend } from '../backend.js';

export function authRoutes(r: Router, b: AuthBackend): void {
  r.add('POST', '/auth', async ({ req, res }) => {
    sendJson(res, 200, await b.login(objectBody<AuthConfig>(await readJson(req, { type: AUTH_CONFIG }))));
  });
}
