/**
 * server/routes/exec-routes — exec sessions: POST /containers/{id}/exec,
 * POST /exec/{id}/start (detached, or hijacked with the multiplexed / raw
 * TTY stream and stdin), POST /exec/{id}/resize, GET /exec/{id}/json.
 */
import { parseDetachKeys } from '../detach-keys.js';
import { hijack, type HijackedSession } from '../hijack.js';
import { WireWriter } from '../wire-writer.js';
import type { Router } from '../router.js';
import { intParam, objectBody, parseJsonBody, readBody, readJson, readUpgradeBody, sendEmpty, sendJson } from '../router.js';
import { EXEC_CONFIG, EXEC_START } from '../wire-schemas.js';
import type { ExecBackend } from '../backend.js';
import { wireChunk, coalesce } from '../output-lines.js';
import { messageOf } from '../http-errors.js';
import { encodeFrame } from '../../api/stdcopy.js';

export function execRoutes(r: Router, b: ExecBackend): void {
  r.add('POST', '/containers/{id}/exec', async ({ req, res, params }) => {
    const body = objectBody<Record<string, unknown>>(await readJson(req, { type: EXEC_CONFIG }));
    sendJson(res, 201, { Id: await b.create(params.id, body) });
  });

  r.add('GET', '/exec/{id}/json', ({ res, params }) => sendJson(res, 200, b.inspect(params.id)));

  r.add('POST', '/exec/{id}/resize', async ({ res, params, query }) => {
    await b.resize(params.id, intParam(query, 'h') ?? 0, intParam(query, 'w') ?? 0);
    sendEmpty(res, 200);
  });

  r.add('POST', '/exec/{id}/start', async (ctx) => {
    const { req, res, params, signal } = ctx;
    const raw = ctx.upgrade ? await readUpgradeBody(req.headers['content-length'], ctx.upgrade) : await readBody(req);
    const body = raw.length ? objectBody<{ Detach?: boolean | null; Tty?: boolean | null }>(parseJsonBody(raw, EXEC_START)) : {};
    const info = b.inspect(params.id) as { ProcessConfig: { tty: boolean }; OpenStdin: boolean; OpenStdout: boolean; OpenStderr: boolean; DetachKeys: string };
    const keys = parseDetachKeys(info.DetachKeys);
    if (body.Detach) { await b.start(params.id); sendEmpty(res, 200); return; }
    const tty = info.ProcessConfig.tty;
    // the start request's Tty decides the framing, as in dockerd: docker-py starts a TTY exec without
    // it and reads stdcopy frames; the docker CLI sends Tty with -t and reads raw bytes
    const rawStream = !!body.Tty;
    const contentType = rawStream ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
    const ac = new AbortController();
    const abort = () => ac.abort();
    signal.addEventListener('abort', abort);
    let session: HijackedSession | undefined;
    let out: WireWriter | undefined;
    try {
      // Docker hijacks (or writes its 200) first, then starts: a failed start is reported in the
      // stream (dockerd 20.10: the error text and \r\n, in a stdout frame without a TTY, then the
      // end; exec inspect says ExitCode 126) — testcontainers' port check execs /bin/bash this way,
      // without an upgrade, and reads the exit code.
      // The 101 must go out before the process can print: docker-py reads the
      // response head through a buffered reader and then reads the raw socket,
      // so output arriving in the same read as the head was lost (a fast
      // `exec_run` returned b'' now and then).
      if (ctx.upgrade) {
        session = hijack(ctx.upgrade, contentType, { signal: ac.signal });
        out = session.out;
      } else {
        res.writeHead(200, { 'Content-Type': contentType });
        res.flushHeaders();
        out = new WireWriter(res, ac.signal);
      }
      try { await b.start(params.id); } catch (err) {
        const msg = `${messageOf(err)}\r\n`;
        await out.write(rawStream ? msg : encodeFrame(1, msg));
        return;
      }
      if (session && info.OpenStdin) {
        // detach keys apply to TTY sessions only, as in Docker
        const source = session.input({ detachKeys: tty ? keys : [], onDetach: abort });
        void b.attachStdin(params.id, source, ac.signal).catch(() => {});
      }
      for await (const l of coalesce(b.output(params.id, { stdout: info.OpenStdout, stderr: info.OpenStderr, signal: ac.signal }))) if (!(await out!.write(wireChunk(l, { tty: rawStream, timestamps: false })))) break;
    } finally {
      signal.removeEventListener('abort', abort);
      ac.abort();
      if (session) session.finish(); else out?.end();
    }
  });
}
