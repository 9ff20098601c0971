/**
 * registry/registry-app — the OCI distribution spec v1.1 HTTP API over
 * RegistryStorage: `/v2/` probe, `_catalog`, tags list (`n`/`last` with a
 * `Link` header), manifests by tag or digest (GET/HEAD/PUT/DELETE, media
 * types and `Docker-Content-Digest`, references checked → MANIFEST_BLOB_UNKNOWN),
 * blobs (GET/HEAD with Range, DELETE), uploads (monolithic POST/PUT,
 * chunked PATCH with Content-Range, streamed PATCH, status GET, cancel
 * DELETE, cross-repository mount), the referrers API, and the token endpoint
 * when token auth is on. Errors are OCI error bodies; nothing is stored for
 * a request that fails.
 * May import: content, lib, oci (and this folder).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { OciError } from './oci-errors.js';
import { checkName, checkDigest, checkReference } from './names.js';
import type { RegistryStorage, ReferrerDescriptor } from './registry-storage.js';
import type { RegistryAuthenticator } from './registry-auth.js';

const MAX_MANIFEST = 4 * 1024 * 1024;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export interface RegistryAppOptions {
  storage: RegistryStorage;
  auth: RegistryAuthenticator;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) { req.resume(); throw new OciError('SIZE_INVALID', `body larger than ${limit} bytes`, undefined, 413); }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) { req.resume(); throw new OciError('SIZE_INVALID', `body larger than ${limit} bytes`, undefined, 413); }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The request target's path and query exactly as sent. Not `new URL()`:
 * WHATWG parsing resolves dot segments (also `%2e%2e`) and reads `\` as
 * `/`, so `/v2/a/../b/manifests/x` or `/v2/a/%2e%2e/b/…` would arrive as
 * repository `b` — a name the grammar refuses turned into one it accepts.
 * The path is never percent-decoded either: no character the grammars
 * allow needs escaping, so an escape anywhere in a name, tag or digest
 * fails its check (NAME_INVALID and friends).
 */
export function requestTarget(raw: string): { path: string; query: URLSearchParams } {
  let t = raw;
  const origin = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t); // absolute-form (a proxy's request line)
  if (origin) t = t.slice(origin[0].length);
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const path = (q >= 0 ? t.slice(0, q) : t) || '/';
  return { path, query: new URLSearchParams(q >= 0 ? t.slice(q + 1) : '') };
}

function parseRange(h: string | undefined, size: number): { start: number; end: number } | undefined | 'invalid' {
  if (!h) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (!m[1] && !m[2])) return 'invalid';
  let start: number; let end: number;
  if (!m[1]) { start = Math.max(0, size - Number(m[2])); end = size - 1; } else { start = Number(m[1]); end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1; }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

function paginate(all: string[], q: URLSearchParams): { items: string[]; next?: string } {
  const nRaw = q.get('n');
  const last = q.get('last');
  let items = last ? all.filter((x) => x > last) : all;
  if (nRaw !== null) {
    const n = Number(nRaw);
    if (!Number.isInteger(n) || n < 0) throw new OciError('UNSUPPORTED', 'invalid n', undefined, 400);
    if (items.length > n) return { items: items.slice(0, n), next: items[n - 1] };
    items = items.slice(0, n);
  }
  return { items };
}

