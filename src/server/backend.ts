/**
 * server/backend — the narrow interfaces the API server needs from the
 * engine. The server imports nothing else from the engine; the daemon wires
 * the real services in, tests wire fakes.
 */
import type { Readable } from 'node:stream';
import type { AuthConfig, JSONMessage } from '../api/types.js';
import type { BuildSteps } from '../api/buildkit-trace.js';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** the bytes of the line (binary-safe), without its newline */
  data: Buffer;
  partial: boolean;
  /** RFC 3339 with nanoseconds, for `timestamps=1` */
  timestamp: string;
}

export interface ContainersBackend {
  create(body: unknown, opts: { name?: string; platform?: string }): Promise<{ Id: string; Warnings: string[] }>;
  start(id: string): Promise<void>;
  stop(id: string, opts: { timeoutSec?: number; signal?: string }): Promise<void>;
  kill(id: string, signal?: string): Promise<void>;
  restart(id: string, opts: { timeoutSec?: number; signal?: string }): Promise<void>;
  remove(id: string, opts: { force?: boolean; removeVolumes?: boolean }): Promise<void>;
  /** Remove the legacy link `<parent>/<alias>` (the linked container stays). */
  removeLink(name: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  wait(id: string, condition: 'not-running' | 'next-exit' | 'removed', signal: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }>;
  inspect(id: string): unknown;
  /** with `size`, SizeRw and SizeRootFs are measured (a walk of each writable layer) */
  list(opts: { all?: boolean; limit?: number; filters?: string; size?: boolean }): unknown[] | Promise<unknown[]>;
  isTty(id: string): boolean;
  /** Throws not-found for an unknown container before any output. */
  logs(id: string, opts: { stdout: boolean; stderr: boolean; follow?: boolean; tail?: number; sinceMs?: number; untilMs?: number; signal: AbortSignal }): AsyncIterable<LogLine>;
  attachOutput(id: string, opts: { stdout: boolean; stderr: boolean; signal: AbortSignal }): AsyncIterable<LogLine>;
  /** Feed `source` to the container's stdin (waits for its start); `source` ending is EOF. */
  attachStdin(id: string, source: Readable, signal: AbortSignal): Promise<void>;
  resize(id: string, height: number, width: number): Promise<void>;
  /** Resolve a reference to the container ID (throws not-found). */
  resolve(id: string): string;
}

export interface ImagesBackend {
  list(opts: { all?: boolean; filters?: string }): unknown[];
  inspect(name: string): unknown;
  importRootfs(source: Readable, opts: { repo?: string; tag?: string; changes?: string[]; message?: string }): Promise<string>;
  load(source: Readable, onProgress: (line: string) => void): Promise<string[]>;
  tag(name: string, repo: string, tag?: string): void;
  remove(name: string, opts: { force?: boolean; noprune?: boolean }): Promise<unknown[]>;
  /** Pull; progress goes to `onMessage`. Errors before the first message mean nothing was streamed. */
  pull(opts: { fromImage: string; tag?: string; platform?: string; auth?: AuthConfig; signal?: AbortSignal }, onMessage: (m: JSONMessage) => void): Promise<string>;
  /** `docker save`: throws not-found for an unknown name before returning the stream. */
  save(names: string[]): Readable;
  /** Push one tag; progress goes to `onMessage`, as for pull. */
  push(opts: { name: string; tag?: string; auth?: AuthConfig; signal?: AbortSignal }, onMessage: (m: JSONMessage) => void): Promise<string>;
  history(name: string): unknown[];
  prune(opts: { filters?: string }): Promise<unknown>;
}

/** A container's filesystem as data: commit, diff, export. */
export interface CommitsBackend {
  commit(container: string, opts: { repo?: string; tag?: string; comment?: string; author?: string; changes?: string[]; config?: Record<string, unknown>; pause?: boolean }): Promise<string>;
  changes(container: string): Promise<{ Path: string; Kind: number }[]>;
  /** The tar stream; throws (not-found…) before anything is sent. */
  export(container: string): Promise<Readable>;
}

export interface AuthBackend {
  /** Check credentials against a registry; throws unauthorized when refused. */
  login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }>;
  /** A reference's manifest descriptor and platforms, asked of its registry (nothing pulled). */
  distributionInspect(name: string, auth?: AuthConfig): Promise<{ Descriptor: { mediaType: string; digest: string; size: number }; Platforms: { architecture: string; os: string; variant?: string }[] | null }>;
}

