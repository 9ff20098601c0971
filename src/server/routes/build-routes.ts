/**
 * server/routes/build-routes — `POST /build` (the legacy builder's API: a
 * context tar in, a JSON-lines stream out — `{"stream": …}`,
 * `{"aux": {"ID": …}}`, `{"errorDetail": {…}, "error": …}`) and
 * `POST /build/prune`. Errors found before the build starts (bad query,
 * context, Dockerfile) get an HTTP status; later ones go into the stream.
 * `version=2` with the context in the body (dockerode, docker-py with
 * BuildKit asked for) builds with the same builder and reports as dockerd's
 * BuildKit does: `{"id": "moby.buildkit.trace", "aux": <StatusResponse,
 * base64>}` lines, then `{"id": "moby.image.id", "aux": {"ID": …}}`.
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
import { BuildkitTrace } from '../../api/buildkit-trace.js';
import { encodeStatus } from '../../api/buildkit-status.js';
import type { BuildSessions } from './session-routes.js';

type Prepared = Awaited<ReturnType<BuildsBackend['prepare']>>;

/** Run a prepared build, reporting as dockerd's BuildKit does on `POST /build?version=2`. */
async function buildkitStream(wire: WireWriter, prepared: Prepared, tags: string[], describe: (err: unknown) => string, signal: AbortSignal): Promise<void> {
  // one status per line, in order; a slow client holds the build back (each write awaits the one before);
  // a client that went away fails no promise (the signal cancels the build)
  let chain: Promise<void> = Promise.resolve();
  const line = (o: unknown): Promise<void> => { chain = chain.then(() => wire.write(JSON.stringify(o) + '\r\n')).then(() => undefined, () => undefined); return chain; };
  const trace = new BuildkitTrace((s) => { void line({ id: 'moby.buildkit.trace', aux: encodeStatus(s).toString('base64') }); });
  trace.begin();
  try {
    const id = await prepared.run({ stream: () => chain, aux: () => {}, progress: trace }, signal);
    trace.done(id, tags);
    await line({ id: 'moby.image.id', aux: { ID: id } });
  } catch (err) {
    const message = describe(err);
    trace.fail(message);
    await line({ errorDetail: { message }, error: message });
  }
  await chain;
  wire.end();
}

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

export function buildRoutes(r: Router, b: BuildsBackend, sessions: BuildSessions): void {
  r.add('POST', '/build', async ({ req, res, query, signal }) => {
    const version = query.get('version') || '1';
    if (version !== '1' && version !== '2') throw invalidArgument(`unsupported builder version ${version}`);
    const buildkit = version === '2';
    if (buildkit && query.get('remote') === 'client-session') throw notImplemented('BuildKit sessions (the context over POST /session, as buildx sends it) are not supported by berthd yet; send the context as a tar in the body');
    const sessionId = buildkit ? query.get('session') : null;
    if (sessionId && !(await sessions.wait(sessionId))) throw invalidArgument(`no active session for ${sessionId}: open it with POST /session first`);
    if (query.get('remote')) throw notImplemented('building from a remote context (URL or git) is not supported by berthd; send the context as a tar');
    const buildArgs = jsonParam<Record<string, string | null>>(query, 'buildargs', 'build args', BUILD_ARGS) ?? {};
    const labels = jsonParam<Record<string, string>>(query, 'labels', 'labels', BUILD_LABELS) ?? {};
    const cacheFrom = jsonParam<string[]>(query, 'cachefrom', 'cache from', BUILD_CACHE_FROM) ?? undefined;
    // --add-host: repeated `extrahosts=name:ip` (the docker CLI), or one comma-separated value
    const extraHosts = query.getAll('extrahosts').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    // read by dockerd, not used by berth's builder: still refused when malformed, as dockerd does
    jsonParam(query, 'ulimits', 'ulimit settings', BUILD_ULIMITS);
    intParam(query, 'shmsize');
    const quiet = boolParam(query, 'q') && !buildkit;
    const tags = query.getAll('t').filter(Boolean);
    const prepared = await b.prepare(req, {
      tags,
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
    if (buildkit) return buildkitStream(wire, prepared, tags, (err) => b.buildkitError(err), signal);
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