export function createRegistryApp(o: RegistryAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { storage } = o;

  const send = (res: ServerResponse, status: number, headers: Record<string, string | number> = {}, body?: string | Buffer) => {
    res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', ...headers, ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : { 'Content-Length': headers['Content-Length'] ?? 0 }) });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, obj: unknown, headers: Record<string, string> = {}) => send(res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(obj));

  const uploadHeaders = (name: string, uuid: string, size: number) => ({
    Location: `/v2/${name}/blobs/uploads/${uuid}`,
    Range: `0-${Math.max(0, size - 1)}`,
    'Docker-Upload-UUID': uuid,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = requestTarget(req.url ?? '/');
    const url = { searchParams: query };
    const method = req.method ?? 'GET';
    const base = `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;

    if (path === '/token' && o.auth.mode === 'token') {
      const tok = o.auth.issueToken(req.headers.authorization, url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean));
      if (!tok) { res.setHeader('WWW-Authenticate', 'Basic realm="berth-registry"'); throw new OciError('UNAUTHORIZED', 'authentication required'); }
      json(res, 200, { ...tok, access_token: tok.token });
      return;
    }
    if (!path.startsWith('/v2/') && path !== '/v2') throw new OciError('UNSUPPORTED', 'not found', undefined, 404);

    let m: RegExpExecArray | null;
    // name and the action decide the auth scope
    let name: string | undefined;
    let route: string;
    let rest = '';
    if (path === '/v2/' || path === '/v2') route = 'base';
    else if (path === '/v2/_catalog') route = 'catalog';
    else if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path))) { route = 'tags'; name = m[1]; }
    else if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) { route = 'manifest'; name = m[1]; rest = m[2]; }
    else if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(path))) { route = 'upload'; name = m[1]; rest = m[2]; }
    else if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path))) { route = 'blob'; name = m[1]; rest = m[2]; }
    else if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path))) { route = 'referrers'; name = m[1]; rest = m[2]; }
    else throw new OciError('UNSUPPORTED', 'unknown API path', { path }, 404);
    if (name !== undefined) name = checkName(name);

    const write = !['GET', 'HEAD'].includes(method);
    const scope = route === 'catalog' ? 'registry:catalog:*' : name ? `repository:${name}:${write ? 'push' : 'pull'}` : undefined;
    const decision = o.auth.authorize(req.headers.authorization, scope, base);
    if (!decision.ok) {
      req.resume();
      res.setHeader('WWW-Authenticate', decision.challenge ?? 'Basic realm="berth-registry"');
      throw new OciError('UNAUTHORIZED', 'authentication required', scope ? [{ Type: 'repository', Name: name, Action: write ? 'push' : 'pull' }] : undefined);
    }

    switch (route) {
      case 'base':
        if (method !== 'GET' && method !== 'HEAD') throw new OciError('UNSUPPORTED', 'method not allowed');
        json(res, 200, {});
        return;

      case 'catalog': {
        if (method !== 'GET') throw new OciError('UNSUPPORTED', 'method not allowed');
        const { items, next } = paginate(await storage.repositories(), url.searchParams);
        json(res, 200, { repositories: items }, next ? { Link: `</v2/_catalog?n=${url.searchParams.get('n')}&last=${encodeURIComponent(next)}>; rel="next"` } : {});
        return;
      }

      case 'tags': {
        if (method !== 'GET') throw new OciError('UNSUPPORTED', 'method not allowed');
        if (!(await storage.repositoryExists(name!))) throw new OciError('NAME_UNKNOWN', 'repository name not known to registry', { name });
        const { items, next } = paginate(await storage.tags(name!), url.searchParams);
        json(res, 200, { name, tags: items }, next ? { Link: `</v2/${name}/tags/list?n=${url.searchParams.get('n')}&last=${encodeURIComponent(next)}>; rel="next"` } : {});
        return;
      }

      case 'manifest': return manifest(req, res, method, name!, rest);
      case 'blob': return blob(req, res, method, name!, rest);
      case 'upload': return upload(req, res, method, name!, rest, url.searchParams);

      case 'referrers': {
        if (method !== 'GET') throw new OciError('UNSUPPORTED', 'method not allowed');
        const digest = checkDigest(rest);
        let list: ReferrerDescriptor[] = await storage.referrers(name!, digest);
        const at = url.searchParams.get('artifactType');
        const headers: Record<string, string> = { 'Content-Type': 'application/vnd.oci.image.index.v1+json' };
        if (at) { list = list.filter((d) => d.artifactType === at); headers['OCI-Filters-Applied'] = 'artifactType'; }
        send(res, 200, headers, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: list }));
        return;
      }
    }
  }

  async function manifest(req: IncomingMessage, res: ServerResponse, method: string, name: string, reference: string): Promise<void> {
    const ref = checkReference(reference);
    if (method === 'GET' || method === 'HEAD') {
      const mf = await storage.getManifest(name, ref);
      if (!mf) throw new OciError('MANIFEST_UNKNOWN', 'manifest unknown', { name, reference });
      const headers = { 'Content-Type': mf.mediaType, 'Docker-Content-Digest': mf.digest, ETag: `"${mf.digest}"` };
      if (method === 'HEAD') send(res, 200, { ...headers, 'Content-Length': mf.bytes.length });
      else send(res, 200, headers, mf.bytes);
      return;
    }
    if (method === 'PUT') {
      const bytes = await readLimited(req, MAX_MANIFEST);
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (ref.digest && ref.digest !== digest) throw new OciError('DIGEST_INVALID', 'manifest digest does not match its content', { expected: ref.digest, actual: digest });
      let doc: { schemaVersion?: number; mediaType?: string; artifactType?: string; config?: { digest?: string; mediaType?: string }; layers?: { digest?: string; urls?: string[] }[]; manifests?: { digest?: string }[]; subject?: { digest?: string }; annotations?: Record<string, string> };
      try { doc = JSON.parse(bytes.toString('utf8')) as typeof doc; } catch { throw new OciError('MANIFEST_INVALID', 'manifest invalid: not JSON'); }
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new OciError('MANIFEST_INVALID', 'manifest invalid: not an object');
      if (doc.schemaVersion !== 2) throw new OciError('MANIFEST_INVALID', 'manifest invalid: schemaVersion must be 2');
      const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim();
      const mediaType = doc.mediaType ?? (contentType || (doc.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json'));
      if (doc.mediaType && contentType && contentType !== doc.mediaType && contentType !== 'application/json') {
        throw new OciError('MANIFEST_INVALID', `manifest invalid: Content-Type ${contentType} does not match mediaType ${doc.mediaType}`);
      }
      const missing: string[] = [];
      if (INDEX_TYPES.has(mediaType) || Array.isArray(doc.manifests)) {
        for (const d of doc.manifests ?? []) {
          const dd = checkDigest(d?.digest);
          if (!(await storage.hasManifest(name, dd))) missing.push(dd);
        }
      } else {
        if (!doc.config?.digest || !Array.isArray(doc.layers)) throw new OciError('MANIFEST_INVALID', 'manifest invalid: config and layers are required');
        for (const d of [doc.config, ...doc.layers]) {
          const dd = checkDigest(d?.digest);
          if ((d as { urls?: string[] }).urls?.length) continue; // foreign layer
          if ((await storage.blobSize(name, dd)) === undefined) missing.push(dd);
        }
      }
      if (missing.length) throw new OciError('MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digests: missing });
      const subject = doc.subject?.digest ? checkDigest(doc.subject.digest) : undefined;
      await storage.putManifest(name, { bytes, mediaType, digest }, ref.tag, subject ? {
        digest: subject,
        descriptor: { mediaType, digest, size: bytes.length, ...(doc.artifactType || doc.config?.mediaType ? { artifactType: doc.artifactType ?? doc.config?.mediaType } : {}), ...(doc.annotations ? { annotations: doc.annotations } : {}) },
      } : undefined);
      send(res, 201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, ...(subject ? { 'OCI-Subject': subject } : {}) });
      return;
    }
    if (method === 'DELETE') {
      const ok = ref.digest ? await storage.deleteManifest(name, ref.digest) : await storage.deleteTag(name, ref.tag!);
      if (!ok) throw new OciError('MANIFEST_UNKNOWN', 'manifest unknown', { name, reference });
      send(res, 202);
      return;
    }
    throw new OciError('UNSUPPORTED', 'method not allowed');
  }

  async function blob(req: IncomingMessage, res: ServerResponse, method: string, name: string, d: string): Promise<void> {
    const digest = checkDigest(d);
    if (method === 'GET' || method === 'HEAD') {
      const size = await storage.blobSize(name, digest);
      if (size === undefined) throw new OciError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
      const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest, 'Accept-Ranges': 'bytes', ETag: `"${digest}"` };
      const range = parseRange(req.headers.range, size);
      if (range === 'invalid') { send(res, 416, { 'Content-Range': `bytes */${size}` }); return; }
      const start = range?.start ?? 0;
      const end = range?.end ?? size - 1;
      const length = size === 0 ? 0 : end - start + 1;
      if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
      res.writeHead(range ? 206 : 200, { 'Docker-Distribution-API-Version': 'registry/2.0', ...headers, 'Content-Length': length });
      if (method === 'HEAD' || length === 0) { res.end(); return; }
      // pipeline: a client going away closes the file too (pipe() would leave it open, paused)
      await pipeline(createReadStream(storage.blobPath(digest), { start, end, highWaterMark: 1 << 20 }), res).catch(() => res.destroy());
      return;
    }
    if (method === 'DELETE') {
      if (!(await storage.unlinkBlob(name, digest))) throw new OciError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
      send(res, 202);
      return;
    }
    throw new OciError('UNSUPPORTED', 'method not allowed');
  }

  async function upload(req: IncomingMessage, res: ServerResponse, method: string, name: string, uuid: string, q: URLSearchParams): Promise<void> {
    if (!uuid) {
      if (method !== 'POST') throw new OciError('UNSUPPORTED', 'method not allowed');
      const mount = q.get('mount');
      const from = q.get('from');
      if (mount && from) {
        const digest = checkDigest(mount);
        const fromName = checkName(from);
        // mounting needs pull access to the source repository too
        const allowed = o.auth.authorize(req.headers.authorization, `repository:${fromName}:pull`, '').ok;
        if (allowed && (await storage.blobSize(fromName, digest)) !== undefined) {
          req.resume();
          await storage.linkBlob(name, digest);
          send(res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
          return;
        }
      }
      const digestParam = q.get('digest');
      if (digestParam) {
        // monolithic upload in one POST
        const digest = checkDigest(digestParam);
        const id = await storage.startUpload(name);
        try {
          const len = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
          await storage.appendUpload(name, id, req, undefined, len);
          await storage.finishUpload(name, id, digest);
        } catch (err) { await storage.cancelUpload(name, id).catch(() => undefined); throw err; }
        send(res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
        return;
      }
      req.resume();
      const id = await storage.startUpload(name);
      send(res, 202, uploadHeaders(name, id, 0));
      return;
    }
    if (method === 'GET') {
      const size = await storage.uploadSize(name, uuid);
      send(res, 204, uploadHeaders(name, uuid, size));
      return;
    }
    if (method === 'PATCH') {
      const cr = req.headers['content-range'];
      let start: number | undefined;
      let len: number | undefined;
      if (cr) {
        const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(String(cr).trim());
        if (!m || Number(m[2]) < Number(m[1])) { req.resume(); throw new OciError('RANGE_INVALID', 'invalid Content-Range', { range: cr }, 416); }
        start = Number(m[1]);
        len = Number(m[2]) - start + 1;
        if (req.headers['content-length'] !== undefined && Number(req.headers['content-length']) !== len) { req.resume(); throw new OciError('SIZE_INVALID', 'Content-Length does not match Content-Range'); }
      }
      const size = await storage.appendUpload(name, uuid, req, start, len);
      send(res, 202, uploadHeaders(name, uuid, size));
      return;
    }
    if (method === 'PUT') {
      const digest = checkDigest(q.get('digest'));
      const size = await storage.uploadSize(name, uuid);
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody) {
        const cr = req.headers['content-range'];
        const start = cr ? Number(/^(?:bytes[ =])?(\d+)-/.exec(String(cr))?.[1] ?? NaN) : undefined;
        if (start !== undefined && Number.isNaN(start)) throw new OciError('RANGE_INVALID', 'invalid Content-Range', undefined, 416);
        await storage.appendUpload(name, uuid, req, start, req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined);
      } else req.resume();
      void size;
      await storage.finishUpload(name, uuid, digest);
      send(res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
      return;
    }
    if (method === 'DELETE') {
      req.resume();
      await storage.cancelUpload(name, uuid);
      send(res, 204);
      return;
    }
    throw new OciError('UNSUPPORTED', 'method not allowed');
  }

  return (req, res) => {
    // a client going away ends its own request only
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res).catch((err) => {
      const e = err instanceof OciError ? err : new OciError('UNKNOWN', (err as Error).message ?? 'internal error');
      if (!(err instanceof OciError)) o.log?.('request failed', { method: req.method, url: req.url, err: (err as Error).message });
      if (res.headersSent) { res.destroy(); return; }
      req.resume();
      const body = req.method === 'HEAD' ? undefined : e.body();
      res.writeHead(e.status, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Type': 'application/json', 'Content-Length': body ? Buffer.byteLength(body) : 0 });
      res.end(body);
    });
  };
}
