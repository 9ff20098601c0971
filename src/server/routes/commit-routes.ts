/**
 * server/routes/commit-routes — a container's filesystem as data:
 * `POST /commit` (201 {"Id"}), `GET /containers/{id}/changes` (docker diff),
 * `GET /containers/{id}/export` (a tar of the whole filesystem).
 */
import { invalidArgument } from '../../errdefs/errors.js';
import { firstBytes, sendBody } from '../wire-writer.js';
import type { Router } from '../router.js';
import { objectBody, readJson, sendJson } from '../router.js';
import { COMMIT_CONFIG } from '../wire-schemas.js';
import type { CommitsBackend } from '../backend.js';

export function commitRoutes(r: Router, b: CommitsBackend): void {
  r.add('POST', '/commit', async ({ req, res, query }) => {
    const container = query.get('container');
    if (!container) throw invalidArgument('container is required');
    const raw = await readJson<unknown>(req, { allowEmpty: true, type: COMMIT_CONFIG });
    const config = raw === undefined || raw === null ? undefined : objectBody<Record<string, unknown>>(raw);
    const id = await b.commit(container, {
      repo: query.get('repo') || undefined,
      tag: query.get('tag') || undefined,
      comment: query.get('comment') || undefined,
      author: query.get('author') || undefined,
      changes: query.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim()),
      config: config ?? undefined,
      // Docker pauses a running container while committing unless pause=0/false
      pause: !['0', 'false'].includes(query.get('pause') ?? ''),
    });
    sendJson(res, 201, { Id: id });
  });

  r.add('GET', '/containers/{id}/changes', async ({ res, params }) => sendJson(res, 200, await b.changes(params.id)));

  r.add('GET', '/containers/{id}/export', async ({ res, params }) => {
    const tar = await b.export(params.id);
    await firstBytes(tar);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await sendBody(res, tar);
  });
}
