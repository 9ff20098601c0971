/** server/routes/image-routes — /images/*: list, inspect, import, load, tag, delete. */
import { notImplemented, invalidArgument } from '../../errdefs/errors.js';
import { firstBytes, sendBody } from '../wire-writer.js';
import type { Router } from '../router.js';
import { boolParam, sendJson, sendEmpty } from '../router.js';
import type { ImagesBackend } from '../backend.js';
import { messageOf } from '../http-errors.js';
import { jsonLines, registryAuth } from '../json-lines.js';
import { compareApiVersions } from '../../api/version.js';

export function imageRoutes(r: Router, b: ImagesBackend): void {
  r.add('GET', '/images/json', ({ res, query }) => sendJson(res, 200, b.list({ all: boolParam(query, 'all'), filters: query.get('filters') ?? undefined })));

  r.add('POST', '/images/create', async ({ req, res, query, signal }) => {
    const fromSrc = query.get('fromSrc');
    const fromImage = query.get('fromImage');
    if (fromImage) {
      const out = jsonLines(res);
      try {
        await b.pull({ fromImage, tag: query.get('tag') || undefined, platform: query.get('platform') || undefined, auth: registryAuth(req.headers['x-registry-auth']), signal }, out.write);
      } catch (err) {
        // before the first message the error gets its own status; after it, an error line
        if (!out.started) throw err;
        out.write({ errorDetail: { message: messageOf(err) }, error: messageOf(err) });
      }
      out.end();
      return;
    }
    if (fromSrc !== '-') {
      if (!fromSrc) throw invalidArgument('one of fromImage or fromSrc is required');
      throw notImplemented('importing from a URL is not supported; send the tarball in the request body with fromSrc=-');
    }
    const id = await b.importRootfs(req, { repo: query.get('repo') || undefined, tag: query.get('tag') || undefined, changes: query.getAll('changes'), message: query.get('message') || undefined });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: id }) + '\r\n');
  });

  r.add('POST', '/images/load', async ({ req, res, query, signal }) => {
    const quiet = boolParam(query, 'quiet');
    const lines: string[] = [];
    let error: string | undefined;
    // The archive is read whole before anything is answered (nothing is registered unless all of it is good).
    try {
      if (!(await b.load(req, (l) => lines.push(l))).length) error = 'no images found in the archive';
    } catch (err) {
      if (signal.aborted) throw err;
      // as dockerd: a bad archive is a 200 whose stream ends in an error line (docker-py's ImageLoadError, the CLI's message)
      error = messageOf(err);
      req.resume();
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const out = lines.filter((l) => !quiet || l.startsWith('Loaded image')).map((l) => JSON.stringify({ stream: `${l}\n` }) + '\n');
    if (error) out.push(JSON.stringify({ errorDetail: { message: error }, error }) + '\n');
    res.end(out.join(''));
  });

  r.add('POST', '/images/prune', async ({ res, query }) => sendJson(res, 200, await b.prune({ filters: query.get('filters') ?? undefined })));

  r.add('GET', '/images/{name*}/history', ({ res, params }) => sendJson(res, 200, b.history(params.name)));
  const sendArchive = (res: import('node:http').ServerResponse, names: string[]) => {
    const tar = b.save(names);
    // a failure before the first byte (a layer that cannot be read) still gets its status
    return firstBytes(tar).then(() => { res.writeHead(200, { 'Content-Type': 'application/x-tar' }); return sendBody(res, tar); }, (err) => { tar.destroy(); throw err; });
  };
  r.add('GET', '/images/get', ({ res, query }) => sendArchive(res, query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean)));
  r.add('GET', '/images/{name*}/get', ({ res, params }) => sendArchive(res, [params.name]));

  r.add('GET', '/images/{name*}/json', ({ res, params, apiVersion }) => sendJson(res, 200, imageInspectForApi(b.inspect(params.name), apiVersion)));

  r.add('POST', '/images/{name*}/push', async ({ req, res, params, query, signal }) => {
    const out = jsonLines(res);
    try {
      await b.push({ name: params.name, tag: query.get('tag') || undefined, auth: registryAuth(req.headers['x-registry-auth']), signal }, out.write);
    } catch (err) {
      if (!out.started) throw err;
      out.write({ errorDetail: { message: messageOf(err) }, error: messageOf(err) });
    }
    out.end();
  });

  r.add('POST', '/images/{name*}/tag', ({ res, params, query }) => {
    b.tag(params.name, query.get('repo') ?? '', query.get('tag') || undefined);
    sendEmpty(res, 201);
  });

  r.add('DELETE', '/images/{name*}', async ({ res, params, query }) => {
    sendJson(res, 200, await b.remove(params.name, { force: boolParam(query, 'force'), noprune: boolParam(query, 'noprune') }));
  });
}

/**
 * The deprecated fields of image inspect by API version, as dockerd 28's
 * getImagesByName: `VirtualSize` only before 1.44, `Container` and
 * `ContainerConfig` only before 1.45.
 */
export function imageInspectForApi(view: unknown, apiVersion: string): unknown {
  if (!view || typeof view !== 'object' || Array.isArray(view)) return view;
  const out = { ...(view as Record<string, unknown>) };
  if (compareApiVersions(apiVersion, '1.44') >= 0) delete out.VirtualSize;
  if (compareApiVersions(apiVersion, '1.45') >= 0) { delete out.Container; delete out.ContainerConfig; }
  return out;
}
