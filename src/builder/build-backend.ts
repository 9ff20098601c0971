/**
 * builder/build-backend — what the builder needs from the engine, declared
 * here and implemented by `engine/builds.ts` (so the builder imports no
 * engine code and tests can drive it with a fake).
 *
 * Vocabulary: a *BuildImage* is a registered image (ID + config); a
 * *scratch mount* is a writable view of an image (overlay: the image's
 * layers under a fresh upper tree) that the builder changes (COPY, WORKDIR)
 * and then turns into at most one layer; a *RUN step* does the same with a
 * real container. Every mount and step must end with `release()`, also on
 * errors and cancellation — that removes the container / upper tree.
 */
import type { ImageConfig } from '../oci/image.js';

export interface BuildImage {
  /** `sha256:<hex>` */
  id: string;
  config: ImageConfig;
}

/** Changes made on top of an image, not yet a layer. */
export interface PendingLayer {
  /**
   * Turn the changes into a layer on top of the base image's chain (tar of
   * the upper tree with fixed timestamps `mtime`). Returns the diff ID, or
   * null when nothing changed.
   */
  commitLayer(mtime: Date): Promise<string | null>;
  /** Drop the container / upper tree and unmount. Idempotent. */
  release(): Promise<void>;
}

export interface ScratchMount extends PendingLayer {
  /** Host path of the mounted rootfs. */
  rootfs: string;
}

export interface RunStepRequest {
  image: BuildImage;
  /** The complete argv (shell form already wrapped in the SHELL). */
  argv: string[];
  env: string[];
  user: string;
  workdir: string;
  /** Docker network mode for the step (`default` → the daemon's default). */
  network: string;
  extraHosts?: string[];
  /** Output of the step; a returned promise holds the step's output back until the client took it (back-pressure). */
  onOutput: (text: string, stream: 'stdout' | 'stderr') => void | Promise<void>;
  signal: AbortSignal;
  /** Called with the container ID as soon as it exists (for the step view). */
  onContainer?: (id: string) => void;
}

export interface RunStepResult extends PendingLayer {
  exitCode: number;
  containerId: string;
}

export interface BuildBackend {
  /** An image by reference or ID. `pull`: fetch even if present (when the engine can pull). Throws not-found. */
  resolveImage(ref: string, opts: { pull: boolean; platform?: string; signal: AbortSignal; onProgress?: (line: string) => void }): Promise<BuildImage>;
  /** A writable view of `image` (null = scratch). */
  mount(image: BuildImage | null): Promise<ScratchMount>;
  /** Run one RUN step in a real container and wait for it to exit. */
  run(req: RunStepRequest): Promise<RunStepResult>;
  /** `user[:group]` (names or IDs) → numeric IDs using the rootfs's /etc/passwd and /etc/group. */
  lookupUser(rootfs: string, spec: string): Promise<{ uid: number; gid: number }>;
  /** Store a config (its layers already committed) as a new image whose parent is `parent`. */
  registerImage(config: ImageConfig, parent: string | null): Promise<BuildImage>;
  /** The image cached for a step key, if it still exists; with `allowed` (a build's --cache-from set), only one of those. */
  cacheGet(key: string, allowed?: ReadonlySet<string>): BuildImage | undefined;
  cachePut(key: string, imageId: string): void;
  /** Point a (full, canonical-able) reference at an image. Returns the familiar name. */
  tag(imageId: string, ref: string): string;
}
