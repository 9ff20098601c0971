/**
 * server/routes/absent-feature-routes — what dockerd answers for features
 * berth does not have, so clients get dockerd's own answers instead of a
 * bare "page not found":
 *
 * - swarm (`/swarm`, `/nodes`, `/services`, `/tasks`, `/secrets`,
 *   `/configs`): 503 "This node is not a swarm manager…", as a dockerd that
 *   never joined a swarm says; `swarm init`/`join` are 501;
 * - plugins: `GET /plugins` is an empty list (no managed plugins), one
 *   plugin is a 404, installing one is 501;
 * - `GET /images/search` (`docker search`): 501, there is no index to ask.
 */
import type { Router } from '../router.js';
import { sendJson } from '../router.js';
import { BerthError, notFound, notImplemented } from '../../errdefs/errors.js';

const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

export function absentFeatureRoutes(r: Router): void {
  const noSwarm = () => { throw new BerthError('UNAVAILABLE', NOT_A_MANAGER); };
  for (const method of ['POST']) {
    r.add(method, '/swarm/init', () => { throw notImplemented('swarm mode is not supported by berth'); });
    r.add(method, '/swarm/join', () => { throw notImplemented('swarm mode is not supported by berth'); });
  }
  for (const noun of ['swarm', 'nodes', 'services', 'tasks', 'secrets', 'configs']) {
    for (const method of ['GET', 'POST', 'DELETE']) {
      r.add(method, `/${noun}`, noSwarm);
      r.add(method, `/${noun}/{rest*}`, noSwarm);
    }
  }
  r.add('GET', '/plugins', ({ res }) => sendJson(res, 200, []));
  r.add('GET', '/plugins/privileges', () => { throw notImplemented('plugins are not supported by berth'); });
  r.add('GET', '/plugins/{name*}/json', ({ params }) => { throw notFound(`plugin "${params.name}" not found`); });
  for (const p of ['/plugins/pull', '/plugins/create', '/plugins/{name*}/enable', '/plugins/{name*}/disable', '/plugins/{name*}/upgrade', '/plugins/{name*}/push', '/plugins/{name*}/set']) {
    r.add('POST', p, () => { throw notImplemented('plugins are not supported by berth'); });
  }
  r.add('DELETE', '/plugins/{name*}', ({ params }) => { throw notFound(`plugin "${params.name}" not found`); });
  r.add('GET', '/images/search', () => { throw notImplemented('image search is not supported by berth: it has no registry index to ask (pull by name from a registry or mirror instead)'); });
}
