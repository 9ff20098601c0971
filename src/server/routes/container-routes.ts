/**
 * server/routes/container-routes — /containers/*: thin handlers that parse
 * the request, call the backend and write Docker's response shapes, plus
 * the streaming endpoints (logs, attach, wait).
 */
import { invalidArgument } from '../../errdefs/errors.js';
import { wireChunk, coalesce } from '../output-lines.js';
import { parseDetachKeys } from '../detach-keys.js';
import { hijack, type HijackedSession } from '../hijack.js';
import { WireWriter } from '../wire-writer.js';
import type { Router, RequestContext } from '../router.js';
import { boolParam, intParam, objectBody, readJson, readUpgradeBody, sendEmpty, sendJson } from '../router.js';
import { CREATE_REQUEST } from '../wire-schemas.js';
import type { ContainersBackend } from '../backend.js';
import { messageOf } from '../http-errors.js';

/** Docker's since/until: unix seconds with an optional fraction, or an RFC 3339 time. */
export function parseTimeParam(v: string | null): number | undefined {
  if (v === null || v === '' || v === '0') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return parseFloat(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid value for time: ${v}`);
  return t;
}

/**
 * `tail`: a count, or everything — dockerd 20.10 takes whatever strconv.Atoi
 * cannot parse ("all", "") and any negative count (testcontainers sends -1)
 * as every line; it never refuses the parameter.
 */
export function tailParam(v: string | null): number | undefined {
  if (v === null || !/^[-+]?\d+$/.test(v)) return undefined;
  const n = parseInt(v, 10);
  return n >= 0 ? n : undefined;
}

export function containerRoutes(r: Router, b: ContainersBackend): void {
  r.add('GET', '/containers/json', async ({ res, query }) => {
    sendJson(res, 200, await b.list({ all: boolParam(query, 'all'), limit: intParam(query, 'limit'), filters: query.get('filters') ?? undefined, size: boolParam(query, 'size') }));
  });

  r.add('POST', '/containers/create', async ({ req, res, query }) => {
    const body = objectBody(await readJson<unknown>(req, { type: CREATE_REQUEST }));
    sendJson(res, 201, await b.create(body, { name: query.get('name') || undefined, platform: query.get('platform') || undefined }));
  });

  r.add('GET', '/containers/{id}/json', ({ res, params }) => sendJson(res, 200, b.inspect(params.id)));

  r.add('POST', '/containers/{id}/start', async ({ res, params }) => { await b.start(params.id); sendEmpty(res, 204); });

  r.add('POST', '/containers/{id}/stop', async ({ res, params, query }) => {
    await b.stop(params.id, { timeoutSec: intParam(query, 't'), signal: query.get('signal') || undefined });
    sendEmpty(res, 204);
  });

  r.add('POST', '/containers/{id}/restart', async ({ res, params, query }) => {
    await b.restart(params.id, { timeoutSec: intParam(query, 't'), signal: query.get('signal') || undefined });
    sendEmpty(res, 204);
  });

  r.add('POST', '/containers/{id}/kill', async ({ res, params, query }) => {
    await b.kill(params.id, query.get('signal') || undefined);
    sendEmpty(res, 204);
  });

  r.add('DELETE', '/containers/{id}', async ({ res, params, query }) => {
    // ?link=1 removes a legacy link: its name is /<parent>/<alias>, a container's own name is not one
    if (boolParam(query, 'link')) throw invalidArgument('Conflict, cannot remove the default link name of the container');
    await b.remove(params.id, { force: boolParam(query, 'force'), removeVolumes: boolParam(query, 'v') });
    sendEmpty(res, 204);
  });

  // DELETE /containers/<parent>/<alias>?link=1 (docker rm --link): dockerd's name route takes the slash
  r.add('DELETE', '/containers/{parent}/{alias}', async ({ res, params, query }) => {
    const name = `${params.parent}/${params.alias}`;
    if (boolParam(query, 'link')) await b.removeLink(name);
    else await b.remove(name, { force: boolParam(query, 'force'), removeVolumes: boolParam(query, 'v') });
    sendEmpty(res, 204);
  });

  r.add('POST', '/containers/{id}/rename', async ({ res, params, query }) => {
    await b.rename(params.id, query.get('name') ?? '');
    sendEmpty(res, 204);
  });

  r.add('POST', '/containers/{id}/resize', async ({ res, params, query }) => {
    await b.resize(params.id, intParam(query, 'h') ?? 0, intParam(query, 'w') ?? 0);
    sendEmpty(res, 200);
  });

  r.add('POST', '/containers/{id}/wait', async ({ res, params, query, signal }) => {
    const cond = (query.get('condition') || 'not-running') as 'not-running' | 'next-exit' | 'removed';
    if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw invalidArgument(`invalid condition: "${cond}"`);
    b.resolve(params.id);
    // Docker sends the headers at once and the body when the condition is met.
    const pending = b.wait(params.id, cond, signal);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    try {
      // Error is omitted when there is none (omitempty since dockerd 23; 20.10 sent "Error": null)
      const r = await pending;
      res.end(JSON.stringify(r.Error ? r : { StatusCode: r.StatusCode }));
    } catch (err) {
      res.end(JSON.stringify({ StatusCode: -1, Error: { Message: messageOf(err) } }));
    }
  });

  r.add('GET', '/containers/{id}/logs', async (ctx) => {
    const { res, params, query, signal } = ctx;
    const stdout = boolParam(query, 'stdout');
    const stderr = boolParam(query, 'stderr');
    if (!stdout && !stderr) throw invalidArgument('Bad parameters: you must choose at least one stream');
    const tty = b.isTty(params.id);
    const timestamps = boolParam(query, 'timestamps');
    const it = b.logs(params.id, {
      stdout, stderr, follow: boolParam(query, 'follow'), tail: tailParam(query.get('tail')),
      sinceMs: parseTimeParam(query.get('since')), untilMs: parseTimeParam(query.get('until')), signal,
    })[Symbol.asyncIterator]();
    // Errors (404, a driver that cannot be read) surface before the headers; with nothing
    // to send yet (following a quiet container) the headers go out at once, as dockerd's
    // do — clients wait for them before they look for output (Testcontainers' log wait).
    const firstP = it.next();
    const ready = await Promise.race([firstP.then(() => true), new Promise<false>((r) => setImmediate(() => r(false)))]);
    const first = ready ? await firstP : undefined;
    res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
    res.flushHeaders();
    const out = new WireWriter(res, signal);
    try {
      for (let cur = first ?? await firstP; !cur.done; cur = await it.next()) if (!(await out.write(wireChunk(cur.value, { tty, timestamps })))) break;
    } finally {
      await it.return?.(undefined);
      out.end();
    }
  });

  r.add('POST', '/containers/{id}/attach', async (ctx) => attach(ctx, b));
}

/** Attach: hijack the connection (101 UPGRADED) or answer 200, then stream output (and take stdin) until the container stops or the client detaches. */
async function attach(ctx: RequestContext, b: ContainersBackend): Promise<void> {
  const { query, params, signal } = ctx;
  const id = b.resolve(params.id);
  const tty = b.isTty(id);
  const stream = boolParam(query, 'stream');
  const logs = boolParam(query, 'logs');
  const stdin = boolParam(query, 'stdin');
  const stdout = boolParam(query, 'stdout');
  const stderr = boolParam(query, 'stderr');
  const keys = parseDetachKeys(query.get('detachKeys'));
  const contentType = tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  const ac = new AbortController();
  const abort = () => ac.abort();
  signal.addEventListener('abort', abort);
  let session: HijackedSession | undefined;
  let out: WireWriter;
  let input: Promise<void> | undefined;
  if (ctx.upgrade) {
    // dockerode sends its options as a JSON body: dockerd never reads it as stdin
    await readUpgradeBody(ctx.req.headers['content-length'], ctx.upgrade);
    session = hijack(ctx.upgrade, contentType, { signal: ac.signal });
    out = session.out;
    if (stdin) {
      // Docker applies detach keys to TTY sessions only: non-TTY stdin is passed on verbatim.
      // The client half-closing its side is EOF for the process (StdinOnce).
      const source = session.input({ detachKeys: tty ? keys : [], onDetach: abort });
      input = b.attachStdin(id, source, ac.signal).catch(() => {});
    }
  } else {
    ctx.res.writeHead(200, { 'Content-Type': contentType });
    ctx.res.flushHeaders();
    out = new WireWriter(ctx.res, ac.signal);
  }
  try {
    if (logs && (stdout || stderr)) {
      for await (const l of b.logs(id, { stdout, stderr, signal: ac.signal })) if (!(await out.write(wireChunk(l, { tty, timestamps: false })))) break;
    }
    if (stream && (stdout || stderr) && !out.gone) {
      for await (const l of coalesce(b.attachOutput(id, { stdout, stderr, signal: ac.signal }))) if (!(await out.write(wireChunk(l, { tty, timestamps: false })))) break;
    } else if (stream && input) {
      await Promise.race([input, new Promise((r) => ac.signal.addEventListener('abort', r))]);
    }
  } finally {
    signal.removeEventListener('abort', abort);
    ac.abort();
    if (session) session.finish(); else out.end();
  }
}
