/**
 * server/api-server — the Docker Engine API over HTTP/1.1: builds the route
 * table, dispatches requests (and `Upgrade: tcp` hijacks for attach),
 * turns thrown errors into Docker's {"message"} bodies via http-errors, and
 * listens on Unix sockets (mode 0660) and TCP, optionally with TLS
 * (`verify`: clients must present a certificate signed by `ca`, dockerd's
 * --tlsverify).
 */
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { chmod, rm, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { notFound, BerthError } from '../errdefs/errors.js';
import { guard, isConnectionError } from '../lib/stream-guard.js';
import { MIN_API_VERSION, MAX_API_VERSION } from '../api/version.js';
import type { Logger } from '../lib/log.js';
import { Router, splitTarget, splitVersion, type RequestContext } from './router.js';
import { statusOf, messageOf } from './http-errors.js';
import type { Backend } from './backend.js';
import { systemRoutes } from './routes/system-routes.js';
import { containerRoutes } from './routes/container-routes.js';
import { networkRoutes } from './routes/network-routes.js';
import { imageRoutes } from './routes/image-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { volumeRoutes } from './routes/volume-routes.js';
import { archiveRoutes } from './routes/archive-routes.js';
import { buildRoutes } from './routes/build-routes.js';
import { sessionRoutes, BuildSessions } from './routes/session-routes.js';
import { usageRoutes } from './routes/usage-routes.js';
import { commitRoutes } from './routes/commit-routes.js';
import { execRoutes } from './routes/exec-routes.js';
import { containerOpsRoutes } from './routes/container-ops-routes.js';

import { authRoutes } from './routes/auth-routes.js';
import { absentFeatureRoutes } from './routes/absent-feature-routes.js';

/** The most header bytes a request may have: dockerd's (Go's http.DefaultMaxHeaderBytes, 1 MiB, plus its 4 KiB slack). */
export const MAX_HEADER_BYTES = (1 << 20) + 4096;

/** dockerd's --tlscert/--tlskey/--tlscacert and --tlsverify, as file paths. */
export interface TlsFiles { cert: string; key: string; ca?: string; verify: boolean }

export interface ApiServerOptions {
  backend: Backend;
  log: Logger;
  version: string;
}

export function buildRouter(b: Backend): Router {
  const r = new Router();
  systemRoutes(r, b.system);
  containerRoutes(r, b.containers);
  imageRoutes(r, b.images);
  eventRoutes(r, b.events);
  volumeRoutes(r, b.volumes);
  if (b.networks) networkRoutes(r, b.networks);
  authRoutes(r, b.auth);
  archiveRoutes(r, b.archive);
  // BuildKit sessions: opened by POST /session, named by POST /build?version=2&session=…
  const sessions = new BuildSessions();
  sessionRoutes(r, sessions);
  buildRoutes(r, b.builds, sessions);
  if (b.usage) usageRoutes(r, b.usage);
  commitRoutes(r, b.commits);
  execRoutes(r, b.exec);
  containerOpsRoutes(r, b.containerOps);
  absentFeatureRoutes(r);
  return r;
}

export class ApiServer {
  private readonly servers: Server[] = [];
  private readonly router: Router;
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly o: ApiServerOptions) {
    this.router = buildRouter(o.backend);
  }

  /** One node:http server per listen address, all sharing the router. */
  private newServer(tls?: { cert: Buffer; key: Buffer; ca?: Buffer; verify: boolean }): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      // a client going away mid-request or mid-response ends its own request, nothing else
      guard(req, (err) => this.connectionError('request', err));
      guard(res, (err) => this.connectionError('response', err));
      void this.dispatch(req, res);
    };
    // Limits (the README's reliability section): headers within 60 s and up
    // to dockerd's 1 MiB (Go's DefaultMaxHeaderBytes: X-Registry-Auth and
    // X-Registry-Config can be large), at most 1000 of them; no limit on the
    // whole request (a `docker load` upload may take long), as dockerd.
    const limits = { keepAlive: true, headersTimeout: 60_000, requestTimeout: 0, maxHeaderSize: MAX_HEADER_BYTES };
    const srv: Server = tls
      ? createTlsServer({ ...limits, allowHalfOpen: true, cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.verify, rejectUnauthorized: tls.verify, minVersion: 'TLSv1.2' }, handler)
      : createServer(limits, handler);
    srv.maxHeadersCount = 1000;
    srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // node hands the socket over without its own error handling: ours, before anything else
      guard(socket, (err) => this.connectionError('hijacked connection', err));
      guard(req);
      const res = new ServerResponse(req);
      guard(res);
      res.assignSocket(socket as never);
      void this.dispatch(req, res, { socket, head });
    });
    srv.on('connection', (s: Duplex) => {
      guard(s, (err) => this.connectionError('connection', err));
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // Malformed requests (bad request line, headers too large or too many, timeouts): answer as node
    // would, in Docker's JSON, and close only that connection.
    srv.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
      this.connectionError('bad request', err);
      if (!socket.writable || (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) { socket.destroy(); return; }
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify({ message: status === 431 ? 'request header too large' : status === 408 ? 'request timeout' : `bad request: ${err.code ?? err.message}` });
      socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      setTimeout(() => socket.destroy(), 1000).unref();
    });
    guard(srv, (err) => this.o.log.error('API server error', { err: err.message }));
    this.servers.push(srv);
    return srv;
  }

  /** A connection-level failure: expected when a client goes away (debug), else worth a warning. */
  private connectionError(what: string, err: Error): void {
    if (isConnectionError(err)) this.o.log.debug(`${what} closed by the client`, { err: err.message });
    else this.o.log.warn(`${what} failed`, { err: err.message });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    const started = Date.now();
    const ac = new AbortController();
    const onClose = () => ac.abort();
    (upgrade?.socket ?? res).on('close', onClose);
    res.setHeader('Api-Version', MAX_API_VERSION);
    res.setHeader('Server', `Docker/${this.o.version} (linux) berth`);
    const url = (() => { const t = splitTarget(req.url ?? '/'); return { pathname: t.path, searchParams: t.query }; })();
    let ctx: RequestContext | undefined;
    try {
      const { version, path } = splitVersion(url.pathname, MIN_API_VERSION, MAX_API_VERSION);
      const m = this.router.match(req.method ?? 'GET', path);
      if (!m) throw notFound(`page not found`, 'NO_SUCH_ROUTE');
      if (m === 'method-not-allowed') throw new BerthError('NOT_FOUND', `page not found`);
      ctx = { req, res, params: m.params, query: url.searchParams, apiVersion: version ?? MAX_API_VERSION, upgrade, signal: ac.signal };
      await m.handler(ctx);
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500 && !(isConnectionError(err) && (res.destroyed || upgrade?.socket.destroyed))) this.o.log.error('handler failed', { method: req.method, path: url.pathname, err: messageOf(err) });
      if (upgrade && res.headersSent === false && !upgrade.socket.destroyed) {
        const body = JSON.stringify({ message: messageOf(err) });
        upgrade.socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nApi-Version: ${MAX_API_VERSION}\r\n\r\n${body}`);
      } else if (!res.headersSent) {
        if (status === 304) { res.writeHead(304); res.end(); }
        else {
          const body = JSON.stringify({ message: messageOf(err) });
          res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        }
      } else {
        this.o.log.warn('error after response started', { path: url.pathname, err: messageOf(err) });
        res.destroy();
        upgrade?.socket.destroy();
      }
      // drain an unread request body so keep-alive connections stay usable
      req.resume();
    } finally {
      (upgrade?.socket ?? res).off('close', onClose);
      this.o.log.debug('request', { method: req.method, path: url.pathname, ms: Date.now() - started, status: res.statusCode });
    }
  }

  /** Listen on `unix:///path` or `tcp://host:port` (several calls for several hosts); TCP with `tls` when given. */
  async listen(host: string, tls?: TlsFiles): Promise<void> {
    let material: { cert: Buffer; key: Buffer; ca?: Buffer; verify: boolean } | undefined;
    if (tls && !host.startsWith('unix://')) {
      const read = (what: string, p: string) => readFile(p).catch((err: Error) => { throw new Error(`could not load the TLS ${what} ${p}: ${err.message}`); });
      material = { cert: await read('certificate', tls.cert), key: await read('key', tls.key), ca: tls.ca ? await read('CA certificate', tls.ca) : undefined, verify: tls.verify };
    }
    const srv = this.newServer(material);
    if (host.startsWith('unix://')) {
      const path = host.slice('unix://'.length);
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { force: true });
      await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(path, () => { srv.off('error', reject); resolve(); }); });
      await chmod(path, 0o660);
      return;
    }
    const m = /^(?:tcp|http):\/\/([^:/]*|\[[^\]]+\]):(\d+)$/.exec(host);
    if (!m) throw new Error(`invalid listen address: ${host}`);
    const h = m[1].replace(/^\[|\]$/g, '') || '127.0.0.1';
    await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(Number(m[2]), h, () => { srv.off('error', reject); resolve(); }); });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }
}
