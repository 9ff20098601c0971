/**
 * distribution/registry-client — talks the OCI distribution / Docker
 * Registry HTTP API v2 to ONE repository on ONE endpoint: `/v2/` probe,
 * anonymous and Bearer token auth (from the `WWW-Authenticate` challenge),
 * Basic auth, manifests (GET/HEAD/PUT), blobs (streamed download into the
 * content store with Range resume and retries; HEAD; cross-repository mount;
 * monolithic and chunked uploads).
 *
 * Vocabulary: `repository` is the path inside the registry
 * (`library/busybox`); `reference` is a tag or a digest.
 * May import: content, oci, errdefs, lib.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { BerthError, invalidArgument, findBerthError } from '../errdefs/errors.js';
import type { ContentStore, BlobInfo } from '../content/content-store.js';
import { MEDIA_TYPES, type Descriptor } from '../oci/image.js';
import { parseChallenges, tokenUrl, repositoryScope, type Challenge } from './auth-challenge.js';
import type { RegistryEndpoint } from './registry-hosts.js';
import { send, readAll, TransportError } from './transport.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** A refresh token from a previous login (OAuth2, `identitytoken`). */
  identityToken?: string;
  /** A bearer token to use as is (`registrytoken`). */
  registryToken?: string;
}

export interface ManifestBytes {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest,
].join(', ');

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A registry's error body (`{"errors":[{"code","message"}]}`) as one line. */
function describeErrors(body: Buffer): string | undefined {
  try {
    const j = JSON.parse(body.toString()) as { errors?: { code?: string; message?: string; detail?: unknown }[]; details?: string };
    if (j.errors?.length) return j.errors.map((e) => `${(e.code ?? 'error').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`).join(', ');
    if (j.details) return j.details;
  } catch { /* not JSON */ }
  return undefined;
}

function retryable(err: unknown): boolean {
  if (findBerthError(err)) return false;
  return err instanceof TransportError || (err as NodeJS.ErrnoException)?.code === 'ECONNRESET' || (err as NodeJS.ErrnoException)?.code === 'ECONNREFUSED' || (err as Error)?.message === 'aborted';
}

function statusError(res: IncomingMessage, body: Buffer, what: string): BerthError {
  const status = res.statusCode ?? 0;
  const detail = describeErrors(body) ?? `${status} ${res.statusMessage ?? ''}`.trim();
  return new BerthError('REGISTRY_ERROR', `${what}: received unexpected HTTP status: ${detail}`);
}

export class RegistryClient {
  private authorization?: string;
  private challenge?: Challenge;
  private readonly retry: RetryPolicy;

  constructor(private readonly o: {
    endpoint: RegistryEndpoint;
    repository: string;
    /** The repository as Docker names it in messages (`busybox`, `127.0.0.1:5000/tools/x`); default `repository`. */
    displayName?: string;
    /** Actions the token must grant: ['pull'] or ['pull','push']. */
    actions: string[];
    credentials?: Credentials;
    /** Extra repositories to read from (cross-repository mount sources). */
    extraScopes?: string[];
    timeoutMs?: number;
    retry?: Partial<RetryPolicy>;
    signal?: AbortSignal;
  }) {
    this.retry = { attempts: o.retry?.attempts ?? 5, baseDelayMs: o.retry?.baseDelayMs ?? 250 };
  }

  get endpoint(): RegistryEndpoint { return this.o.endpoint; }
  get repository(): string { return this.o.repository; }

  private url(path: string): URL {
    const base = this.o.endpoint.url;
    return new URL(base.pathname.replace(/\/$/, '') + path, base);
  }

  private sendRaw(url: URL, method: string, headers: OutgoingHttpHeaders, body?: Buffer | Readable): Promise<IncomingMessage> {
    return send(url, { method, headers: { ...(this.authorization ? { authorization: this.authorization } : {}), ...headers }, body, insecureTls: this.o.endpoint.insecureTls, timeoutMs: this.o.timeoutMs, signal: this.o.signal });
  }

