/**
 * builder/remote-source — `ADD <http(s) URL> <dest>`: download the file
 * into a temp directory the way Docker's builder does, so it can be copied
 * like a context file:
 *
 * - the file name is the last segment of the URL path (used when the
 *   destination is a directory); a URL without one cannot go to a directory;
 * - the file gets mode 0600 (its time in the layer is the build's epoch, as
 *   every file's: builder/builder.ts);
 * - it is never unpacked, even when it is an archive;
 * - `--checksum=sha256:<hex>` is checked before the file is used;
 * - redirects are followed (up to 10); a status other than 200 fails the
 *   step with the URL and the status.
 *
 * The daemon itself fetches the URL, as dockerd does; build-arg proxies
 * (HTTP_PROXY, …) are not applied.
 *
 * May import: errdefs, lib.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createWriteStream } from 'node:fs';
import { chmod, lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, invalidArgument } from '../errdefs/errors.js';

export const REMOTE_URL_RE = /^https?:\/\//i;

export interface RemoteFile {
  url: string;
  /** The file name from the URL path ('' when the path has none). */
  name: string;
  /** Host path of the downloaded file. */
  path: string;
  stat: Stats;
  /** sha256:<hex> of the bytes. */
  digest: string;
}

/** The file name Docker takes from a URL: the last path segment, decoded. */
export function remoteFileName(url: string): string {
  let path: string;
  try { path = new URL(url).pathname; } catch { throw invalidArgument(`invalid URL in ADD: ${url}`); }
  const base = posix.basename(path);
  try { return decodeURIComponent(base); } catch { return base; }
}

function get(url: string, signal: AbortSignal | undefined, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'GET', signal, headers: { 'user-agent': 'berth-builder' }, timeout: 60000 }, (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        if (redirects >= 10) { reject(new BerthError('ADD_DOWNLOAD_FAILED', `ADD ${url}: too many redirects`)); return; }
        get(new URL(res.headers.location, u).toString(), signal, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', (err) => reject(new BerthError('ADD_DOWNLOAD_FAILED', `ADD ${url}: downloading failed: ${err.message}`, { cause: err })));
    req.end();
  });
}

/**
 * Download `url` into `dir` (which the caller owns and removes). `onProgress`
 * gets bytes so far and the announced total (0 when unknown).
 */
export async function downloadRemote(url: string, dir: string, o: { checksum?: string; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<RemoteFile> {
  if (o.checksum !== undefined && !/^sha256:[a-f0-9]{64}$/.test(o.checksum)) throw invalidArgument(`invalid checksum ${JSON.stringify(o.checksum)}: expected sha256:<64 hex digits>`);
  const name = remoteFileName(url);
  const res = await get(url, o.signal);
  if (res.statusCode !== 200) {
    res.resume();
    throw new BerthError('ADD_DOWNLOAD_FAILED', `ADD ${url}: the server answered ${res.statusCode} ${res.statusMessage ?? ''}`.trim());
  }
  const total = Number(res.headers['content-length'] ?? 0) || 0;
  const path = join(dir, 'download');
  const hash = createHash('sha256');
  let done = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) { hash.update(chunk); done += chunk.length; o.onProgress?.(done, total); cb(null, chunk); },
  });
  try {
    await pipeline(res, count, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    throw new BerthError('ADD_DOWNLOAD_FAILED', `ADD ${url}: downloading failed: ${(err as Error).message}`, { cause: err });
  }
  if (total && done !== total) throw new BerthError('ADD_DOWNLOAD_FAILED', `ADD ${url}: got ${done} of ${total} bytes`);
  const digest = `sha256:${hash.digest('hex')}`;
  if (o.checksum !== undefined && o.checksum !== digest) throw invalidArgument(`ADD ${url}: digest mismatch ${o.checksum}: ${digest}`);
  await chmod(path, 0o600);
  return { url, name, path, stat: await lstat(path), digest };
}
