/**
 * engine/registry-service — Docker's pull, push and login semantics over the
 * distribution module: reference and tag handling as dockerd does
 * (`fromImage` + `tag`, a digest in `tag`), endpoint choice (mirrors,
 * insecure registries), credentials from the request's auth config, and the
 * JSON progress messages the docker CLI draws (`Pulling fs layer`,
 * `Downloading` with progressDetail, `Pull complete`, `Digest:`, `Status:`).
 */
import { invalidArgument, notImplemented, notFound, BerthError } from '../errdefs/errors.js';
import type { AuthConfig, JSONMessage } from '../api/types.js';
import { progressBar } from '../api/progress-bar.js';
import type { ImageStore } from '../images/image-store.js';
import { checkTag, parseReference, withDefaultTag, familiarString, familiarName, formatReference, repositoryName, DEFAULT_DOMAIN, type Reference } from '../oci/reference.js';
import type { Puller, DistributionInspect } from '../distribution/puller.js';
import type { Pusher } from '../distribution/pusher.js';
import { RegistryClient } from '../distribution/registry-client.js';
import { TransportError } from '../distribution/transport.js';
import { DOCKER_HUB_AUTH_KEY } from '../distribution/registry-hosts.js';
import { endpointsFor, type RegistryHostsConfig } from '../distribution/registry-hosts.js';
import { hostPlatform, parsePlatform } from '../distribution/platform.js';
import type { Credentials } from '../distribution/registry-client.js';
import type { ProgressEvent } from '../distribution/progress.js';
import type { EventPublisher } from './events.js';

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

/**
 * dockerd's reading of `fromImage` + `tag`: the tag parameter may be a tag
 * or a digest; with neither (the docker CLI's `pull --all-tags`) the
 * reference names the whole repository.
 */
export function pullReference(fromImage: string, tag?: string): Reference {
  const ref = parseReference(fromImage);
  if (!tag) return ref;
  if (ref.tag || ref.digest) throw invalidArgument(`invalid reference format: both a tag in ${JSON.stringify(fromImage)} and tag=${JSON.stringify(tag)} were given`, 'INVALID_REFERENCE');
  if (/^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag)) return parseReference(`${fromImage}@${tag}`);
  return parseReference(`${fromImage}:${tag}`);
}

export class RegistryService {
  constructor(private readonly o: {
    store: ImageStore;
    puller: Puller;
    pusher: Pusher;
    hosts: RegistryHostsConfig;
    events?: EventPublisher;
  }) {}

