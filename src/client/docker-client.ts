/**
 * client/docker-client — the typed Docker Engine API client used by the CLI
 * and by tests. One method per endpoint, Docker's JSON in and out (api/types),
 * every call on the versioned path `/v1.50/...` through one Transport.
 *
 * Errors: the daemon's non-2xx answers reject with a DaemonError (a BerthError
 * whose kind follows the status); an unreachable daemon rejects with an
 * 'unavailable' BerthError in Docker's wording. Streams (logs, attach, load,
 * import) are returned raw; api/stdcopy demultiplexes them.
 *
 * Imports api, errdefs, client/*.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { DEFAULT_API_VERSION } from '../api/version.js';
import type {
  ContainerCreateConfig, ContainerCreateResponse, ContainerInspect, ContainerSummary, ContainerWaitResponse,
  Volume, VolumeCreateOptions, VolumeListResponse, VolumePruneResponse, DiskUsage, ContainerPruneResponse, ImagePruneResponse,
  EventMessage, Filters, ImageDeleteResponseItem, ImageInspect, ImageSummary, Info, JSONMessage, NetworkCreateRequest, NetworkResource, PingResult, Version, WaitCondition,
} from '../api/types.js';
import { isKind } from '../errdefs/errors.js';
import { resolveHost, resolveTls, type DaemonAddress } from './host.js';
import { readJsonMessages } from './json-lines.js';
import { createHttpTransport, readBody, type HijackedStream, type Transport } from './transport.js';

export type { HijackedStream } from './transport.js';

export interface DockerClientOptions {
  /** `-H` value; when absent BERTH_HOST, DOCKER_HOST, then the default socket. */
  host?: string;
  env?: Record<string, string | undefined>;
  apiVersion?: string;
  /** Inject a transport (tests); otherwise one is built from the host. */
  transport?: Transport;
  /** The CLI's TLS flags (--tls, --tlsverify, --tlscacert, --tlscert, --tlskey); DOCKER_TLS_VERIFY/DOCKER_CERT_PATH also count. */
  tls?: { tls?: boolean; tlsverify?: boolean; tlscacert?: string; tlscert?: string; tlskey?: string };
}

type QueryValue = string | number | boolean | undefined | null | string[];