export interface PathStatView { name: string; size: number; mode: number; mtime: string; linkTarget: string }

export interface ArchiveBackend {
  stat(id: string, path: string): Promise<PathStatView>;
  /** Calls `sink` with the stat and the tar once the path is found; resolves when the tar is written. */
  get(id: string, path: string, sink: (stat: PathStatView, tar: Readable) => Promise<void>): Promise<void>;
  put(id: string, path: string, tar: Readable, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void>;
}

export interface DiskUsageBackend {
  df(types: string[]): Promise<unknown>;
  pruneContainers(filters: string | undefined): Promise<unknown>;
}

export interface VolumesBackend {
  list(filters: string | undefined): unknown;
  create(body: unknown): Promise<unknown>;
  inspect(name: string): unknown;
  remove(name: string, opts: { force?: boolean }): Promise<void>;
  prune(filters: string | undefined, opts: { allByDefault?: boolean }): Promise<unknown>;
}

export interface NetworksBackend {
  list(filters?: string): unknown[];
  inspect(ref: string): unknown;
  create(body: unknown): Promise<{ Id: string; Warning: string }>;
  remove(ref: string): Promise<void>;
  prune(filters?: string): Promise<{ NetworksDeleted: string[] }>;
  connect(ref: string, body: unknown): Promise<void>;
  disconnect(ref: string, body: unknown): Promise<void>;
}

export interface BuildRequestOptions {
  tags: string[];
  dockerfile?: string;
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  pull: boolean;
  network: string;
  extraHosts?: string[];
  cacheFrom?: string[];
  platform?: string;
}

export interface BuildsBackend {
  /** Accept the context and parse the Dockerfile; throws (→ HTTP status) before anything streams. */
  prepare(context: Readable, opts: BuildRequestOptions): Promise<{
    run(out: { stream(text: string): void | Promise<void>; aux(v: unknown): void; progress?: BuildSteps }, signal: AbortSignal): Promise<string>;
    discard(): Promise<void>;
  }>;
  /** The errorDetail code of a failed build (a RUN step's exit code, else 1). */
  errorCode(err: unknown): number;
  /** The same failure in BuildKit's words (POST /build?version=2). */
  buildkitError(err: unknown): string;
  prune(opts: { all?: boolean }): Promise<unknown>;
}

export interface SystemBackend {
  version(): unknown;
  info(): unknown;
}

export interface ContainerOpsBackend {
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  top(id: string, psArgs: string): Promise<unknown>;
  /** One stats sample (Docker's shape without precpu_stats). */
  stats(id: string): Promise<unknown>;
  update(id: string, body: Record<string, unknown>): Promise<unknown>;
}

export interface ExecBackend {
  create(containerId: string, config: Record<string, unknown>): Promise<string>;
  start(id: string): Promise<void>;
  inspect(id: string): unknown;
  resize(id: string, height: number, width: number): Promise<void>;
  output(id: string, opts: { stdout: boolean; stderr: boolean; signal: AbortSignal }): AsyncIterable<LogLine>;
  attachStdin(id: string, source: Readable, signal: AbortSignal): Promise<void>;
}

export interface EventsBackend {
  /**
   * The event stream. since/until/filters are the raw query values; invalid
   * ones reject on the first `next()`, before anything is written.
   */
  subscribe(opts: { since?: string; until?: string; filters?: string; signal: AbortSignal }): AsyncIterable<unknown>;
}

export interface Backend {
  containers: ContainersBackend;
  images: ImagesBackend;
  auth: AuthBackend;
  system: SystemBackend;
  events: EventsBackend;
  volumes: VolumesBackend;
  networks?: NetworksBackend;
  archive: ArchiveBackend;
  builds: BuildsBackend;
  usage?: DiskUsageBackend;
  commits: CommitsBackend;
  exec: ExecBackend;
  containerOps: ContainerOpsBackend;
}
