/**
 * server/router — a route table: method + path pattern → handler. Strips
 * the optional `/v1.NN` prefix (checking the version is one we serve) and
 * extracts path parameters. Image names may contain slashes, so `{name*}`
 * matches greedily.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { BerthError, invalidArgument } from '../errdefs/errors.js';
import { compareApiVersions } from '../api/version.js';
import { parseClientJson } from '../lib/client-json.js';
import { decodeWire, type WireType } from './wire-decode.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  apiVersion: string;
  /** Set when the client asked for a connection upgrade (attach/exec hijack). */
  upgrade?: { socket: Duplex; head: Buffer };
  signal: AbortSignal;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route { method: string; re: RegExp; keys: string[]; handler: Handler }

export class Router {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const keys: string[] = [];
    const re = new RegExp('^' + pattern.replace(/\{(\w+)(\*?)\}/g, (_m, k: string, star: string) => { keys.push(k); return star ? '(.+)' : '([^/]+)'; }) + '/?$');
    this.routes.push({ method, re, keys, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params: Record<string, string> = {};
      try {
        r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      } catch (err) {
        throw invalidArgument(`invalid escape in request path: ${JSON.stringify(m[0])}`, 'INVALID_PARAMETER', err);
      }
      return { handler: r.handler, params };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

/**
 * The request target's path (still percent-encoded) and query, as sent.
 * Not `new URL()`: it resolves dot segments, `%2e%2e` included, so
 * `DELETE /volumes/x/%2e%2e/other` would reach `DELETE /volumes/other`.
 * Taken raw, such a path matches no route (a parameter is one segment,
 * decoded only after matching) or names an object that cannot exist.
 */
export function splitTarget(raw: string): { path: string; query: URLSearchParams } {
  let t = raw;
  const origin = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t); // absolute-form
  if (origin) t = t.slice(origin[0].length);
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  return { path: (q >= 0 ? t.slice(0, q) : t) || '/', query: new URLSearchParams(q >= 0 ? t.slice(q + 1) : '') };
}

/** Split `/v1.47/containers/json` into version and path; validate the version range. */
export function splitVersion(path: string, min: string, max: string): { version?: string; path: string } {
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  if (!m) return { path };
  const v = m[1];
  if (compareApiVersions(v, max) > 0) throw invalidArgument(`client version ${v} is too new. Maximum supported API version is ${max}`);
  if (compareApiVersions(v, min) < 0) throw invalidArgument(`client version ${v} is too old. Minimum supported API version is ${min}, please upgrade your client to a newer version`);
  return { version: v, path: m[2] };
}

/** Docker's boolValue: "", "0", "no", "false", "none" are false. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidArgument(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return parseInt(v, 10);
}

/** Request bodies taken whole (JSON): Docker's are a few KiB; a larger one is refused, not buffered. */
export const MAX_JSON_BODY = 16 * 1024 * 1024;

function tooLarge(limit: number): BerthError {
  return invalidArgument(`request body too large: more than ${limit / (1024 * 1024)} MiB (${limit} bytes) is refused`, 'INVALID_JSON');
}

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  // a declared length over the limit is refused before reading (the server drains the rest)
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The body as JSON (lib/client-json: nesting capped, `invalid JSON: …`
 * errors). With `type`, checked against Docker's Go type at once
 * (server/wire-decode), so no handler or engine code sees a field of the
 * wrong JSON type.
 */
export async function readJson<T>(req: IncomingMessage, opts: { allowEmpty?: boolean; type?: WireType } = {}): Promise<T | undefined> {
  const body = await readBody(req);
  if (body.length === 0) {
    if (opts.allowEmpty) return undefined;
    throw invalidArgument('invalid JSON: request body is empty', 'INVALID_JSON');
  }
  return parseJsonBody<T>(body, opts.type);
}

/** Parse (and with `type`, check) a JSON body already read. */
export function parseJsonBody<T>(body: Buffer, type?: WireType): T {
  const v = parseClientJson(body.toString('utf8'));
  return type ? decodeWire<T>(v, type) : (v as T);
}

/** A JSON body that must be an object (after the type check, which reports a wrong top-level kind in Go's words). */
export function objectBody<T extends object>(v: unknown): T {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument('invalid JSON: expected an object', 'INVALID_JSON');
  return v as T;
}

/**
 * The body of a request that asked for an upgrade: node hands over the raw
 * socket without reading it, so take Content-Length bytes from `head` (and
 * the socket), leaving the rest (stdin) in `head`. Whoever hijacks must
 * call this, even to discard the body: clients such as dockerode send their
 * options as a JSON body on attach, which is not the container's stdin.
 */
export async function readUpgradeBody(lengthHeader: string | undefined, up: { socket: Duplex; head: Buffer }): Promise<Buffer> {
  const len = Number(lengthHeader ?? 0) || 0;
  if (len > 1024 * 1024) throw invalidArgument('request body too large');
  let buf = up.head;
  while (buf.length < len) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (c: Buffer) => { up.socket.pause(); cleanup(); resolve(c); };
      const onEnd = () => { cleanup(); resolve(null); };
      const cleanup = () => { up.socket.off('data', onData); up.socket.off('end', onEnd); up.socket.off('close', onEnd); };
      up.socket.on('data', onData);
      up.socket.once('end', onEnd);
      up.socket.once('close', onEnd);
      up.socket.resume();
    });
    if (!chunk) break;
    buf = Buffer.concat([buf, chunk]);
  }
  up.head = buf.subarray(len);
  return buf.subarray(0, len);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