  /**
   * `POST /images/create?fromImage=`: pull, reporting Docker's progress
   * messages. A reference without tag or digest pulls every tag of the
   * repository, one after the other (layers they share are fetched once).
   */
  async pull(opts: { fromImage: string; tag?: string; platform?: string; auth?: AuthConfig; signal?: AbortSignal }, onMessage: MessageSink): Promise<string> {
    const ref = pullReference(opts.fromImage, opts.tag);
    const platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
    const base = { platform, endpoints: endpointsFor(ref.domain, this.o.hosts, 'pull'), credentials: credentialsOf(opts.auth), signal: opts.signal, onProgress: (ev: ProgressEvent) => onMessage(toJsonMessage(ev)) };
    const name = familiarString(ref);
    let imageId = '';
    let upToDate = true;
    if (ref.tag || ref.digest) {
      // the config and layers are committed before the image: no garbage collection until the pull ends
      const result = await this.o.store.withLease(() => this.o.puller.pull({ ...base, ref }));
      imageId = result.image.id;
      upToDate = result.upToDate;
    } else {
      const tags = await this.o.puller.listTags({ ...base, ref });
      if (!tags.length) throw notFound(`repository ${name} has no tags to pull`, 'MANIFEST_UNKNOWN');
      for (const tag of tags) {
        const result = await this.o.store.withLease(() => this.o.puller.pull({ ...base, ref: { ...ref, tag } }));
        imageId = result.image.id;
        upToDate &&= result.upToDate;
      }
    }
    onMessage({ status: upToDate ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}` });
    this.o.events?.publish('image', 'pull', name, { name: familiarName(ref) });
    return imageId;
  }

  /** Pull a reference (default tag `latest`) without progress output: the builder's FROM of a missing image. */
  async pullImage(ref: string, opts: { platform?: string; signal?: AbortSignal; onMessage?: MessageSink } = {}): Promise<string> {
    const r = withDefaultTag(parseReference(ref));
    return this.pull({ fromImage: formatReference(r), platform: opts.platform, signal: opts.signal }, opts.onMessage ?? (() => undefined));
  }

  /**
   * `POST /images/{name}/push?tag=`: push one tag, reporting Docker's push
   * messages; without a tag (`docker push --all-tags`) every local tag of
   * the repository, one after the other.
   */
  async push(opts: { name: string; tag?: string; auth?: AuthConfig; signal?: AbortSignal }, onMessage: MessageSink): Promise<string> {
    let ref = parseReference(opts.name);
    if (ref.digest) throw invalidArgument('cannot push a digest reference', 'INVALID_REFERENCE');
    if (opts.tag) {
      if (ref.tag) throw invalidArgument(`invalid reference format: both a tag in ${JSON.stringify(opts.name)} and tag=${JSON.stringify(opts.tag)} were given`, 'INVALID_REFERENCE');
      ref = parseReference(`${opts.name}:${checkTag(opts.tag)}`);
    }
    const repo = repositoryName(ref);
    const tags = ref.tag ? [ref.tag] : this.localTags(repo);
    if (!tags.length || !this.o.store.tryResolve(formatReference({ ...ref, tag: tags[0] }))) {
      throw notFound(`An image does not exist locally with the tag: ${familiarString({ ...ref, tag: undefined })}`, 'NO_SUCH_IMAGE');
    }
    let digest = '';
    for (const tag of tags) {
      const tagged = { ...ref, tag };
      const image = this.o.store.resolve(formatReference(tagged));
      // a push may make a gzip blob of a local layer before recording it: no garbage collection in between
      const result = await this.o.store.withLease(() => this.o.pusher.push({
        image,
        ref: tagged,
        endpoints: endpointsFor(ref.domain, this.o.hosts, 'push'),
        credentials: credentialsOf(opts.auth),
        signal: opts.signal,
        onProgress: (ev) => onMessage(toJsonMessage(ev)),
      }));
      onMessage({ status: `${result.tag}: digest: ${result.digest} size: ${result.size}` });
      onMessage({ progressDetail: {}, aux: { Tag: result.tag, Digest: result.digest, Size: result.size } });
      this.o.events?.publish('image', 'push', familiarString(tagged), { name: familiarName(tagged) });
      digest = result.digest;
    }
    return digest;
  }

  /**
   * `GET /distribution/{name}/json`: ask the registry for the reference's
   * manifest (a tag defaults to latest) — its descriptor and platforms, as
   * dockerd answers; nothing is pulled or stored.
   */
  async distributionInspect(name: string, auth?: AuthConfig): Promise<DistributionInspect> {
    // dockerd (ParseAnyReference): a full image ID names no manifest
    if (/^(sha256:)?[a-f0-9]{64}$/.test(name)) throw invalidArgument('no manifest found for full image ID', 'INVALID_REFERENCE');
    const ref = withDefaultTag(parseReference(name));
    return this.o.puller.inspect({ ref, endpoints: endpointsFor(ref.domain, this.o.hosts, 'pull'), credentials: credentialsOf(auth) });
  }

  /** The local tags of a repository (canonical name without tag), sorted. */
  private localTags(repo: string): string[] {
    const tags: string[] = [];
    for (const img of this.o.store.list()) {
      for (const r of img.refs) {
        if (r.includes('@')) continue;
        const p = parseReference(r);
        if (p.tag && repositoryName(p) === repo) tags.push(p.tag);
      }
    }
    return tags.sort();
  }

  /**
   * `POST /auth`: check credentials against a registry (a token fetch or a
   * basic-auth request), as dockerd does; nothing is stored daemon-side.
   */
  async login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
    const creds = credentialsOf(auth);
    const domain = registryDomain(auth.serveraddress);
    const endpoints = endpointsFor(domain, this.o.hosts, 'push');
    let lastErr: unknown;
    for (const endpoint of endpoints) {
      const client = new RegistryClient({ endpoint, repository: '', actions: [], credentials: creds, retry: { attempts: 2 } });
      try {
        await client.checkLogin();
        return { Status: 'Login Succeeded', IdentityToken: '' };
      } catch (err) {
        lastErr = err;
        if (!(err instanceof TransportError)) break;
      }
    }
    if (lastErr instanceof TransportError) throw new BerthError('REGISTRY_UNREACHABLE', lastErr.message, { cause: lastErr });
    throw lastErr;
  }
}

/** The registry domain of a login's server address (`https://index.docker.io/v1/`, `host:port`, a URL). */
export function registryDomain(serverAddress: string | undefined): string {
  const s = (serverAddress ?? '').trim();
  if (!s || s === DOCKER_HUB_AUTH_KEY || /^(https?:\/\/)?(index\.|registry-1\.)?docker\.io(\/.*)?$/.test(s)) return DEFAULT_DOMAIN;
  const host = s.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (!host) throw invalidArgument(`invalid server address ${JSON.stringify(serverAddress)}`);
  return host;
}
