/**
 * server/routes/exec-routes — exec sessions: POST /containers/{id}/exec,
 * POST /exec/{id}/start (detached, or hijacked with the multiplexed / raw
 * TTY stream and stdin), POST /exec/{id}/resize, GET /exec/{id}/json.
 */
import type { Duplex } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { invalidArgument } from '../../errdefs/errors.js';
import { DetachScanner, parseDetachKeys } from '../detach-keys.js';
import type { Router } from '../router.js';
import { intParam, readJson, readUpgradeBody, sendEmpty, sendJson } from '../router.js';
import type { ExecBackend } from '../backend.js';
import { wireChunk } from './container-routes.js';
import { messageOf } from '../http-errors.js';
import { encodeFrame } from '../../api/stdcopy.js';

export function execRoutes(r: Router, b: ExecBackend): void {
  r.add('POST', '/containers/{id}/exec', async ({ req, res, params }) => {
    const body = await readJson<Record<string, unknown>>(req);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('invalid JSON: expected an object', 'INVALID_JSON');
    sendJson(res, 201, { Id: await b.create(params.id, body) });
  });

  r.add('GET', '/exec/{id}/json', ({ res, params }) => sendJson(res, 200, b.inspect(params.id)));

  r.add('POST', '/exec/{id}/resize', async ({ res, params, query }) => {
    await b.resize(params.id, intParam(query, 'h') ?? 0, intParam(query, 'w') ?? 0);
    sendEmpty(res, 200);
  });

  r.add('POST', '/exec/{id}/start', async (ctx) => {
    const { req, res, params, signal } = ctx;
    const body = ctx.upgrade ? parseBody(await readUpgradeBody(req.headers['content-length'], ctx.upgrade)) : (await readJson<{ Detach?: boolean; Tty?: boolean }>(req, { allowEmpty: true })) ?? {};
    const info = b.inspect(params.id) as { ProcessConfig: { tty: boolean }; OpenStdin: boolean; OpenStdout: boolean; OpenStderr: boolean; DetachKeys: string };
    const keys = parseDetachKeys(info.DetachKeys);
    if (body.Detach) { await b.start(params.id); sendEmpty(res, 200); return; }
    const tty = info.ProcessConfig.tty;
    const contentType = tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
    // Docker hijacks first, then starts: a failed start is reported in the stream (and by ExitCode).
    // The 101 must go out before the process can print: docker-py reads the
    // response head through a buffered reader and then reads the raw socket,
    // so output arriving in the same read as the head was lost (a fast
    // `exec_run` returned b'' now and then).
    if (ctx.upgrade) {
      const sock = ctx.upgrade.socket;
      sock.on('error', () => {});
      sock.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
      try { await b.start(params.id); } catch (err) {
        const msg = `OCI runtime exec failed: ${messageOf(err).replace(/^failed to create task for container: /, '')}\r\n`;
        sock.end(tty ? msg : encodeFrame(1, msg));
        return;
      }
    } else {
      await b.start(params.id);
    }
    const ac = new AbortController();
    signal.addEventListener('abort', () => ac.abort());
    let out: Duplex | ServerResponse;
    if (ctx.upgrade) {
      const sock = ctx.upgrade.socket;
      out = sock;
      if (info.OpenStdin) {
        const scanner = new DetachScanner(keys);
        scanner.on('detach', () => ac.abort());
        if (ctx.upgrade.head.length) scanner.write(ctx.upgrade.head);
        sock.pipe(scanner);
        void b.attachStdin(params.id, scanner, ac.signal).catch(() => {});
      }
    } else {
      res.writeHead(200, { 'Content-Type': contentType });
      res.flushHeaders();
      out = res;
    }
    for await (const l of b.output(params.id, { stdout: info.OpenStdout, stderr: info.OpenStderr, signal: ac.signal })) out.write(wireChunk(l, { tty, timestamps: false }));
    ac.abort();
    out.end();
  });
}

function parseBody(b: Buffer): { Detach?: boolean; Tty?: boolean } {
  if (!b.length) return {};
  try { return JSON.parse(b.toString('utf8')) as { Detach?: boolean; Tty?: boolean }; } catch (err) {
    throw invalidArgument(`invalid JSON: ${(err as Error).message}`, 'INVALID_JSON');
  }
}
