/**
 * server/routes/build-routes — `POST /build` (the legacy builder's API: a
 * context tar in, a JSON-lines stream out — `{"stream": …}`,
 * `{"aux": {"ID": …}}`, `{"errorDetail": {…}, "error": …}`) and
 * `POST /build/prune`. Errors found before the build starts (bad query,
 * context, Dockerfile) get an HTTP status; later ones go into the stream.
 */
import { invalidArgument, notImplemented } from '../../errdefs/errors.js';
import { WireWriter } from '../wire-writer.js';
import type { Router } from '../router.js';
import { boolParam, intParam, sendJson } from '../router.js';
import { parseClientJson } from '../../lib/client-json.js';
import { decodeWire, type WireType } from '../wire-decode.js';
import { BUILD_ARGS, BUILD_CACHE_FROM, BUILD_LABELS, BUILD_ULIMITS } from '../wire-schemas.js';
import { messageOf } from '../http-errors.js';
import type { BuildsBackend } from '../backend.js';

/**
 * A query parameter carrying JSON, checked against the Go type dockerd
 * reads it into; errors in dockerd's words ("error reading build args:
 * json: cannot unmarshal …").
 */
function jsonParam<T>(q: URLSearchParams, name: string, what: string, type: WireType): T | undefined {
  const v = q.get(name);
  if (!v) return undefined;
  let parsed: unknown;
  try { parsed = parseClientJson(v); } catch (err) { throw invalidArgument(`error reading ${what}: ${messageOf(err)}`, 'INVALID_JSON', err); }
  return decodeWire<T>(parsed, type, `error reading ${what}: `) ?? undefined;
}

export function buildRoutes(r: Router, b: BuildsBackend): void {
  r.add('POST', '/build', async ({ req, res, query, signal }) => {
    if (query.get('version') === '2') throw notImplemented('BuildKit (version=2) is not supported by berthd; use the legacy builder (DOCKER_BUILDKIT=0)');
    if (query.get('remote')) throw notImplemented('building from a remote context (URL or git) is not supported by berthd; send the context as a tar');
    const buildArgs = jsonParam<Record<string, string | null>>(query, 'buildargs', 'build args', BUILD_ARGS) ?? {};
    const labels = jsonParam<Record<string, string>>(query, 'labels', 'labels', BUILD_LABELS) ?? {};
    const cacheFrom = jsonParam<string[]>(query, 'cachefrom', 'cache from', BUILD_CACHE_FROM) ?? undefined;
    // --add-host: repeated `extrahosts=name:ip` (the docker CLI), or one comma-separated value
    const extraHosts = query.getAll('extrahosts').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    // read by dockerd, not used by berth's builder: still refused when malformed, as dockerd does
    jsonParam(query, 'ulimits', 'ulimit settings', BUILD_ULIMITS);
    intParam(query, 'shmsize');
    const quiet = boolParam(query, 'q');
    const prepared = await b.prepare(req, {
      tags: query.getAll('t').filter(Boolean),
      dockerfile: query.get('dockerfile') || undefined,
      buildArgs,
      labels,
      target: query.get('target') || undefined,
      noCache: boolParam(query, 'nocache'),
      pull: boolParam(query, 'pull'),
      network: query.get('networkmode') || 'default',
      extraHosts,
      cacheFrom,
      platform: query.get('platform') || undefined,
    });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // RUN output can be large: a slow client holds the step's output back rather than berthd buffering it
    const wire = new WireWriter(res, signal);
    const write = (o: unknown) => wire.write(JSON.stringify(o) + '\r\n').then(() => undefined);
    // -q: the docker CLI prints only the ID (from aux); the output is replayed if the build fails.
    const held: string[] = [];
    try {
      const id = await prepared.run({
        stream: (t) => { if (quiet) held.push(t); else return write({ stream: t }); },
        aux: (v) => { void write({ aux: v }); },
      }, signal);
      // As dockerd: with q=1 the output is just the image ID.
      if (quiet) await write({ stream: `${id}\n` });
    } catch (err) {
      if (quiet) for (const t of held) await write({ stream: t });
      const message = messageOf(err);
      const code = b.errorCode(err);
      await write({ errorDetail: { code, message }, error: message });
    }
    wire.end();
  });

  r.add('POST', '/build/prune', async ({ res, query }) => {
    const all = boolParam(query, 'all');
    sendJson(res, 200, await b.prune({ all }));
  });

  r.add('POST', '/build/cancel', async () => {
    throw notImplemented('build cancellation by ID is a BuildKit API; disconnect the build request instead');
  });
}
