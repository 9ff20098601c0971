/** server/routes/system-routes — /_ping, /version, /info. */
import type { Router } from '../router.js';
import { sendJson } from '../router.js';
import type { SystemBackend } from '../backend.js';

export function systemRoutes(r: Router, b: SystemBackend): void {
  const ping = ({ req, res }: Parameters<Parameters<Router['add']>[2]>[0]) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1', 'Docker-Experimental': 'false', Ostype: 'linux' });
    res.end(req.method === 'HEAD' ? undefined : 'OK');
  };
  r.add('GET', '/_ping', ping);
  r.add('HEAD', '/_ping', ping);
  r.add('GET', '/version', ({ res }) => sendJson(res, 200, b.version()));
  r.add('GET', '/info', ({ res }) => sendJson(res, 200, b.info()));
}
