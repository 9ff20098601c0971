/**
 * distribution/transport — one HTTP(S) request to a registry over node:http
 * with keep-alive agents, an idle timeout, optional skipping of certificate
 * checks (insecure registries) and redirects followed for GET/HEAD (blob
 * downloads are often redirected to storage; credentials are dropped when the
 * origin changes).
 * May import: errdefs.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { unavailable } from '../errdefs/errors.js';

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
  httpsInsecure: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
};

export interface SendOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | Readable;
  insecureTls?: boolean;
  /** Idle socket timeout (no bytes either way). */
  timeoutMs?: number;
  signal?: AbortSignal;
  maxRedirects?: number;
}

/** Error raised for network-level failures: retryable. */
export class TransportError extends Error {
  constructor(message: string, options?: { cause?: unknown; url?: string }) { super(message, options); this.name = 'TransportError'; this.url = options?.url; }
  readonly url?: string;
}

export function send(url: URL, opts: SendOptions = {}): Promise<IncomingMessage> {
  const method = opts.method ?? 'GET';
  return new Promise<IncomingMessage>((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const mod = isHttps ? https : http;
    const agent = isHttps ? (opts.insecureTls ? agents.httpsInsecure : agents.https) : agents.http;
    const req = mod.request(url, { method, headers: { 'User-Agent': 'berth/0.1', ...opts.headers }, agent, signal: opts.signal }, (res) => {
      const status = res.statusCode ?? 0;
      if ((method === 'GET' || method === 'HEAD') && [301, 302, 303, 307, 308].includes(status) && res.headers.location && (opts.maxRedirects ?? 5) > 0) {
        res.resume();
        const next = new URL(res.headers.location, url);
        const headers = { ...opts.headers };
        if (next.origin !== url.origin) delete headers.authorization;
        send(next, { ...opts, headers, maxRedirects: (opts.maxRedirects ?? 5) - 1 }).then(resolve, reject);
        return;
      }
      res.setTimeout(opts.timeoutMs ?? 60000, () => res.destroy(new TransportError(`timeout reading from ${url.host}`)));
      resolve(res);
    });
    req.setTimeout(opts.timeoutMs ?? 60000, () => req.destroy(new TransportError(`timeout talking to ${url.host}`)));
    req.on('error', (e) => reject(opts.signal?.aborted ? e : new TransportError(`${method[0]}${method.slice(1).toLowerCase()} "${url.origin}${url.pathname}": ${(e as Error).message}`, { cause: e, url: `${url.origin}${url.pathname}` })));
    if (!opts.body) req.end();
    else if (Buffer.isBuffer(opts.body)) req.end(opts.body);
    else {
      opts.body.on('error', (e) => req.destroy(e));
      opts.body.pipe(req);
    }
  });
}

export async function readAll(res: Readable, limit = 32 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) { res.destroy(); throw unavailable(`registry response larger than ${limit} bytes`); }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