/** Build `?a=1&b=x`; `true` → "1", false/undefined/null omitted, arrays repeat the key. */
export function queryString(params: Record<string, QueryValue>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === false) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, item);
    else q.append(k, v === true ? '1' : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Escape a path segment but keep `/`, `:` and `@` so image refs stay readable (`/images/library/busybox:1/json`). */
export function pathSegment(s: string): string {
  return encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

function filtersParam(filters: Filters | undefined): string | undefined {
  return filters && Object.keys(filters).length ? JSON.stringify(filters) : undefined;
}

export interface ListContainersOptions { all?: boolean; limit?: number; size?: boolean; filters?: Filters }
export interface ListImagesOptions { all?: boolean; digests?: boolean; filters?: Filters }
export interface RemoveImageOptions { force?: boolean; noprune?: boolean }
export interface ImportImageOptions { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: string }
export interface ImageHistoryItem { Id: string; Created: number; CreatedBy: string; Tags: string[] | null; Size: number; Comment: string }
export interface BuildImageOptions {
  tags?: string[]; dockerfile?: string; buildArgs?: Record<string, string | null>; labels?: Record<string, string>;
  target?: string; noCache?: boolean; pull?: boolean; quiet?: boolean; network?: string; platform?: string;
}
export interface CreateContainerOptions { name?: string; platform?: string }
export interface StopOptions { timeout?: number; signal?: string }
export interface RemoveContainerOptions { force?: boolean; volumes?: boolean; link?: boolean }
export interface LogsOptions {
  follow?: boolean; stdout?: boolean; stderr?: boolean; since?: string; until?: string; timestamps?: boolean; tail?: string;
}
export interface AttachOptions { stream?: boolean; logs?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean; detachKeys?: string }

/** A wait registered with the daemon; `result` settles when the condition is met. */
export interface PendingWait {
  result: Promise<ContainerWaitResponse>;
}

/**
 * How long beginWait trusts that a sent request is registered when the daemon
 * does not flush response headers early (Docker's daemon does flush them).
 */
const WAIT_REGISTER_GRACE_MS = 1000;

export class DockerClient {
  readonly transport: Transport;
  readonly apiVersion: string;

  constructor(opts: DockerClientOptions = {}) {
    this.apiVersion = opts.apiVersion ?? DEFAULT_API_VERSION;
    this.transport = opts.transport ?? createHttpTransport(resolveHost(opts.host, opts.env ?? process.env), resolveTls(opts.tls ?? {}, opts.env ?? process.env));
  }

  get address(): DaemonAddress {
    return this.transport.address;
  }

  #path(p: string): string {
    return `/v${this.apiVersion}${p}`;
  }

  async #json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.transport.request({ method, path: this.#path(path), body });
    const text = await readBody(res);
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  async #noContent(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
    const res = await this.transport.request({ method, path: this.#path(path), body });
    res.resume();
  }

  // ---- system ----

  /** GET /_ping (unversioned, as Docker clients do before negotiating). */
  async ping(): Promise<PingResult> {
    const res = await this.transport.request({ method: 'GET', path: '/_ping' });
    await readBody(res);
    const h = res.headers;
    const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    return {
      apiVersion: str(h['api-version']),
      osType: str(h['ostype']),
      experimental: str(h['docker-experimental']) === 'true',
      builderVersion: str(h['builder-version']),
    };
  }

  version(): Promise<Version> {
    return this.#json('GET', '/version');
  }

  info(): Promise<Info> {
    return this.#json('GET', '/info');
  }

  // ---- images ----

  listImages(opts: ListImagesOptions = {}): Promise<ImageSummary[]> {
    return this.#json('GET', `/images/json${queryString({ all: opts.all, digests: opts.digests, filters: filtersParam(opts.filters) })}`);
  }

  inspectImage(ref: string): Promise<ImageInspect> {
    return this.#json('GET', `/images/${pathSegment(ref)}/json`);
  }

  /** POST /images/{ref}/tag?repo=&tag= */
  tagImage(ref: string, repo: string, tag?: string): Promise<void> {
    return this.#noContent('POST', `/images/${pathSegment(ref)}/tag${queryString({ repo, tag })}`);
  }

  removeImage(ref: string, opts: RemoveImageOptions = {}): Promise<ImageDeleteResponseItem[]> {
    return this.#json('DELETE', `/images/${pathSegment(ref)}${queryString({ force: opts.force, noprune: opts.noprune })}`);
  }

  /** POST /images/create?fromSrc=-: the body is a root filesystem tar. Yields the progress messages. */
  async importImage(tar: Readable, opts: ImportImageOptions = {}): Promise<AsyncGenerator<JSONMessage>> {
    const path = `/images/create${queryString({
      fromSrc: '-', repo: opts.repo, tag: opts.tag, changes: opts.changes, message: opts.message, platform: opts.platform,
    })}`;
    const res = await this.transport.request({ method: 'POST', path: this.#path(path), body: tar, headers: { 'Content-Type': 'application/x-tar' } });
    return readJsonMessages(res);
  }

  /** POST /images/load: the body is a `docker save` archive. Yields the progress messages. */
  async loadImage(tar: Readable, opts: { quiet?: boolean } = {}): Promise<AsyncGenerator<JSONMessage>> {
    const res = await this.transport.request({
      method: 'POST', path: this.#path(`/images/load${queryString({ quiet: opts.quiet })}`), body: tar,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    return readJsonMessages(res);
  }

  /** POST /images/create?fromImage=&tag=: pull. Yields the progress messages. */
  async pullImage(fromImage: string, opts: { tag?: string; platform?: string; registryAuth?: string } = {}): Promise<AsyncGenerator<JSONMessage>> {
    const res = await this.transport.request({
      method: 'POST', path: this.#path(`/images/create${queryString({ fromImage, tag: opts.tag, platform: opts.platform })}`),
      headers: opts.registryAuth ? { 'X-Registry-Auth': opts.registryAuth } : {},
    });
    return readJsonMessages(res);
  }

  /** POST /images/{name}/push?tag=: push one tag. Yields the progress messages. */
  async pushImage(name: string, opts: { tag?: string; registryAuth?: string } = {}): Promise<AsyncGenerator<JSONMessage>> {
    const res = await this.transport.request({
      method: 'POST', path: this.#path(`/images/${pathSegment(name)}/push${queryString({ tag: opts.tag })}`),
      // dockerd requires the header on push, even for anonymous registries
      headers: { 'X-Registry-Auth': opts.registryAuth ?? Buffer.from('{}').toString('base64url') },
    });
    return readJsonMessages(res);
  }

  /** GET /images/get?names=…: a `docker save` archive stream. */
  async saveImages(names: string[]): Promise<IncomingMessage> {
    return this.transport.request({ method: 'GET', path: this.#path(`/images/get${queryString({ names })}`) });
  }

  /** POST /auth: check credentials with the daemon (docker login). */
  login(auth: { username?: string; password?: string; serveraddress?: string; identitytoken?: string }): Promise<{ Status: string; IdentityToken?: string }> {
    return this.#json('POST', '/auth', auth);
  }

  /** POST /build (legacy builder): the body is the context tar. Yields the build stream. */
  async build(context: Readable, opts: BuildImageOptions = {}): Promise<AsyncGenerator<JSONMessage>> {
    const path = `/build${queryString({
      t: opts.tags, dockerfile: opts.dockerfile, buildargs: opts.buildArgs && Object.keys(opts.buildArgs).length ? JSON.stringify(opts.buildArgs) : undefined,
      labels: opts.labels && Object.keys(opts.labels).length ? JSON.stringify(opts.labels) : undefined, target: opts.target,
      nocache: opts.noCache, pull: opts.pull ? '1' : undefined, q: opts.quiet, networkmode: opts.network, platform: opts.platform, rm: '1',
    })}`;
    const res = await this.transport.request({ method: 'POST', path: this.#path(path), body: context, headers: { 'Content-Type': 'application/x-tar' } });
    return readJsonMessages(res);
  }

  /** POST /build/prune */
  pruneBuildCache(opts: { all?: boolean } = {}): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }> {
    return this.#json('POST', `/build/prune${queryString({ all: opts.all })}`);
  }

  /** GET /images/{name}/history */
  imageHistory(ref: string): Promise<ImageHistoryItem[]> {
    return this.#json('GET', `/images/${pathSegment(ref)}/history`);
  }

  /** POST /commit: returns the new image's ID. */
  async commitContainer(container: string, opts: { repo?: string; tag?: string; comment?: string; author?: string; changes?: string[]; pause?: boolean } = {}): Promise<string> {
    const r = await this.#json<{ Id: string }>('POST', `/commit${queryString({
      container, repo: opts.repo, tag: opts.tag, comment: opts.comment, author: opts.author, changes: opts.changes, pause: opts.pause === false ? '0' : undefined,
    })}`);
    return r.Id;
  }

  /** GET /containers/{id}/changes */
  containerChanges(id: string): Promise<{ Path: string; Kind: number }[] | null> {
    return this.#json('GET', `/containers/${encodeURIComponent(id)}/changes`);
  }

  /** GET /containers/{id}/export: the tar stream. */
  exportContainer(id: string): Promise<IncomingMessage> {
    return this.transport.request({ method: 'GET', path: this.#path(`/containers/${encodeURIComponent(id)}/export`) });
  }

  // ---- containers ----

  createContainer(config: ContainerCreateConfig, opts: CreateContainerOptions = {}): Promise<ContainerCreateResponse> {
    return this.#json('POST', `/containers/create${queryString({ name: opts.name, platform: opts.platform })}`, config);
  }

  /** Start; resolves false when the daemon says it was already running (304), as Docker's client treats it as success. */
  async startContainer(id: string, opts: { detachKeys?: string } = {}): Promise<boolean> {
    return this.#changed(this.#noContent('POST', `/containers/${pathSegment(id)}/start${queryString({ detachKeys: opts.detachKeys })}`));
  }

  /** Stop; resolves false when it was already stopped (304). `timeout` is seconds. */
  async stopContainer(id: string, opts: StopOptions = {}): Promise<boolean> {
    return this.#changed(this.#noContent('POST', `/containers/${pathSegment(id)}/stop${queryString({ t: opts.timeout, signal: opts.signal })}`));
  }

  killContainer(id: string, opts: { signal?: string } = {}): Promise<void> {
    return this.#noContent('POST', `/containers/${pathSegment(id)}/kill${queryString({ signal: opts.signal })}`);
  }

  restartContainer(id: string, opts: StopOptions = {}): Promise<void> {
    return this.#noContent('POST', `/containers/${pathSegment(id)}/restart${queryString({ t: opts.timeout, signal: opts.signal })}`);
  }

  /** POST /containers/{id}/wait; resolves when the condition is met. */
  async waitContainer(id: string, opts: { condition?: WaitCondition } = {}): Promise<ContainerWaitResponse> {
    return (await this.beginWait(id, opts)).result;
  }

  /**
   * Register a wait and return once the daemon has it (response headers
   * arrived), so a following start cannot race past a fast exit. Docker's CLI
   * does the same before starting `run` containers.
   */
  beginWait(id: string, opts: { condition?: WaitCondition } = {}): Promise<PendingWait> {
    const path = this.#path(`/containers/${pathSegment(id)}/wait${queryString({ condition: opts.condition })}`);
    const response = this.transport.request({ method: 'POST', path });
    const result = response.then(async (res) => JSON.parse(await readBody(res)) as ContainerWaitResponse);
    return new Promise<PendingWait>((resolve, reject) => {
      const timer = setTimeout(() => resolve({ result }), WAIT_REGISTER_GRACE_MS);
      response.then(
        () => { clearTimeout(timer); resolve({ result }); },
        (err) => { clearTimeout(timer); reject(err); },
      );
      result.catch(() => undefined); // observed by the caller through PendingWait
    });
  }

  removeContainer(id: string, opts: RemoveContainerOptions = {}): Promise<void> {
    return this.#noContent('DELETE', `/containers/${pathSegment(id)}${queryString({ force: opts.force, v: opts.volumes, link: opts.link })}`);
  }

  inspectContainer(id: string, opts: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.#json('GET', `/containers/${pathSegment(id)}/json${queryString({ size: opts.size })}`);
  }

  listContainers(opts: ListContainersOptions = {}): Promise<ContainerSummary[]> {
    return this.#json('GET', `/containers/json${queryString({ all: opts.all, limit: opts.limit, size: opts.size, filters: filtersParam(opts.filters) })}`);
  }

  renameContainer(id: string, name: string): Promise<void> {
    return this.#noContent('POST', `/containers/${pathSegment(id)}/rename${queryString({ name })}`);
  }

  /** GET /containers/{id}/logs: the raw body, multiplexed unless the container has a TTY. */
  async containerLogs(id: string, opts: LogsOptions = {}): Promise<IncomingMessage> {
    const q = queryString({
      follow: opts.follow, stdout: opts.stdout ?? true, stderr: opts.stderr ?? true, since: opts.since, until: opts.until,
      timestamps: opts.timestamps, tail: opts.tail,
    });
    return this.transport.request({ method: 'GET', path: this.#path(`/containers/${pathSegment(id)}/logs${q}`) });
  }

  /**
   * POST /containers/{id}/attach, hijacked. The daemon may upgrade (101, a
   * duplex socket) or answer 200 with the stream as the body; both work.
   */
  attachContainer(id: string, opts: AttachOptions = { stream: true, stdout: true, stderr: true }): Promise<HijackedStream> {
    const q = queryString({
      stream: opts.stream, logs: opts.logs, stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr, detachKeys: opts.detachKeys,
    });
    return this.transport.hijack({ method: 'POST', path: this.#path(`/containers/${pathSegment(id)}/attach${q}`) });
  }

  // ---- exec, resize, pause, top, stats, update ----

  createExec(id: string, config: Record<string, unknown>): Promise<{ Id: string }> {
    return this.#json('POST', `/containers/${pathSegment(id)}/exec`, config);
  }

  /** POST /exec/{id}/start hijacked (attached). */
  startExecAttached(execId: string, opts: { tty?: boolean } = {}): Promise<HijackedStream> {
    return this.transport.hijack({ method: 'POST', path: this.#path(`/exec/${pathSegment(execId)}/start`), body: { Detach: false, Tty: !!opts.tty } });
  }

  startExecDetached(execId: string, opts: { tty?: boolean } = {}): Promise<void> {
    return this.#noContent('POST', `/exec/${pathSegment(execId)}/start`, { Detach: true, Tty: !!opts.tty });
  }

  inspectExec(execId: string): Promise<{ ExitCode: number | null; Running: boolean; Pid: number }> {
    return this.#json('GET', `/exec/${pathSegment(execId)}/json`);
  }

  resizeExec(execId: string, height: number, width: number): Promise<void> {
    return this.#noContent('POST', `/exec/${pathSegment(execId)}/resize${queryString({ h: height, w: width })}`);
  }

  resizeContainer(id: string, height: number, width: number): Promise<void> {
    return this.#noContent('POST', `/containers/${pathSegment(id)}/resize${queryString({ h: height, w: width })}`);
  }

  pauseContainer(id: string): Promise<void> { return this.#noContent('POST', `/containers/${pathSegment(id)}/pause`); }
  unpauseContainer(id: string): Promise<void> { return this.#noContent('POST', `/containers/${pathSegment(id)}/unpause`); }

  topContainer(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return this.#json('GET', `/containers/${pathSegment(id)}/top${queryString({ ps_args: psArgs })}`);
  }

  /** GET /containers/{id}/stats: the raw JSON-lines body. */
  containerStats(id: string, opts: { stream?: boolean; oneShot?: boolean; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
    return this.transport.request({ method: 'GET', path: this.#path(`/containers/${pathSegment(id)}/stats${queryString({ stream: opts.stream ? '1' : '0', 'one-shot': opts.oneShot })}`), signal: opts.signal });
  }

  updateContainer(id: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }> {
    return this.#json('POST', `/containers/${pathSegment(id)}/update`, body);
  }

  /** GET /events: the JSON stream, one event per line, until `until` passes or `signal` aborts. */
  async *events(opts: { since?: string; until?: string; filters?: Filters; signal?: AbortSignal } = {}): AsyncGenerator<EventMessage> {
    const res = await this.transport.request({ method: 'GET', path: this.#path(`/events${queryString({ since: opts.since, until: opts.until, filters: filtersParam(opts.filters) })}`) });
    const stop = () => res.destroy();
    opts.signal?.addEventListener('abort', stop);
    try {
      for await (const m of readJsonMessages(res)) yield m as unknown as EventMessage;
    } catch (err) {
      if (!opts.signal?.aborted) throw err;
    } finally {
      opts.signal?.removeEventListener('abort', stop);
      res.destroy();
    }
  }

  // ---- archive (cp) ----

  /** HEAD /containers/{id}/archive: the decoded X-Docker-Container-Path-Stat. */
  async statContainerPath(id: string, path: string): Promise<ContainerPathStat> {
    const res = await this.transport.request({ method: 'HEAD', path: this.#path(`/containers/${pathSegment(id)}/archive${queryString({ path })}`) });
    res.resume();
    return decodePathStat(res.headers['x-docker-container-path-stat']);
  }

  /** GET /containers/{id}/archive: the stat and the tar stream. */
  async getArchive(id: string, path: string): Promise<{ stat: ContainerPathStat; tar: IncomingMessage }> {
    const res = await this.transport.request({ method: 'GET', path: this.#path(`/containers/${pathSegment(id)}/archive${queryString({ path })}`) });
    return { stat: decodePathStat(res.headers['x-docker-container-path-stat']), tar: res };
  }

  /** PUT /containers/{id}/archive: extract a tar into the directory `path`. */
  async putArchive(id: string, path: string, tar: Readable, opts: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean } = {}): Promise<void> {
    const q = queryString({ path, noOverwriteDirNonDir: opts.noOverwriteDirNonDir, copyUIDGID: opts.copyUIDGID });
    const res = await this.transport.request({ method: 'PUT', path: this.#path(`/containers/${pathSegment(id)}/archive${q}`), body: tar, headers: { 'Content-Type': 'application/x-tar' } });
    await readBody(res);
  }

  // ---- disk usage and pruning ----

  /** GET /system/df (`types` picks sections: container, image, volume, build-cache). */
  systemDf(opts: { types?: string[] } = {}): Promise<DiskUsage> {
    return this.#json('GET', `/system/df${queryString({ type: opts.types })}`);
  }

  pruneContainers(opts: { filters?: Filters } = {}): Promise<ContainerPruneResponse> {
    return this.#json('POST', `/containers/prune${queryString({ filters: filtersParam(opts.filters) })}`);
  }

  pruneImages(opts: { filters?: Filters } = {}): Promise<ImagePruneResponse> {
    return this.#json('POST', `/images/prune${queryString({ filters: filtersParam(opts.filters) })}`);
  }

  // ---- volumes ----

  listVolumes(opts: { filters?: Filters } = {}): Promise<VolumeListResponse> {
    return this.#json('GET', `/volumes${queryString({ filters: filtersParam(opts.filters) })}`);
  }

  createVolume(body: VolumeCreateOptions): Promise<Volume> {
    return this.#json('POST', '/volumes/create', body);
  }

  inspectVolume(name: string): Promise<Volume> {
    return this.#json('GET', `/volumes/${encodeURIComponent(name)}`);
  }

  removeVolume(name: string, opts: { force?: boolean } = {}): Promise<void> {
    return this.#noContent('DELETE', `/volumes/${encodeURIComponent(name)}${queryString({ force: opts.force })}`);
  }

  pruneVolumes(opts: { filters?: Filters } = {}): Promise<VolumePruneResponse> {
    return this.#json('POST', `/volumes/prune${queryString({ filters: filtersParam(opts.filters) })}`);
  }

  // ---- networks ----

  listNetworks(opts: { filters?: Filters } = {}): Promise<NetworkResource[]> {
    return this.#json('GET', `/networks${queryString({ filters: filtersParam(opts.filters) })}`);
  }

  inspectNetwork(ref: string): Promise<NetworkResource> {
    return this.#json('GET', `/networks/${encodeURIComponent(ref)}`);
  }

  createNetwork(body: NetworkCreateRequest): Promise<{ Id: string; Warning?: string }> {
    return this.#json('POST', '/networks/create', body);
  }

  removeNetwork(ref: string): Promise<void> {
    return this.#noContent('DELETE', `/networks/${encodeURIComponent(ref)}`);
  }

  pruneNetworks(opts: { filters?: Filters } = {}): Promise<{ NetworksDeleted: string[] | null }> {
    return this.#json('POST', `/networks/prune${queryString({ filters: filtersParam(opts.filters) })}`);
  }

  connectNetwork(ref: string, body: { Container: string; EndpointConfig?: { Aliases?: string[]; IPAMConfig?: { IPv4Address?: string } } }): Promise<void> {
    return this.#noContent('POST', `/networks/${encodeURIComponent(ref)}/connect`, body);
  }

  disconnectNetwork(ref: string, body: { Container: string; Force?: boolean }): Promise<void> {
    return this.#noContent('POST', `/networks/${encodeURIComponent(ref)}/disconnect`, body);
  }

  async #changed(p: Promise<void>): Promise<boolean> {
    try {
      await p;
      return true;
    } catch (err) {
      if (isKind(err, 'not-modified')) return false;
      throw err;
    }
  }
}

/** The path stat Docker's archive endpoints send (mode is a Go os.FileMode). */
export interface ContainerPathStat { name: string; size: number; mode: number; mtime: string; linkTarget: string }

/** Go's os.ModeDir and os.ModeSymlink bits in ContainerPathStat.mode. */
export const GO_MODE_DIR = 2 ** 31;
export const GO_MODE_SYMLINK = 2 ** 27;

function decodePathStat(h: string | string[] | undefined): ContainerPathStat {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return { name: '', size: 0, mode: 0, mtime: '', linkTarget: '' };
  return JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as ContainerPathStat;
}

/** Factory, per the module convention: options in, client out. */
export function createDockerClient(opts: DockerClientOptions = {}): DockerClient {
  return new DockerClient(opts);
}
