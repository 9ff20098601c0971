/**
 * engine/images — the image service: Docker's image semantics over the
 * image store (list, inspect, import, load, tag, remove with the
 * "in use by a container" rules).
 */
import type { Readable } from 'node:stream';
import { invalidArgument } from '../errdefs/errors.js';
import type { ContentStore } from '../content/content-store.js';
import type { ImageStore } from '../images/image-store.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import { loadArchive } from '../images/archive-load.js';
import { parseReference, formatReference, familiarString, familiarName } from '../oci/reference.js';
import { imageInspect, imageSummary } from './image-views.js';
import { parseFilters, matchLabel } from './container-views.js';
import type { ContainerService } from './containers.js';
import type { EventPublisher } from './events.js';

export class ImageService {
  constructor(private readonly o: { store: ImageStore; content: ContentStore; snapshots: Snapshotter; containers: ContainerService; events?: EventPublisher }) {}

  list(opts: { all?: boolean; filters?: string } = {}) {
    const filters = parseFilters(opts.filters);
    for (const k of filters.keys()) if (!['dangling', 'label', 'reference', 'before', 'since', 'until'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const counts = new Map<string, number>();
    for (const c of this.o.containers.list()) counts.set(c.imageId, (counts.get(c.imageId) ?? 0) + 1);
    let imgs = this.o.store.list();
    // Docker hides untagged intermediate images (the parents of other images) unless `all`.
    if (!opts.all) {
      const parents = this.o.store.parentIds();
      imgs = imgs.filter((i) => i.refs.length > 0 || !parents.has(i.id));
    }
    const dangling = filters.get('dangling');
    if (dangling?.length) imgs = imgs.filter((i) => (i.refs.length === 0) === (dangling[0] === 'true' || dangling[0] === '1'));
    for (const l of filters.get('label') ?? []) imgs = imgs.filter((i) => matchLabel(i.config.config?.Labels ?? {}, l));
    const refFilters = filters.get('reference');
    if (refFilters?.length) {
      imgs = imgs.filter((i) => i.refs.some((r) => refFilters.some((f) => refMatches(r, f))));
    }
    return imgs
      .map((i) => imageSummary(i, counts.get(i.id) ?? 0, this.o.store.parentOf(i.id)))
      .sort((a, b) => b.Created - a.Created || (a.Id < b.Id ? -1 : 1));
  }

  inspect(name: string) {
    const img = this.o.store.resolve(name);
    return imageInspect(img, { lowerDirs: [...this.o.store.layerChain(img)].reverse().map((c) => this.o.snapshots.layerDir(c)), parent: this.o.store.parentOf(img.id) });
  }

  async importRootfs(source: Readable, opts: { repo?: string; tag?: string; changes?: string[]; message?: string }): Promise<string> {
    let ref: string | undefined;
    if (opts.repo) {
      // `repo` may carry its own tag; an explicit `tag` replaces it (as dockerd does).
      const r = parseReference(opts.repo);
      if (r.digest) throw invalidArgument('cannot import with a digest reference');
      ref = formatReference(opts.tag ? { ...r, tag: opts.tag } : r);
    }
    const img = await this.o.store.importRootfs(source, { ref, changes: opts.changes, message: opts.message });
    this.o.events?.publish('image', 'import', img.id, ref ? { name: familiarString(parseReference(ref)) } : {});
    return img.id;
  }

  async load(source: Readable, onProgress: (line: string) => void): Promise<string[]> {
    const { loaded } = await loadArchive(source, { content: this.o.content, images: this.o.store }, { onProgress });
    for (const l of loaded) {
      const img = this.o.store.tryResolveQuiet(l);
      this.o.events?.publish('image', 'load', img?.id ?? l, l.startsWith('sha256:') ? {} : { name: l });
    }
    return loaded;
  }

  tag(name: string, repo: string, tag?: string): void {
    if (!repo) throw invalidArgument('repository name must have at least one component');
    const target = tag ? `${repo}:${tag}` : repo;
    const img = this.o.store.resolve(name);
    this.o.store.tag(img.id, target);
    this.o.events?.publish('image', 'tag', img.id, { name: familiarString(parseReference(target)) });
  }

  async remove(name: string, opts: { force?: boolean; noprune?: boolean } = {}) {
    const imageId = this.o.store.tryResolveQuiet(name)?.id ?? '';
    const firstParent = imageId ? this.o.store.parentOf(imageId) : undefined;
    const r = await this.o.store.remove(name, { force: opts.force, usedBy: (id) => this.o.containers.imageUser(id) });
    for (const u of r.untagged) this.o.events?.publish('image', 'untag', imageId, { name: u });
    if (r.deleted.includes(imageId)) this.o.events?.publish('image', 'delete', imageId, {});
    const out: ({ Untagged: string } | { Deleted: string })[] = [];
    for (const u of r.untagged) out.push({ Untagged: u });
    for (const d of r.deleted) out.push({ Deleted: d });
    // Like Docker: deleting an image also deletes its untagged, otherwise unused parents (build steps), unless noprune.
    if (!opts.noprune && r.deleted.includes(imageId)) {
      let parent = firstParent;
      while (parent) {
        const img = this.o.store.getById(parent);
        if (!img || img.refs.length || this.o.store.childrenOf(img.id).length || this.o.containers.imageUser(img.id)) break;
        const next = this.o.store.parentOf(img.id);
        const pr = await this.o.store.remove(img.id, { usedBy: () => undefined });
        for (const d of pr.deleted) out.push({ Deleted: d });
        this.o.events?.publish('image', 'delete', img.id, {});
        parent = next;
      }
    }
    return out;
  }
}

/** Docker's reference filter: a glob over the familiar name, with or without the tag. */
function refMatches(canonical: string, pattern: string): boolean {
  const ref = parseReference(canonical);
  const glob = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  return glob.test(familiarString(ref)) || glob.test(familiarName(ref));
}