  /**
   * Probe `/v2/` and authenticate for this repository. Must be called first;
   * throws a transport error when nothing answers (the caller then tries the
   * next endpoint), unauthorized when credentials are refused.
   */
  async connect(): Promise<void> {
    const res = await this.sendRaw(this.url('/v2/'), 'GET', {});
    const body = await readAll(res);
    if (res.statusCode === 200) return;
    if (res.statusCode !== 401) throw statusError(res, body, `probing ${this.o.endpoint.url.host}`);
    await this.authenticate(res);
  }

  /**
   * Verify credentials (login): probe, authenticate, then prove the result on
   * `/v2/` (basic auth) — a refused token or 401 is unauthorized.
   */
  async checkLogin(): Promise<void> {
    const res = await this.sendRaw(this.url('/v2/'), 'GET', {});
    await readAll(res);
    if (res.statusCode === 200) return;
    if (res.statusCode !== 401) throw statusError(res, Buffer.alloc(0), `probing ${this.o.endpoint.url.host}`);
    if (!this.o.credentials) throw new BerthError('UNAUTHORIZED', 'unauthorized: authentication required');
    await this.authenticate(res);
    const again = await this.sendRaw(this.url('/v2/'), 'GET', {});
    const body = await readAll(again);
    if (again.statusCode === 401 || again.statusCode === 403) throw new BerthError('UNAUTHORIZED', `unauthorized: ${describeErrors(body) ?? 'incorrect username or password'}`);
  }

