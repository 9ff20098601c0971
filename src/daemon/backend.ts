/**
 * daemon/backend — adapts the engine services to the server's Backend
 * interfaces (server/backend.ts). Shape conversion only.
 */
import type { Backend } from '../server/backend.js';
import type { ContainerService } from '../engine/containers.js';
import { containerInspect, containerList } from '../engine/containers.js';
import type { ImageService } from '../engine/images.js';
import type { RegistryService } from '../engine/registry-service.js';
import type { SystemService } from '../engine/system.js';
import type { EventsService } from '../engine/events.js';
import type { ExecService, ExecConfig } from '../engine/exec.js';
import { parseEventTime } from '../engine/events.js';
import type { VolumeService, VolumeCreateRequest } from '../engine/volumes.js';
import { parseFilters } from '../engine/container-views.js';
import type { NetworkService, NetworkCreateRequest } from '../engine/networks.js';
import { archivePath, extractArchive, statPath } from '../engine/container-archive.js';
import { buildErrorCode, buildkitErrorMessage, type BuildService } from '../engine/builds.js';
import type { DiskUsageService } from '../engine/disk-usage.js';
import type { CommitService } from '../engine/commits.js';
import type { ImageStore } from '../images/image-store.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import type { CreateRequest } from '../engine/container-types.js';
import { dockerTimestamp, type LogRecord } from '../runtime/log-file.js';

const toLine = (r: LogRecord) => ({ stream: r.stream, data: r.data, partial: r.partial, timestamp: dockerTimestamp(r) });

async function* mapLines(it: AsyncIterable<LogRecord>) {
  for await (const r of it) yield toLine(r);
}

async function* eventStream(events: EventsService, o: { since?: string; until?: string; filters?: string; signal: AbortSignal }) {
  const sinceNs = parseEventTime(o.since);
  const untilNs = parseEventTime(o.until);
  yield* events.subscribe({ sinceNs, untilNs, filters: parseFilters(o.filters), signal: o.signal });
}

export function createBackend(s: { containers: ContainerService; images: ImageService; registry: RegistryService; system: SystemService; builds: BuildService; commits: CommitService; imageStore: ImageStore; snapshots: Snapshotter; events: EventsService; volumes: VolumeService; networks?: NetworkService ; usage?: DiskUsageService ; exec: ExecService }): Backend {
  const c = s.containers;
  const n = s.networks;
  const networkIdOf = (name: string) => n?.tryGet(name)?.id ?? '';
  return {
    containers: {
      create: async (body, opts) => { const r = await c.create(body as CreateRequest, opts); return { Id: r.id, Warnings: r.warnings }; },
      start: (id) => c.start(id),
      stop: (id, o) => c.stop(id, o),
      kill: (id, sig) => c.kill(id, sig),
      restart: (id, o) => c.restart(id, o),
      remove: (id, o) => c.remove(id, o),
      removeLink: (name) => c.removeLink(name),
      rename: (id, name) => c.rename(id, name),
      wait: (id, cond, signal) => c.wait(id, cond, signal),
      inspect: (id) => { const v = containerInspect(c, s.snapshots, id, networkIdOf); const ids = s.exec.idsOf(v.Id); return { ...v, ExecIDs: ids.length ? ids : null }; },
      list: (o) => (o.size && s.usage ? s.usage.withSizes(containerList(c, s.imageStore, o, networkIdOf)) : containerList(c, s.imageStore, o, networkIdOf)),
      isTty: (id) => c.get(id).config.Tty,
      resolve: (id) => c.get(id).id,
      logs: (id, o) => { c.get(id); return mapLines(c.logs(id, o)); },
      attachOutput: (id, o) => mapLines(c.attachOutput(id, o)),
      attachStdin: (id, src, signal) => c.attachStdin(id, src, { signal }),
      resize: (id, h, w) => c.resize(id, h, w),
    },
    images: {
      list: (o) => s.images.list(o),
      inspect: (n) => s.images.inspect(n),
      importRootfs: (src, o) => s.images.importRootfs(src, o),
      load: (src, p) => s.images.load(src, p),
      tag: (n, r, t) => s.images.tag(n, r, t),
      remove: (n, o) => s.images.remove(n, o),
      pull: (o, onMessage) => s.registry.pull(o, onMessage),
      push: (o, onMessage) => s.registry.push(o, onMessage),
      save: (names) => s.images.save(names),
      history: (n) => s.images.history(n),
      prune: (o) => s.images.prune(o),
    },
    commits: {
      commit: (c, o) => s.commits.commit(c, o),
      changes: (c) => s.commits.changes(c),
      export: (c) => s.commits.export(c),
    },
    auth: {
      login: (a) => s.registry.login(a),
      distributionInspect: (n, a) => s.registry.distributionInspect(n, a),
    },
    builds: {
      prepare: (src, o) => s.builds.prepare(src, o),
      errorCode: (err) => buildErrorCode(err),
      buildkitError: (err) => buildkitErrorMessage(err),
      prune: (o) => s.builds.prune(o),
    },
    system: {
      version: () => s.system.version(),
      info: () => s.system.info(),
    },
    events: {
      subscribe: (o) => eventStream(s.events, o),
    },
    usage: s.usage && {
      df: (types) => s.usage!.df(types),
      pruneContainers: (f) => s.usage!.pruneContainers(parseFilters(f)),
    },
    archive: {
      stat: (id, path) => c.withFilesystem(id, (fs) => statPath(fs, path, id)),
      get: (id, path, sink) => c.withFilesystem(id, async (fs, rec) => {
        const a = await archivePath(fs, path, id);
        c.emit(rec, 'archive-path');
        await sink(a.stat, a.tar);
        await a.done;
      }),
      put: (id, path, tar, o) => c.withFilesystem(id, async (fs, rec) => {
        await extractArchive(fs, path, id, tar, { noOverwriteDirNonDir: o.noOverwriteDirNonDir, owner: o.copyUIDGID ? await c.userIds(rec) : undefined });
        c.emit(rec, 'extract-to-dir');
      }),
    },
    volumes: {
      list: (f) => s.volumes.list(parseFilters(f)),
      create: (body) => s.volumes.create(body as VolumeCreateRequest),
      inspect: (name) => s.volumes.inspect(name),
      remove: (name, o) => s.volumes.remove(name, o),
      prune: (f, o) => s.volumes.prune(parseFilters(f), o),
    },
    ...(n ? {
      networks: {
        list: (f) => n.listView(f),
        inspect: (ref) => n.inspect(ref),
        create: (body) => n.create(body as NetworkCreateRequest),
        remove: (ref) => n.remove(ref),
        prune: (f) => n.prune(f),
        connect: (ref, body) => n.connect(ref, body as Parameters<NetworkService['connect']>[1]),
        disconnect: (ref, body) => n.disconnect(ref, body as Parameters<NetworkService['disconnect']>[1]),
      },
    } : {}),
    containerOps: {
      pause: (id) => c.pause(id),
      unpause: (id) => c.unpause(id),
      top: (id, a) => c.top(id, a),
      stats: (id) => c.statsSample(id),
      update: (id, body) => c.updateResources(id, body),
    },
    exec: {
      create: async (id, cfg) => s.exec.create(id, cfg as ExecConfig),
      start: async (id) => { await s.exec.start(id); },
      inspect: (id) => s.exec.inspect(id),
      resize: (id, h, w) => s.exec.resize(id, h, w),
      output: (id, o) => mapLines(s.exec.output(id, o)),
      attachStdin: (id, src, signal) => s.exec.attachStdin(id, src, signal),
    },
  };
}
