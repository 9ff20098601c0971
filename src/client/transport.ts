/**
 * client/transport — the one dispatcher every client call goes through:
 * node:http over a Unix socket (`socketPath`) or TCP, one connection per
 * request (a CLI process makes few calls; no idle pool keeps it alive).
 *
 * `request` resolves with the response once headers arrive and the status is
 * 2xx; otherwise it reads the body and rejects with a DaemonError. `hijack`
 * is for attach/exec: it asks for `Upgrade: tcp` and accepts either a 101
 * (a raw duplex socket) or a plain 200 whose body is the stream.
 *
 * Imports api (types), errdefs, client/host, client/response-errors.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync, existsSync } from 'node:fs';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { DaemonAddress, TlsSettings } from './host.js';
import { daemonErrorFromBody, dialError } from './response-errors.js';

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** Path with query string, already versioned (`/v1.50/containers/json?all=1`). */
  path: string;
  headers?: Record<string, string>;
  /** A JSON-able object (sent as application/json), raw bytes, or a stream (sent chunked). */
  body?: unknown;
  signal?: AbortSignal;
}

/** The result of a hijack: read `output`; `input` exists only on an upgraded connection. */
export interface HijackedStream {
  output: Readable;
  input?: Writable;
  /** True when the daemon answered 101 Switching Protocols. */
  upgraded: boolean;
  close(): void;
}

export interface Transport {
  readonly address: DaemonAddress;
  request(opts: RequestOptions): Promise<http.IncomingMessage>;
  hijack(opts: RequestOptions): Promise<HijackedStream>;
}

function isReadable(x: unknown): x is Readable {
  return !!x && typeof (x as Readable).pipe === 'function' && typeof (x as Readable).on === 'function';
}

/** Read a whole response body as text. */
export async function readBody(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The TLS part of request options: client certificate and CA when present, the daemon checked with `verify`. */
function tlsOptions(t: TlsSettings): https.RequestOptions {
  const file = (p: string | undefined) => (p && existsSync(p) ? readFileSync(p) : undefined);
  return { ca: file(t.ca), cert: file(t.cert), key: file(t.key), rejectUnauthorized: t.verify };
}

export function createHttpTransport(address: DaemonAddress, tls?: TlsSettings): Transport {
  const secure = address.kind === 'tcp' && tls !== undefined;
  const base: http.RequestOptions =
    address.kind === 'unix'
      ? { socketPath: address.socketPath, host: 'localhost' }
      : { host: address.hostname, port: address.port, ...(secure ? tlsOptions(tls!) : {}) };
  const send = secure ? https.request : http.request;

  /** Send a request; the promise settles on the first answer (response or upgrade) or a dial failure. */
  function start(
    opts: RequestOptions,
    extraHeaders: Record<string, string>,
  ): { req: http.ClientRequest; outcome: Promise<{ res: http.IncomingMessage; socket?: Duplex; head?: Buffer }> } {
    const headers: Record<string, string> = { 'User-Agent': 'berth-cli', ...extraHeaders, ...opts.headers };
    let payload: Buffer | string | Readable | undefined;
    if (opts.body === undefined) {
      payload = undefined;
    } else if (isReadable(opts.body)) {
      payload = opts.body;
      headers['Content-Type'] ??= 'application/x-tar';
    } else if (Buffer.isBuffer(opts.body) || typeof opts.body === 'string') {
      payload = opts.body;
    } else {
      payload = JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
    }
    if (payload !== undefined && !isReadable(payload)) headers['Content-Length'] = String(Buffer.byteLength(payload));

    const req = send({ ...base, agent: false, method: opts.method, path: opts.path, headers, signal: opts.signal });
    const outcome = new Promise<{ res: http.IncomingMessage; socket?: Duplex; head?: Buffer }>((resolve, reject) => {
      let answered = false;
      req.on('response', (res) => { answered = true; resolve({ res }); });
      req.on('upgrade', (res, socket, head) => { answered = true; resolve({ res, socket, head }); });
      req.on('error', (err) => {
        // After an answer, errors (e.g. EPIPE while still uploading a body the
        // daemon refused) surface through the response instead.
        if (answered) return;
        const errno = (err as NodeJS.ErrnoException).code;
        if (errno === 'ABORT_ERR') reject(err);
        else if (isDialFailure(err)) reject(dialError(address.url, err));
        else reject(err);
      });
    });
    if (isReadable(payload)) {
      payload.on('error', (err) => req.destroy(err));
      payload.pipe(req);
    } else {
      req.end(payload);
    }
    return { req, outcome };
  }

  async function failIfError(res: http.IncomingMessage): Promise<void> {
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    if (status === 101) return;
    throw daemonErrorFromBody(status, await readBody(res));
  }

  return {
    address,
    async request(opts) {
      const { outcome } = start(opts, {});
      const { res } = await outcome;
      await failIfError(res);
      return res;
    },
    async hijack(opts) {
      const { req, outcome } = start(opts, { Connection: 'Upgrade', Upgrade: 'tcp' });
      const { res, socket, head } = await outcome;
      if (socket) {
        if (head && head.length) socket.unshift(head);
        return { output: socket, input: socket, upgraded: true, close: () => socket.destroy() };
      }
      await failIfError(res);
      return { output: res, upgraded: false, close: () => { res.destroy(); req.destroy(); } };
    },
  };
}

function isDialFailure(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND'].includes(code);
}