  private async authenticate(res: IncomingMessage): Promise<void> {
    const challenges = parseChallenges(res.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = this.o.credentials;
    if (bearer) {
      this.challenge = bearer;
      if (creds?.registryToken) { this.authorization = `Bearer ${creds.registryToken}`; return; }
      this.authorization = `Bearer ${await this.fetchToken(bearer)}`;
      return;
    }
    if (basic) {
      if (!creds?.username) throw new BerthError('UNAUTHORIZED', `${this.o.endpoint.url.host}: authentication required (no basic auth credentials)`);
      this.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
      return;
    }
    throw new BerthError('UNAUTHORIZED', `${this.o.endpoint.url.host}: unauthorized and no supported authentication challenge`);
  }

  private async fetchToken(ch: Challenge): Promise<string> {
    const scopes = [...(this.o.repository ? [repositoryScope(this.o.repository, this.o.actions)] : []), ...(this.o.extraScopes ?? [])];
    const url = tokenUrl(ch, scopes);
    const creds = this.o.credentials;
    let res: IncomingMessage;
    if (creds?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, service: ch.params.service ?? '', client_id: 'berth', scope: scopes.join(' ') });
      res = await send(new URL(url.origin + url.pathname), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), insecureTls: this.o.endpoint.insecureTls, signal: this.o.signal });
    } else {
      const headers: OutgoingHttpHeaders = {};
      if (creds?.username) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
      res = await send(url, { headers, insecureTls: this.o.endpoint.insecureTls, signal: this.o.signal });
    }
    const body = await readAll(res);
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new BerthError('UNAUTHORIZED', `unauthorized: ${describeErrors(body) ?? 'incorrect username or password'}`);
    }
    if (res.statusCode !== 200) throw statusError(res, body, 'fetching an auth token');
    let j: { token?: string; access_token?: string };
    try { j = JSON.parse(body.toString()) as typeof j; } catch (e) { throw new BerthError('REGISTRY_ERROR', 'token server answered with invalid JSON', { cause: e }); }
    const token = j.token ?? j.access_token;
    if (!token) throw new BerthError('REGISTRY_ERROR', 'token server answered without a token');
    return token;
  }

  /**
   * One request with auth refresh on 401 (when the body can be replayed) and
   * retries on network errors and 5xx for idempotent requests.
   */
  private async request(method: string, path: string | URL, headers: OutgoingHttpHeaders = {}, body?: Buffer | (() => Readable), opts: { idempotent?: boolean } = {}): Promise<IncomingMessage> {
    const url = typeof path === 'string' ? this.url(path) : path;
    const idempotent = opts.idempotent ?? (method === 'GET' || method === 'HEAD' || Buffer.isBuffer(body));
    let reauthed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.sendRaw(url, method, headers, typeof body === 'function' ? body() : body);
        if (res.statusCode === 401 && !reauthed && (Buffer.isBuffer(body) || body === undefined)) {
          reauthed = true;
          res.resume();
          await this.authenticate(res);
          attempt--;
          continue;
        }
        if (idempotent && ((res.statusCode ?? 0) >= 500 || res.statusCode === 429) && attempt < this.retry.attempts) {
          res.resume();
          await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1));
          continue;
        }
        return res;
      } catch (err) {
        if (this.o.signal?.aborted) throw err;
        if (!idempotent || !retryable(err) || attempt >= this.retry.attempts) throw err;
        await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  private deniedOrUnknown(res: IncomingMessage, body: Buffer, what: string): BerthError {
    const detail = describeErrors(body);
    if (res.statusCode === 401 || res.statusCode === 403) {
      return new BerthError('UNAUTHORIZED', `${what}: ${detail ?? 'denied: requested access to the resource is denied'}`);
    }
    return statusError(res, body, what);
  }

  /**
   * GET a manifest or index by tag or digest; verifies a digest reference.
   * `registryWords`: errors say what the registry said, as dockerd's
   * distribution inspect does ("manifest unknown: manifest unknown",
   * "unauthorized: authentication required") instead of a pull's wording.
   */
  async getManifest(reference: string, o: { registryWords?: boolean } = {}): Promise<ManifestBytes> {
    const res = await this.request('GET', `/v2/${this.o.repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT });
    const body = await readAll(res, 8 * 1024 * 1024);
    if (o.registryWords && res.statusCode === 404) throw new BerthError('MANIFEST_UNKNOWN', describeErrors(body) ?? 'manifest unknown: manifest unknown');
    if (o.registryWords && (res.statusCode === 401 || res.statusCode === 403)) throw new BerthError('UNAUTHORIZED', describeErrors(body) ?? 'unauthorized: authentication required');
    if (res.statusCode === 404) {
      // moby's notFoundError: "manifest for <familiar reference> not found: <registry's error>"
      const name = this.o.displayName ?? this.o.repository;
      throw new BerthError('MANIFEST_UNKNOWN', `manifest for ${name}${reference.includes(':') ? '@' : ':'}${reference} not found: ${describeErrors(body) ?? 'manifest unknown'}`);
    }
    if (res.statusCode !== 200) throw this.deniedOrUnknown(res, body, `fetching manifest ${reference}`);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new BerthError('BLOB_DIGEST_MISMATCH', `manifest verification failed for digest ${reference} (got ${digest})`);
    }
    let mediaType = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    try {
      const j = JSON.parse(body.toString()) as { mediaType?: string; manifests?: unknown; config?: unknown; schemaVersion?: number };
      if (j.mediaType) mediaType = j.mediaType;
      else if (!mediaType || mediaType === 'application/json' || mediaType === 'application/octet-stream') mediaType = j.manifests ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
      if (j.schemaVersion === 1) throw invalidArgument(`${this.o.repository}:${reference} uses the deprecated Docker image manifest schema 1, which berth does not support`);
    } catch (e) {
      if (findBerthError(e)) throw e;
      throw new BerthError('REGISTRY_ERROR', `manifest ${reference} is not valid JSON`, { cause: e });
    }
    return { bytes: body, mediaType, digest };
  }

  /** Every tag of the repository (`GET /v2/<name>/tags/list`, following `Link: <…>; rel="next"` pages). */
  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let next: URL | undefined = this.url(`/v2/${this.o.repository}/tags/list`);
    for (let page = 0; next && page < 1000; page++) {
      const res = await this.request('GET', next, { accept: 'application/json' });
      const body = await readAll(res, 16 * 1024 * 1024);
      if (res.statusCode === 404) throw new BerthError('MANIFEST_UNKNOWN', `repository ${this.o.displayName ?? this.o.repository} not found: ${describeErrors(body) ?? 'name unknown'}`);
      if (res.statusCode !== 200) throw this.deniedOrUnknown(res, body, 'listing tags');
      let j: { tags?: unknown };
      try { j = JSON.parse(body.toString()) as { tags?: unknown }; } catch (e) { throw new BerthError('REGISTRY_ERROR', 'the tag list is not valid JSON', { cause: e }); }
      if (Array.isArray(j.tags)) for (const t of j.tags) if (typeof t === 'string') tags.push(t);
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
      next = link ? new URL(link[1], next) : undefined;
    }
    return tags;
  }

  /** HEAD a manifest: its digest, or undefined when unknown. */
  async headManifest(reference: string): Promise<{ digest?: string; mediaType?: string; size?: number } | undefined> {
    const res = await this.request('HEAD', `/v2/${this.o.repository}/manifests/${reference}`, { accept: MANIFEST_ACCEPT });
    res.resume();
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw this.deniedOrUnknown(res, Buffer.alloc(0), `checking manifest ${reference}`);
    return { digest: res.headers['docker-content-digest'] as string | undefined, mediaType: res.headers['content-type'], size: Number(res.headers['content-length'] ?? 0) };
  }

  /**
   * Download a blob into the content store, verifying digest and size before
   * commit. A dropped connection resumes with `Range` when the registry
   * supports it (else restarts); `onProgress(bytes)` reports bytes received.
   */
  async fetchBlob(desc: Descriptor, content: ContentStore, onProgress?: (current: number) => void): Promise<BlobInfo> {
    for (let whole = 1; ; whole++) {
      let restart = false;
      const chunks = this.blobChunks(desc, onProgress, () => { restart = true; });
      try {
        return await content.ingest(Readable.from(chunks), { digest: desc.digest, size: desc.size });
      } catch (err) {
        if (restart && whole < 3) continue;
        const be = findBerthError(err);
        if (be?.code === 'INVALID_PARAMETER') {
          throw new BerthError('BLOB_DIGEST_MISMATCH', `filesystem layer verification failed for digest ${desc.digest}: ${be.message}`, { cause: err });
        }
        throw err;
      }
    }
  }

  private async *blobChunks(desc: Descriptor, onProgress: ((n: number) => void) | undefined, needRestart: () => void): AsyncGenerator<Buffer> {
    let received = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const headers: OutgoingHttpHeaders = received > 0 ? { range: `bytes=${received}-` } : {};
        const res = await this.request('GET', `/v2/${this.o.repository}/blobs/${desc.digest}`, headers);
        if (res.statusCode === 404) {
          const body = await readAll(res);
          throw new BerthError('NOT_FOUND', `blob ${desc.digest} not found in ${this.o.repository}: ${describeErrors(body) ?? 'blob unknown'}`);
        }
        if (received > 0 && res.statusCode !== 206) {
          res.resume();
          // no range support: start the whole blob again
          needRestart();
          throw new BerthError('REGISTRY_ERROR', `${this.o.endpoint.url.host} does not support resuming downloads`);
        }
        if (res.statusCode !== 200 && res.statusCode !== 206) throw this.deniedOrUnknown(res, await readAll(res), `fetching blob ${desc.digest}`);
        for await (const c of res) {
          const b = c as Buffer;
          received += b.length;
          if (received > desc.size) throw new BerthError('BLOB_DIGEST_MISMATCH', `blob ${desc.digest}: registry sent more than the ${desc.size} bytes declared`);
          onProgress?.(received);
          yield b;
        }
        if (received < desc.size) throw new TransportError(`blob ${desc.digest}: connection closed after ${received} of ${desc.size} bytes`);
        return;
      } catch (err) {
        if (this.o.signal?.aborted || !retryable(err) || attempt >= this.retry.attempts) throw err;
        await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  /** A small blob (an image config) read into memory, verified against its descriptor. */
  async readBlob(desc: Descriptor, maxBytes = 4 * 1024 * 1024): Promise<Buffer> {
    if (desc.size > maxBytes) throw new BerthError('REGISTRY_ERROR', `blob ${desc.digest} is larger than ${maxBytes} bytes`);
    const chunks: Buffer[] = [];
    for await (const c of this.blobChunks(desc, undefined, () => undefined)) chunks.push(c);
    const b = Buffer.concat(chunks);
    const digest = `sha256:${createHash('sha256').update(b).digest('hex')}`;
    if (digest !== desc.digest) throw new BerthError('BLOB_DIGEST_MISMATCH', `blob verification failed for digest ${desc.digest} (got ${digest})`);
    return b;
  }

  /** Does the registry have this blob in this repository? */
  async blobExists(digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${this.o.repository}/blobs/${digest}`);
    res.resume();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw this.deniedOrUnknown(res, Buffer.alloc(0), `checking blob ${digest}`);
  }

  /** Cross-repository mount; true when mounted, false when the registry started an upload instead. */
  async mountBlob(digest: string, from: string): Promise<boolean> {
    const res = await this.request('POST', `/v2/${this.o.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, { 'content-length': '0' }, Buffer.alloc(0));
    const body = await readAll(res);
    if (res.statusCode === 201) return true;
    if (res.statusCode === 202) {
      // an upload session was opened instead; cancel it
      const loc = res.headers.location;
      if (loc) { try { (await this.request('DELETE', new URL(loc, this.url('/')))).resume(); } catch { /* best effort */ } }
      return false;
    }
    throw this.deniedOrUnknown(res, body, `mounting blob ${digest}`);
  }

  private async startUpload(): Promise<URL> {
    const res = await this.request('POST', `/v2/${this.o.repository}/blobs/uploads/`, { 'content-length': '0' }, Buffer.alloc(0));
    const body = await readAll(res);
    if (res.statusCode !== 202 || !res.headers.location) throw this.deniedOrUnknown(res, body, 'starting a blob upload');
    return new URL(res.headers.location, this.url('/'));
  }

  /**
   * Upload a blob: monolithic (one PUT) when `chunkSize` is undefined, else
   * PATCH chunks with Content-Range then a closing PUT. `open()` gives a fresh
   * stream of the blob (so a failed upload can start over).
   */
  async uploadBlob(desc: { digest: string; size: number }, open: (start?: number) => Readable, opts: { chunkSize?: number; onProgress?: (n: number) => void } = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        let loc = await this.startUpload();
        if (opts.chunkSize && desc.size > opts.chunkSize) {
          let offset = 0;
          while (offset < desc.size) {
            const end = Math.min(desc.size, offset + opts.chunkSize);
            const chunk = await readAll(sliceStream(open(offset), end - offset), opts.chunkSize + 1);
            const res = await this.sendRaw(loc, 'PATCH', { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}`, 'content-length': String(chunk.length) }, chunk);
            const body = await readAll(res);
            if (res.statusCode !== 202) throw this.deniedOrUnknown(res, body, `uploading blob ${desc.digest}`);
            if (res.headers.location) loc = new URL(res.headers.location, loc);
            offset = end;
            opts.onProgress?.(offset);
          }
          loc.searchParams.set('digest', desc.digest);
          const res = await this.sendRaw(loc, 'PUT', { 'content-length': '0' }, Buffer.alloc(0));
          const body = await readAll(res);
          if (res.statusCode !== 201) throw this.deniedOrUnknown(res, body, `committing blob ${desc.digest}`);
          return;
        }
        loc.searchParams.set('digest', desc.digest);
        let sent = 0;
        const src = open();
        src.on('data', (c: Buffer) => { sent += c.length; opts.onProgress?.(sent); });
        const res = await this.sendRaw(loc, 'PUT', { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) }, src);
        const body = await readAll(res);
        if (res.statusCode !== 201) throw this.deniedOrUnknown(res, body, `uploading blob ${desc.digest}`);
        return;
      } catch (err) {
        if (this.o.signal?.aborted || !retryable(err) || attempt >= 3) throw err;
        await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  /** PUT a manifest under a tag or digest; returns the digest the registry reports. */
  async putManifest(reference: string, m: { bytes: Buffer; mediaType: string }): Promise<string> {
    const res = await this.request('PUT', `/v2/${this.o.repository}/manifests/${reference}`, { 'content-type': m.mediaType, 'content-length': String(m.bytes.length) }, m.bytes);
    const body = await readAll(res);
    if (res.statusCode !== 201) throw this.deniedOrUnknown(res, body, `pushing manifest ${reference}`);
    return (res.headers['docker-content-digest'] as string | undefined) ?? `sha256:${createHash('sha256').update(m.bytes).digest('hex')}`;
  }
}

/** The first `n` bytes of a stream (closing it after). */
async function* takeBytes(src: Readable, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const c of src) {
    const b = c as Buffer;
    if (b.length >= left) { yield b.subarray(0, left); left = 0; break; }
    left -= b.length;
    yield b;
  }
  src.destroy();
}

function sliceStream(src: Readable, n: number): Readable {
  return Readable.from(takeBytes(src, n));
}
