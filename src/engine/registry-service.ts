/**
 * engine/registry-service — Docker's pull, push and login semantics over the
 * distribution module: reference and tag handling as dockerd does
 * (`fromImage` + `tag`, a digest in `tag`), endpoint choice (mirrors,
 * insecure registries), credentials from the request's auth config, and the
 * JSON progress messages the docker CLI draws (`Pulling fs layer`,
 * `Downloading` with progressDetail, `Pull complete`, `Digest:`, `Status:`).
 */
import { invalidArgument, notImplemented } from '../errdefs/errors.js';
import type { AuthConfig, JSONMessage } from '../api/types.js';
import { progressBar } from '../api/progress-bar.js';
import type { ImageStore } from '../images/image-store.js';
import { parseReference, familiarString, type Reference } from '../oci/reference.js';
import type { Puller } from '../distribution/puller.js';
import { endpointsFor, type RegistryHostsConfig } from '../distribution/registry-hosts.js';
import { hostPlatform, parsePlatform } from '../distribution/platform.js';
import type { Credentials } from '../distribution/registry-client.js';
import type { ProgressEvent } from '../distribution/progress.js';

export type MessageSink = (m: JSONMessage) => void;

export function toJsonMessage(ev: ProgressEvent): JSONMessage {
  const m: JSONMessage = { status: ev.status };
  if (ev.id !== undefined) {
    m.id = ev.id;
    m.progressDetail = ev.current !== undefined ? { current: ev.current, total: ev.total } : {};
    if (ev.current !== undefined) m.progress = progressBar(ev.current, ev.total);
  }
  return m;
}

export function credentialsOf(auth: AuthConfig | undefined): Credentials | undefined {
  if (!auth) return undefined;
  let { username, password } = auth;
  if (!username && auth.auth) {
    const decoded = Buffer.from(auth.auth, 'base64').toString();
    const i = decoded.indexOf(':');
    if (i > 0) { username = decoded.slice(0, i); password = decoded.slice(i + 1); }
  }
  if (!username && !auth.identitytoken && !auth.registrytoken) return undefined;
  return { username, password, identityToken: auth.identitytoken || undefined, registryToken: auth.registrytoken || undefined };
}

/** dockerd's reading of `fromImage` + `tag`: the tag parameter may be a tag or a digest. */
export function pullReference(fromImage: string, tag?: string): Reference {
  const ref = parseReference(fromImage);
  if (!tag) {
    if (!ref.tag && !ref.digest) throw notImplemented('pulling all tags of a repository (docker pull --all-tags) is not supported; name a tag');
    return ref;
  }
  if (ref.tag || ref.digest) throw invalidArgument(`invalid reference format: both a tag in ${JSON.stringify(fromImage)} and tag=${JSON.stringify(tag)} were given`, 'INVALID_REFERENCE');
  if (/^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag)) return parseReference(`${fromImage}@${tag}`);
  return parseReference(`${fromImage}:${tag}`);
}

export class RegistryService {
  constructor(private readonly o: {
    store: ImageStore;
    puller: Puller;
    hosts: RegistryHostsConfig;
    events?: (type: string, action: string, id: string, attrs?: Record<string, string>) => void;
  }) {}

  /** `POST /images/create?fromImage=`: pull, reporting Docker's progress messages. */
  async pull(opts: { fromImage: string; tag?: string; platform?: string; auth?: AuthConfig; signal?: AbortSignal }, onMessage: MessageSink): Promise<string> {
    const ref = pullReference(opts.fromImage, opts.tag);
    const platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
    const result = await this.o.puller.pull({
      ref,
      platform,
      endpoints: endpointsFor(ref.domain, this.o.hosts, 'pull'),
      credentials: credentialsOf(opts.auth),
      signal: opts.signal,
      onProgress: (ev) => onMessage(toJsonMessage(ev)),
    });
    const name = familiarString(ref);
    onMessage({ status: result.upToDate ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}` });
    this.o.events?.('image', 'pull', familiarString(ref), { name });
    return result.image.id;
  }
}
