/**
 * snapshots/snapshotter — filesystem trees for layers and containers.
 *
 * Vocabulary (after containerd): a committed *layer* is a read-only tree
 * named by its chain ID; a container's *rw layer* is a writable upper tree
 * keyed by the container ID; the *rootfs* is the union mount of an ordered
 * list of layers (lowest first) under the container's rw layer.
 *
 * Lifecycle of a layer: `prepareLayer()` gives an empty temp directory; the
 * caller fills it (applyLayer); `commitLayer(tmp, chainId)` renames it into
 * place atomically. A temp directory left by a crash is removed by
 * `cleanupTemp()`. Layers are shared: one tree per chain ID, used by every
 * image and container above it.
 *
 * Worked example, importing a two-layer image:
 *   t1 = prepareLayer(); applyLayer(t1, tarA); commitLayer(t1, chainA)
 *   t2 = prepareLayer(); applyLayer(t2, tarB); commitLayer(t2, chainAB)
 *   createRw(cid); mountRootfs(cid, [chainA, chainAB], target)
 */
export interface Snapshotter {
  hasLayer(chainId: string): Promise<boolean>;
  prepareLayer(): Promise<string>;
  commitLayer(tempDir: string, chainId: string): Promise<void>;
  discardTemp(tempDir: string): Promise<void>;
  removeLayer(chainId: string): Promise<void>;
  /** Directory of a committed layer's tree. */
  layerDir(chainId: string): string;
  /** Chain IDs whose trees exist on disk. */
  listLayers(): Promise<string[]>;
  cleanupTemp(): Promise<void>;

  /**
   * Make a container's rw layer. With `init`, also its *init layer*: a tree
   * `init(dir)` fills once, here and now, that sits read-only between the
   * layers and the rw layer (dockerd's `<id>-init`): in the rootfs, never in
   * the rw layer's diff or in a commit.
   */
  createRw(containerId: string, init?: (dir: string) => Promise<void>): Promise<void>;
  removeRw(containerId: string): Promise<void>;
  rwDir(containerId: string): string;
  /** The container's init layer tree, when it has one. */
  initDir(containerId: string): string | undefined;
  /** Mount the union (init layer included); `layers` lowest first. Idempotent when already mounted. */
  mountRootfs(containerId: string, layers: string[], target: string): Promise<void>;
  unmountRootfs(target: string): Promise<void>;
}
