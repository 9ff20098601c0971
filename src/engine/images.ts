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
import { saveArchive, type SaveEntry } from '../images/archive-save.js';
import { checkTag, parseReference, formatReference, familiarString, familiarName, repositoryName } from '../oci/reference.js';
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
      // like dockerd, an image listed by reference shows only the names that match
      imgs = imgs
        .map((i) => ({ ...i, refs: i.refs.filter((r) => refFilters.some((f) => refMatches(r, f))) }))
        .filter((i) => i.refs.length > 0);
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
    const img = await this.o.store.withLease(() => this.o.store.importRootfs(source, { ref, changes: opts.changes, message: opts.message }));
    this.o.events?.publish('image', 'import', img.id, ref ? { name: familiarString(parseReference(ref)) } : {});
    return img.id;
  }

  async load(source: Readable, onProgress: (line: string) => void): Promise<string[]> {
    const { loaded } = await this.o.store.withLease(() => loadArchive(source, { content: this.o.content, images: this.o.store }, { onProgress }));
    for (const l of loaded) {
      const img = this.o.store.tryResolveQuiet(l);
      this.o.events?.publish('image', 'load', img?.id ?? l, l.startsWith('sha256:') ? {} : { name: l });
    }
    return loaded;
  }

  /**
   * `docker save`: resolve every name first (404 before any byte is sent),
   * then stream one archive. A name without tag means every tag of that
   * repository (as dockerd); an ID saves the image without names.
   */
  save(names: string[]): Readable {
    if (!names.length) throw invalidArgument('no images specified');
    const byId = new Map<string, SaveEntry>();
    const add = (img: SaveEntry['image'], tags: string[]) => {
      const e = byId.get(img.id) ?? { image: img, tags: [] };
      for (const t of tags) if (!e.tags.includes(t)) e.tags.push(t);
      byId.set(img.id, e);
    };
    for (const name of names) {
      const isId = /^sha256:[a-f0-9]+$/.test(name) || /^[a-f0-9]{12,64}$/.test(name);
      let ref: ReturnType<typeof parseReference> | undefined;
      try { ref = parseReference(name); } catch { ref = undefined; }
      if (ref && !ref.tag && !ref.digest && !isId) {
        const repo = repositoryName(ref);
        const matches = this.o.store.list().filter((i) => i.refs.some((r) => !r.includes('@') && repositoryName(parseReference(r)) === repo));
        if (matches.length) {
          for (const img of matches) add(img, img.refs.filter((r) => !r.includes('@') && repositoryName(parseReference(r)) === repo));
          continue;
        }
      }
      const img = this.o.store.resolve(name);
      const canonical = ref && (ref.tag || !ref.digest) ? formatReference(ref.tag ? ref : { ...ref, tag: 'latest' }) : undefined;
      add(img, canonical && img.refs.includes(canonical) ? [canonical] : []);
    }
    const entries = [...byId.values()];
    const stream = saveArchive(entries, { content: this.o.content, layers: this.o.store.layerStore });
    stream.once('end', () => { for (const e of entries) this.o.events?.publish('image', 'save', e.image.id, e.tags.length ? { name: familiarString(parseReference(e.tags[0])) } : {}); });
    return stream;
  }

  tag(name: string, repo: string, tag?: string): void {
    if (!repo) throw invalidArgument('repository name must have at least one component');
    // as dockerd: the repository is parsed first, then the tag checked on its own
    if (tag) { parseReference(repo); checkTag(tag); }
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

  /** `GET /images/{name}/history`: newest first; IDs from the parent chain (`<missing>` past it), layer sizes per step. */
  history(name: string) {
    const img = this.o.store.resolve(name);
    const chain = this.o.store.layerChain(img);
    const entries = img.config.history ?? [];
    let layer = 0;
    const rows = entries.map((h) => {
      let size = 0;
      if (!h.empty_layer) { size = this.o.store.layerStore.get(chain[layer] ?? '')?.size ?? 0; layer++; }
      return { Id: '<missing>', Created: Math.floor(Date.parse(h.created ?? '') / 1000) || 0, CreatedBy: h.created_by ?? '', Tags: null as string[] | null, Size: size, Comment: h.comment ?? '' };
    }).reverse();
    let cur: typeof img | undefined = img;
    for (const row of rows) {
      if (!cur) break;
      row.Id = cur.id;
      const tags = cur.refs.filter((r) => !r.includes('@')).map((r) => familiarString(parseReference(r)));
      row.Tags = tags.length ? tags : null;
      const parent = this.o.store.parentOf(cur.id);
      cur = parent ? this.o.store.getById(parent) : undefined;
    }
    return rows;
  }

  /**
   * `POST /images/prune`: dangling images (untagged, no child images) by
   * default; every image no container uses with `dangling=false`. Filters
   * `until`, `label` (`label!=`) as Docker's.
   */
  async prune(opts: { filters?: string } = {}) {
    const filters = parseFilters(opts.filters);
    for (const k of filters.keys()) if (!['dangling', 'until', 'label', 'label!'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const dangling = filters.get('dangling')?.[0];
    const all = dangling === 'false' || dangling === '0';
    const until = filters.get('until')?.[0];
    const untilMs = until ? parseUntil(until) : undefined;
    const matches = (img: ReturnType<ImageStore['list']>[number]) => {
      const labels = img.config.config?.Labels ?? {};
      if (untilMs !== undefined && Date.parse(img.config.created ?? img.createdAt) >= untilMs) return false;
      for (const l of filters.get('label') ?? []) if (!matchLabel(labels, l)) return false;
      for (const l of filters.get('label!') ?? []) if (matchLabel(labels, l)) return false;
      return true;
    };
    const deleted: ({ Untagged: string } | { Deleted: string })[] = [];
    let reclaimed = 0;
    const sizes = new Map<string, number>();
    for (const img of this.o.store.list()) for (const c of this.o.store.layerChain(img)) sizes.set(c, this.o.store.layerStore.get(c)?.size ?? 0);
    for (let changed = true; changed;) {
      changed = false;
      for (const img of this.o.store.list()) {
        if (!this.o.store.getById(img.id)) continue; // gone with an earlier one's parents
        if ((!all && img.refs.length) || this.o.store.childrenOf(img.id).length || this.o.containers.imageUser(img.id) || !matches(img)) continue;
        const out = await this.remove(img.id, { force: true });
        for (const o of out) {
          deleted.push(o);
          if ('Deleted' in o) reclaimed += sizes.get(o.Deleted) ?? 0;
        }
        changed = true;
      }
    }
    this.o.events?.publish('image', 'prune', '', { reclaimed: String(reclaimed) });
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

}

/** Docker's reference filter: a glob over the familiar name, with or without the tag. */
function refMatches(canonical: string, pattern: string): boolean {
  const ref = parseReference(canonical);
  const glob = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  return glob.test(familiarString(ref)) || glob.test(familiarName(ref));
}

/** Docker's `until` filter: unix seconds, RFC 3339, or a Go duration before now. */
function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (!Number.isNaN(t)) return t;
  const m = /^(\d+)(s|m|h)$/.exec(v);
  if (m) return Date.now() - Number(m[1]) * ({ s: 1e3, m: 6e4, h: 36e5 } as Record<string, number>)[m[2]];
  throw invalidArgument(`invalid until filter: ${v}`);
}
