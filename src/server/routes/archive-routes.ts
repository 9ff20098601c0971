/**
 * server/routes/archive-routes — /containers/{id}/archive: HEAD (stat in the
 * `X-Docker-Container-Path-Stat` header, base64 JSON), GET (the same header
 * and a tar), PUT (extract a tar into a directory; `noOverwriteDirNonDir`,
 * `copyUIDGID`). The docker CLI's `cp` drives all three.
 */
import { firstBytes, sendBody } from '../wire-writer.js';
import type { Router } from '../router.js';
import { boolParam } from '../router.js';
import type { ArchiveBackend, PathStatView } from '../backend.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function statHeader(stat: PathStatView): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

export function archiveRoutes(r: Router, b: ArchiveBackend): void {
  // the router sends HEAD to GET routes: one handler, no body for HEAD
  r.add('GET', '/containers/{id}/archive', async ({ req, res, params, query }) => {
    const path = query.get('path') ?? '';
    if (req.method === 'HEAD') {
      const stat = await b.stat(params.id, path);
      res.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/json' });
      res.end();
      return;
    }
    await b.get(params.id, path, async (stat, tar) => {
      // the first bytes (or the failure) before the headers: a path the container swapped
      // right after it was resolved gets its own status instead of a cut connection
      await firstBytes(tar);
      res.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' });
      await sendBody(res, tar);
    });
  });

  r.add('PUT', '/containers/{id}/archive', async ({ req, res, params, query }) => {
    await b.put(params.id, query.get('path') ?? '', req, {
      noOverwriteDirNonDir: boolParam(query, 'noOverwriteDirNonDir'),
      copyUIDGID: boolParam(query, 'copyUIDGID'),
    });
    res.writeHead(200);
    res.end();
  });
}
