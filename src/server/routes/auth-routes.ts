/** server/routes/auth-routes — POST /auth: check registry credentials (docker login). */
import { invalidArgument } from '../../errdefs/errors.js';
import type { AuthConfig } from '../../api/types.js';
import type { Router } from '../router.js';
import { readJson, sendJson } from '../router.js';
import type { AuthBackend } from '../backend.js';

export function authRoutes(r: Router, b: AuthBackend): void {
  r.add('POST', '/auth', async ({ req, res }) => {
    const body = await readJson<AuthConfig>(req);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('invalid JSON: expected an object', 'INVALID_JSON');
    sendJson(res, 200, await b.login(body));
  });
}
