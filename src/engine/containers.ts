/**
 * engine/containers — the container service: Docker's container semantics
 * (create, start, stop, kill, restart, wait, rm, rename, logs, list,
 * inspect) on top of the image store, the snapshotter, conmon and an OCI
 * runtime. No HTTP here: methods throw BerthErrors whose kinds the server
 * maps to statuses.
 *
 * Crash safety: a record is inserted only after its directories exist, and
 * state changes are written after the fact they describe, so `reconcile()`
 * at start-up can always tell what really happened from the runtime, the
 * monitor's exit files and the mount table.
 *
 * May import: images, snapshots, runtime, metadata, oci, lib, errdefs.
 */
import { mkdir, rm, readFile, writeFile, stat, access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { watch, existsSync, type FSWatcher } from 'node:fs';
import { conflict, invalidArgument, notFound, notModified, notImplemented, BerthError, findBerthError } from '../errdefs/errors.js';
import { newId } from '../lib/ids.js';
import { KeyedMutex } from '../lib/mutex.js';
import { atomicWrite } from '../lib/atomic-write.js';
import { pidAlive, waitPidGone } from '../lib/process-state.js';
import { secureJoin, secureMkdirAll } from '../lib/secure-join.js';
import type { Logger } from '../lib/log.js';
import type { ContainerRecords } from '../metadata/container-records.js';
import type { ImageStore } from '../images/image-store.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import type { OciRuntime } from '../runtime/oci-runtime.js';
import { launchMonitor } from '../runtime/monitor.js';
import { openStdinRelay, reopenLog, resizeTerminal } from '../runtime/attach-relay.js';
import type { Readable } from 'node:stream';
import { buildSpec, buildResources, resolveCapabilities, MASKED_PATHS, READONLY_PATHS } from '../runtime/spec.js';
import { seccompFromDockerProfile } from '../runtime/seccomp.js';
import { defaultSeccomp } from '../runtime/seccomp-default.js';
import type { LinuxSeccomp } from '../oci/runtime-spec.js';
import { parseSecurityOpts, type SeccompChoice } from './security-opts.js';
import { resolveIsolation, validateIsolation, type IsolationTargets } from './isolation-modes.js';
import { linkEnv, linkTargets, normalizeLinks, parseLink } from './container-links.js';
import { isMountPoint, mountFilesystem, unmount } from '../snapshots/mounter.js';
import { hostPs, type TopResult } from '../runtime/host-ps.js';
import { sampleStats, type StatsSample } from '../runtime/cgroup-stats.js';
import { parsePasswd, parseGroup, resolveUser } from '../runtime/user.js';
import { readLog, fileSize, rotateLogFiles, type LogRecord } from '../runtime/log-file.js';
import { logPolicy, type LogConfig, type LogPolicy } from './log-config.js';
import { familiarFromCanonical } from '../oci/reference.js';
import { mergeConfig, processEnv, validateExposedPorts, validateHostConfig, validateName } from './container-config.js';
import { checkImagePlatform, containerSysctls, validateHealthcheck } from './create-checks.js';
import { restartDelayMs, restartPlanned } from './restart-policy.js';
import { hostsFile, resolvConf } from './container-files.js';
import { planMounts, type ContainerMounts } from './container-mounts.js';
import { ContainerFs, type FsMount } from './container-fs.js';
import { writeInitLayer } from './init-layer.js';
import { lowerStatIn } from '../snapshots/layer-diff.js';
import type { Mount } from '../oci/runtime-spec.js';
import type { ContainerNetworking } from './container-network.js';
import { randomName } from './names.js';
import { inspectView, summaryView, parseFilters, filterContainers, linkNames } from './container-views.js';
import { signalNumber, signalName } from './signals.js';
import type { EventPublisher } from './events.js';
import { RunScopes, type RunScope } from './run-scopes.js';
import { ZERO_TIME, type ContainerRecord, type CreateRequest, type ContainerStatus } from './container-types.js';

export interface ContainerServiceOptions {
  dataRoot: string;
  execRoot: string;
  records: ContainerRecords<ContainerRecord>;
  images: ImageStore;
  snapshots: Snapshotter;
  runtimes: Map<string, OciRuntime>;
  defaultRuntime: string;
  conmonPath: string;
  cgroupParent: string;
  cgroupVersion: 1 | 2;
  ncpu: number;
  log: Logger;
  /** A static init binary (tini-static) bind-mounted as /sbin/docker-init for --init. */
  initPath?: string;
  /** Host resolv.conf to derive containers' from. */
  hostResolvConf?: string;
  events?: EventPublisher;
  /** Volumes, binds and tmpfs mounts (engine/container-mounts); without it, containers with mounts are refused. */
  mounts?: ContainerMounts;
  /** Networking (engine/container-network); without it containers get a loopback-only namespace. */
  network?: ContainerNetworking;
  /** The log driver and options of containers that name none (dockerd's log-driver / log-opts). */
  logDefault?: LogConfig;
  /** berthd's own hard rlimits by ulimit name (undefined = unlimited): the most a container may ask for. */
  ownHardLimits?: Record<string, number | undefined>;
  /** Capabilities berthd holds (its bounding set): the most a container can get. Default: all. */
  availableCapabilities?: string[];
  /** The seccomp profile of containers that do not choose one (dockerd's --seccomp-profile); default: berth's built-in profile. */
  seccompDefault?: SeccompChoice;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface LogsOptions {
  stdout: boolean;
  stderr: boolean;
  follow?: boolean;
  tail?: number;
  sinceMs?: number;
  untilMs?: number;
  signal?: AbortSignal;
}

type Waiter = (rec: ContainerRecord) => void;

export class ContainerService {
  private readonly lock = new KeyedMutex();
  private readonly exitWaiters = new Map<string, Set<Waiter>>();
  private readonly removeWaiters = new Map<string, Set<Waiter>>();
  private readonly startWaiters = new Map<string, Set<Waiter>>();
  private readonly handlingExit = new Set<string>();
  /** Copies and exports using a stopped container's mounted rootfs (withFilesystem), by container. */
  private readonly fsUsers = new Map<string, number>();
  /** Timers of each container run (stop deadlines, lost-monitor fallbacks) and restart-policy timers. */
  private readonly runs = new RunScopes();
  private watcher?: FSWatcher;
  private poller?: NodeJS.Timeout;
  /** set by stopExitWatcher (which also closes the watcher): a poll still reading the directory then stops (the store is closing). */
  private exitWatchStopped = false;
  private readonly exitDir: string;

  constructor(private readonly o: ContainerServiceOptions) {
    this.exitDir = join(o.execRoot, 'exits');
  }

  // ---- paths --------------------------------------------------------------
  containerDir(id: string) { return join(this.o.dataRoot, 'containers', id); }
  rootfsDir(id: string) { return join(this.containerDir(id), 'rootfs'); }
  logPath(id: string) { return join(this.containerDir(id), 'container.log'); }
  bundleDir(id: string) { return join(this.o.execRoot, 'containers', id); }
  private persistDir(id: string) { return join(this.bundleDir(id), 'persist'); }
  private monitorPidFile(id: string) { return join(this.bundleDir(id), 'conmon.pid'); }

  private async readMonitorPid(id: string): Promise<number | undefined> {
    return Number((await readFile(this.monitorPidFile(id), 'utf8').catch(() => '0')).trim()) || undefined;
  }

  async init(): Promise<void> {
    await mkdir(join(this.o.dataRoot, 'containers'), { recursive: true });
    await mkdir(join(this.o.execRoot, 'containers'), { recursive: true });
    await mkdir(this.exitDir, { recursive: true });
    await mkdir(join(this.o.execRoot, 'sockets'), { recursive: true });
  }

  // ---- lookup -------------------------------------------------------------
  /** Resolve a full ID, a name (with or without "/"), or a unique ID prefix. */
  get(ref: string): ContainerRecord {
    const r = this.tryGet(ref);
    if (!r) throw notFound(`No such container: ${ref}`, 'NO_SUCH_CONTAINER');
    return r;
  }

  tryGet(ref: string): ContainerRecord | undefined {
    if (!ref) return undefined;
    const byId = this.o.records.get(ref);
    if (byId) return byId;
    const byName = this.o.records.getByName(ref.replace(/^\//, ''));
    if (byName) return byName;
    if (/^[a-f0-9]+$/.test(ref)) {
      const ids = this.o.records.findByPrefix(ref);
      if (ids.length > 1) throw conflict(`multiple IDs found with provided prefix: ${ref}`, 'AMBIGUOUS_ID');
      if (ids.length === 1) return this.o.records.get(ids[0]);
    }
    return undefined;
  }

  list(): ContainerRecord[] {
    return this.o.records.list();
  }

  runtimeFor(rec: ContainerRecord): OciRuntime {
    return this.o.runtimes.get(rec.runtime) ?? this.o.runtimes.get(this.o.defaultRuntime)!;
  }

  /** Publish a container event with Docker's attributes: the container's labels, image and name, then extras. */
  emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.o.events?.publish('container', action, rec.id, { ...(rec.config.Labels ?? {}), image: rec.config.Image, name: rec.name, ...extra });
  }

  private save(rec: ContainerRecord): void {
    this.o.records.update(rec);
  }

  /** Run `fn` on the current record under the container's lock and save it (for network connect/disconnect). */
  async update(id: string, fn: (rec: ContainerRecord) => Promise<void>): Promise<void> {
    await this.lock.run(id, async () => {
      const rec = this.get(id);
      await fn(rec);
      this.save(rec);
    });
  }

  // ---- create -------------------------------------------------------------
  async create(req: CreateRequest, opts: { name?: string; platform?: string } = {}): Promise<{ id: string; warnings: string[] }> {
    if (!req || typeof req !== 'object') throw invalidArgument('invalid container config');
    if (!req.Image) throw invalidArgument('no image specified', 'INVALID_PARAMETER');
    const image = this.o.images.tryResolve(req.Image);
    if (!image) throw notFound(`No such image: ${displayImageName(req.Image)}`, 'NO_SUCH_IMAGE');
    checkImagePlatform(opts.platform, req.Image, image.config);
    validateHealthcheck(req.Healthcheck);
    const hostConfig = validateHostConfig(req.HostConfig ?? {}, { ncpu: this.o.ncpu, logDefault: this.o.logDefault });
    parseSecurityOpts(hostConfig.SecurityOpt);
    Object.assign(hostConfig, validateIsolation(hostConfig, { targets: this.isolationTargets(), ownHardLimits: this.o.ownHardLimits ?? {} }));
    // dockerd records the default masked and read-only paths (inspect shows them); the docker CLI sends [] for systempaths=unconfined
    if (!hostConfig.Privileged) {
      if (!Array.isArray(hostConfig.MaskedPaths)) hostConfig.MaskedPaths = [...MASKED_PATHS];
      if (!Array.isArray(hostConfig.ReadonlyPaths)) hostConfig.ReadonlyPaths = [...READONLY_PATHS];
    }
    for (const p of [...(hostConfig.MaskedPaths ?? []), ...(hostConfig.ReadonlyPaths ?? [])]) {
      if (typeof p !== 'string' || !p.startsWith('/')) throw invalidArgument(`invalid masked or read-only path ${JSON.stringify(p)}: must be absolute`);
    }
    if (hostConfig.Init) this.initBinary();
    validateExposedPorts(req.ExposedPorts);
    const merged = mergeConfig(req, image.config.config ?? {}, req.Image);
    if (hostConfig.NetworkMode?.startsWith('container:')) {
      // Docker records the joined container by ID and gives this one its hostname
      const ref = hostConfig.NetworkMode.slice('container:'.length);
      // bad input rather than a 404, which would make the docker CLI try to pull the image
      const other = this.tryGet(ref);
      if (!other) throw invalidArgument(`invalid network mode container:${ref}: No such container: ${ref}`);
      hostConfig.NetworkMode = `container:${other.id}`;
      if (!req.Hostname) merged.config.Hostname = other.config.Hostname;
    }
    const net = this.o.network?.prepare({ ...req, ExposedPorts: merged.config.ExposedPorts as CreateRequest['ExposedPorts'] }, hostConfig);
    resolveCapabilities(hostConfig.CapAdd ?? [], hostConfig.CapDrop ?? [], !!hostConfig.Privileged, this.o.availableCapabilities);
    const runtime = (hostConfig.Runtime as string | undefined) || this.o.defaultRuntime;
    if (!this.o.runtimes.has(runtime)) throw invalidArgument(`unknown or invalid runtime name: ${runtime}`);
    // a missing --volumes-from container is bad input (a 404 would make the docker CLI pull the image)
    const volumesFrom = (r: string) => { const c = this.tryGet(r); if (!c) throw invalidArgument(`No such container: ${r}`); return c; };
    const plan = planMounts({ hostConfig, volumes: merged.config.Volumes, getContainer: volumesFrom, fileExists: existsSync });
    if (plan.length && !this.o.mounts) throw notImplemented('volumes and bind mounts are not supported by this daemon');

    let name: string;
    if (opts.name) {
      name = validateName(opts.name);
      const existing = this.o.records.getByName(name);
      if (existing) throw nameConflict(name, existing.id);
    } else {
      name = randomName();
      for (let i = 1; this.o.records.getByName(name); i++) name = randomName(i);
    }

    if (((hostConfig.Links ?? []) as string[]).length) hostConfig.Links = this.o.network?.legacyLinksIgnored(hostConfig) ? null : normalizeLinks(hostConfig.Links as string[], name, (r) => this.get(r));
    const id = newId();
    merged.config.Hostname ||= id.slice(0, 12);
    const rec: ContainerRecord = {
      id,
      name,
      imageId: image.id,
      created: new Date().toISOString(),
      path: merged.path,
      args: merged.args,
      config: merged.config,
      hostConfig: { ...hostConfig, Runtime: runtime },
      state: { Status: 'created', Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, OOMKilled: false },
      restartCount: 0,
      layers: this.o.images.layerChain(image),
      runtime,
      ...(net ? { net } : {}),
    };
    // volumes first: a bad volume (name, driver options) must leave nothing behind
    const mat = plan.length ? await this.o.mounts!.materialize(plan, id) : undefined;
    if (mat) rec.mounts = mat.mounts;
    try {
      await mkdir(this.containerDir(id), { recursive: true, mode: 0o710 });
      // Docker's init layer: /etc/hosts, /etc/resolv.conf, /.dockerenv, mount points… from create on (engine/init-layer)
      const below = lowerStatIn([...rec.layers].reverse().map((c) => this.o.snapshots.layerDir(c)));
      await this.o.snapshots.createRw(id, (dir) => writeInitLayer(dir, below));
      this.o.records.insert(rec);
      mat?.release();
    } catch (err) {
      await this.discardFiles(id);
      await mat?.undo();
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const other = this.o.records.getByName(name);
        throw nameConflict(name, other?.id ?? '');
      }
      throw err;
    }
    this.emit(rec, 'create');
    return { id, warnings: this.o.network?.warnings(hostConfig) ?? [] };
  }

  // ---- start --------------------------------------------------------------
  async start(ref: string): Promise<void> {
    const id = this.get(ref).id;
    await this.lock.run(id, async () => {
      const rec = this.get(id);
      if (rec.state.Status === 'running' || rec.state.Status === 'paused' || rec.state.Status === 'restarting') throw notModified('container already started', 'ALREADY_STARTED');
      if (rec.removing) throw conflict(`container is marked for removal and cannot be started`);
      await this.startLocked(rec);
    }).catch(async (err) => {
      // Like dockerd: a --rm container that fails to start is removed (docker run waits for that).
      const rec = this.o.records.get(id);
      if (rec?.hostConfig.AutoRemove && rec.state.Status === 'created') await this.remove(id, { force: true, removeVolumes: true }).catch(() => {});
      throw err;
    });
  }

  private async startLocked(rec: ContainerRecord): Promise<void> {
    const id = rec.id;
    const runtime = this.runtimeFor(rec);
    const rootfs = this.rootfsDir(id);
    // a new run: whatever the previous one scheduled (a stop's deadline, a pending restart) is cancelled
    const runId = RunScopes.newRunId();
    this.runs.begin(id, runId);
    try {
      await this.o.snapshots.mountRootfs(id, rec.layers, rootfs);
      const extraMounts = (await this.o.mounts?.setup(rec, rootfs)) ?? [];
      const netSetup = await this.o.network?.setup(rec);
      // recorded before the container runs, so a crash from here on leaves state reconcile can undo
      if (this.o.network) this.save(rec);
      const ownShm = await this.mountShm(rec);
      const spec = await this.makeSpec(rec, rootfs, extraMounts, netSetup, ownShm);
      const bundle = this.bundleDir(id);
      await mkdir(this.persistDir(id), { recursive: true });
      await rm(join(this.exitDir, id), { force: true });
      await rm(join(this.persistDir(id), 'exit'), { force: true });
      await rm(join(this.persistDir(id), 'oom'), { force: true });
      // a runtime state left by a crash would make create fail; looking is cheaper than a `delete` run
      if (await runtime.exists(id)) await runtime.delete(id, true);
      const policy = logPolicy(rec.hostConfig.LogConfig);
      await atomicWrite(join(bundle, 'config.json'), JSON.stringify(spec));
      const launched = await launchMonitor(this.o.conmonPath, {
        id,
        name: rec.name,
        runtimePath: runtime.path,
        runtimeArgs: runtime.globalArgs,
        bundle,
        containerPidFile: join(bundle, 'pidfile'),
        conmonPidFile: this.monitorPidFile(id),
        exitDir: this.exitDir,
        persistDir: this.persistDir(id),
        logPath: this.logPath(id),
        // one file: conmon starts it over when full; several: berthd rotates them (rotateLogs)
        logSizeMax: policy.maxFile === 1 ? policy.maxSize : undefined,
        socketDir: join(this.o.execRoot, 'sockets'),
        stdin: !!rec.config.OpenStdin,
        terminal: !!rec.config.Tty,
        // A TTY's stdin stays open across attach clients (and a berthd crash); a
        // non-TTY StdinOnce container gets EOF when its attached client's stdin ends.
        leaveStdinOpen: !!rec.config.Tty || !rec.config.StdinOnce,
      });
      await runtime.start(id);
      const monitorPid = await this.readMonitorPid(id);
      rec.state = {
        ...rec.state,
        Status: 'running',
        // conmon reports the container's pid once the runtime created it
        Pid: launched.pid,
        ExitCode: 0,
        Error: '',
        StartedAt: new Date().toISOString(),
        FinishedAt: rec.state.FinishedAt,
        OOMKilled: false,
        monitorPid,
        stoppedByUser: false,
        runId,
      };
      this.save(rec);
      this.emit(rec, 'start');
      this.fire(this.startWaiters, rec);
      // It may already have exited (e.g. `true`): look now rather than wait for the watcher.
      if (await exists(join(this.exitDir, id))) void this.handleExit(id);
    } catch (err) {
      this.runs.end(id, runId);
      await runtime.delete(id, true).catch(() => {});
      await this.releaseShm(id, rec);
      await this.o.mounts?.release(rec);
      await this.o.network?.teardown(rec).catch((e) => this.o.log.warn('network teardown failed', { id, err: (e as Error).message }));
      await this.o.snapshots.unmountRootfs(rootfs).catch(() => {});
      const be = findBerthError(err);
      const msg = be?.message ?? (err as Error).message;
      rec.state = { ...rec.state, Error: msg, ExitCode: /not found|no such file/i.test(msg) ? 127 : /permission denied/i.test(msg) ? 126 : 128 };
      this.save(rec);
      // Waiters (docker run's wait, attach) learn of the failure as of an exit.
      this.fire(this.exitWaiters, rec);
      throw err;
    }
  }

  private async makeSpec(rec: ContainerRecord, rootfs: string, extraMounts: Mount[], netSetup?: { hostNetwork: boolean; netnsPath?: string }, ownShm?: string) {
    const hc = rec.hostConfig;
    const passwd = parsePasswd(await readInRoot(rootfs, '/etc/passwd'));
    const group = parseGroup(await readInRoot(rootfs, '/etc/group'));
    const user = resolveUser(rec.config.User, passwd, group, (hc.GroupAdd ?? []) as string[]);
    const cwd = rec.config.WorkingDir || '/';
    await secureMkdirAll(rootfs, cwd, 0o755);

    const dir = this.containerDir(rec.id);
    const hostNetwork = netSetup ? netSetup.hostNetwork : hc.NetworkMode === 'host';
    if (this.o.network) await this.o.network.writeEtcFiles(rec, dir);
    else await writeFile(join(dir, 'hostname'), (hostNetwork ? (await readFile('/etc/hostname', 'utf8').catch(() => 'localhost\n')).trim() : rec.config.Hostname) + '\n');
    if (!this.o.network) await writeFile(join(dir, 'hosts'), hostNetwork ? await readFile('/etc/hosts', 'utf8').catch(() => hostsFile({ hostname: rec.config.Hostname }))
      : hostsFile({ hostname: rec.config.Hostname, domainname: rec.config.Domainname, extraHosts: (hc.ExtraHosts ?? []) as string[] }));
    const hostResolv = this.o.hostResolvConf ?? await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    if (!this.o.network) await writeFile(join(dir, 'resolv.conf'), resolvConf(hostResolv, { dns: (hc.Dns ?? []) as string[], search: (hc.DnsSearch ?? []) as string[], options: (hc.DnsOptions ?? []) as string[] }));

    // legacy links first, then the container's own variables (which win), as dockerd
    const linked = ((hc.Links ?? []) as string[]).length ? linkEnv(rec.name, linkTargets(rec, (r) => this.tryGet(r))) : [];
    const own = new Set(rec.config.Env.map((e) => e.split('=')[0]));
    const env = [...linked.filter((e) => !own.has(e.split('=')[0])), ...processEnv(rec.config.Env)];
    if (!env.some((e) => e.startsWith('HOSTNAME='))) env.splice(1, 0, `HOSTNAME=${rec.config.Hostname}`);
    if (rec.config.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
    if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home || '/'}`);
    const bind = (name: string, dest: string) => ({ destination: dest, type: 'bind', source: join(dir, name), options: ['rbind', 'rprivate'] });
    const capabilities = resolveCapabilities(hc.CapAdd ?? [], hc.CapDrop ?? [], !!hc.Privileged, this.o.availableCapabilities);
    const security = parseSecurityOpts(hc.SecurityOpt);
    const isolation = await resolveIsolation(hc, { targets: this.isolationTargets(), cgroupVersion: this.o.cgroupVersion, privileged: !!hc.Privileged, ownShm });
    return buildSpec({
      rootfs,
      // --init: Docker's docker-init (tini) as PID 1, reaping zombies and forwarding signals.
      args: hc.Init ? ['/sbin/docker-init', '--', rec.path, ...rec.args] : [rec.path, ...rec.args],
      env,
      cwd,
      user,
      hostname: rec.config.Hostname,
      terminal: !!rec.config.Tty,
      capabilities,
      privileged: !!hc.Privileged,
      readonlyRootfs: !!hc.ReadonlyRootfs,
      mounts: [bind('resolv.conf', '/etc/resolv.conf'), bind('hostname', '/etc/hostname'), bind('hosts', '/etc/hosts'), ...extraMounts,
        ...(hc.Init ? [{ destination: '/sbin/docker-init', type: 'bind', source: this.initBinary(), options: ['bind', 'ro', 'rprivate'] }] : [])],
      resources: {
        memory: hc.Memory, memorySwap: hc.MemorySwap, memoryReservation: hc.MemoryReservation, nanoCpus: hc.NanoCpus,
        cpuShares: hc.CpuShares, cpuQuota: hc.CpuQuota, cpuPeriod: hc.CpuPeriod, cpusetCpus: hc.CpusetCpus,
        pidsLimit: hc.PidsLimit ?? undefined, oomKillDisable: hc.OomKillDisable,
      },
      cgroupsPath: `${this.o.cgroupParent}/${rec.id}`,
      cgroupVersion: this.o.cgroupVersion,
      hostNetwork,
      netnsPath: netSetup?.netnsPath,
      shmSize: hc.ShmSize || undefined,
      sysctls: containerSysctls({
        privateNetwork: !hostNetwork && !String(hc.NetworkMode ?? '').startsWith('container:'),
        privateUts: hc.UTSMode !== 'host', domainname: rec.config.Domainname, available: sysctlExists, user: hc.Sysctls,
      }),
      oomScoreAdj: hc.OomScoreAdj,
      noNewPrivileges: security.noNewPrivileges,
      seccomp: this.seccompFor(security.seccomp, capabilities, !!hc.Privileged),
      systemPathsUnconfined: security.systemPathsUnconfined,
      isolation,
      maskedPaths: Array.isArray(hc.MaskedPaths) ? hc.MaskedPaths : undefined,
      readonlyPaths: Array.isArray(hc.ReadonlyPaths) ? hc.ReadonlyPaths : undefined,
    });
  }

  // ---- exit handling -------------------------------------------------------
  /** Watch conmon's exit files; also poll as a safety net. */
  startExitWatcher(): void {
    this.exitWatchStopped = false;
    try {
      this.watcher = watch(this.exitDir, (_ev, file) => {
        if (file && /^[a-f0-9]{64}$/.test(String(file))) void this.handleExit(String(file));
      });
    } catch (err) {
      this.o.log.warn('cannot watch exit directory; polling only', { err: (err as Error).message });
    }
    this.poller = setInterval(() => void this.pollExits(), 1000);
    this.poller.unref();
  }

  stopExitWatcher(): void {
    this.exitWatchStopped = true;
    this.watcher?.close();
    if (this.poller) clearInterval(this.poller);
    this.runs.close();
  }

  private async pollExits(): Promise<void> {
    let names: string[];
    try { names = await readdir(this.exitDir); } catch { return; }
    // a poll that was reading the directory when the daemon began to stop must not reach the closed store
    if (this.exitWatchStopped) return;
    for (const n of names) if (/^[a-f0-9]{64}$/.test(n)) void this.handleExit(n);
    const recs = this.list();
    void this.rotateLogs(recs);
    // A monitor that died without writing an exit file leaves a "running" record behind.
    for (const rec of recs) {
      if (rec.state.Status === 'running' && rec.state.monitorPid && !pidAlive(rec.state.monitorPid) && !names.includes(rec.id)) {
        void this.handleExit(rec.id, { monitorLost: true, runId: rec.state.runId });
      }
    }
  }

  /**
   * Log rotation for containers that keep several files (`--log-opt
   * max-file=N` with `max-size`), checked every second: a full log becomes
   * `.1` (older ones shift up, the oldest goes) and conmon reopens a fresh
   * file. With one file conmon itself starts over (--log-size-max).
   */
  private async rotateLogs(recs: ContainerRecord[]): Promise<void> {
    for (const rec of recs) {
      if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') continue;
      let policy: LogPolicy;
      try { policy = logPolicy(rec.hostConfig.LogConfig); } catch { continue; }
      if (policy.maxFile < 2 || policy.maxSize === undefined || this.rotating.has(rec.id)) continue;
      if ((await fileSize(this.logPath(rec.id))) < policy.maxSize) continue;
      this.rotating.add(rec.id);
      try {
        await rotateLogFiles(this.logPath(rec.id), policy.maxFile);
        await reopenLog(this.bundleDir(rec.id));
      } catch (err) {
        // ENXIO: conmon is gone (the container is exiting) — nothing to reopen
        if ((err as { cause?: { code?: string } }).cause?.code === 'ENXIO') this.o.log.debug('log rotation skipped: the monitor is gone', { id: rec.id.slice(0, 12) });
        else this.o.log.warn('log rotation failed', { id: rec.id.slice(0, 12), err: (err as Error).message });
      } finally {
        this.rotating.delete(rec.id);
      }
    }
  }

  private readonly rotating = new Set<string>();

  /**
   * Record a container's exit: reap it from the runtime, unmount, store the
   * code, wake waiters, auto-remove. With `runId`, only that run's exit: a
   * timer or poll of an earlier run finding the container running again does nothing.
   */
  async handleExit(id: string, opts: { monitorLost?: boolean; runId?: string } = {}): Promise<void> {
    if (this.handlingExit.has(id)) return;
    this.handlingExit.add(id);
    try {
      const exitFile = join(this.exitDir, id);
      let done: ContainerRecord | undefined;
      await this.lock.run(id, async () => {
        const rec = this.o.records.get(id);
        if (!rec) { await rm(exitFile, { force: true }); return; }
        if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') { await rm(exitFile, { force: true }); return; }
        if (opts.runId !== undefined && rec.state.runId !== opts.runId) return; // another run now
        const runId = rec.state.runId;
        let code = 255;
        let finishedAt = new Date().toISOString();
        let haveExit = false;
        try {
          const text = await readFile(exitFile, 'utf8');
          code = parseInt(text.trim(), 10);
          finishedAt = (await stat(exitFile)).mtime.toISOString();
          haveExit = true;
        } catch {
          if (!opts.monitorLost) return; // not exited after all
        }
        if (Number.isNaN(code)) code = 255;
        // conmon writes the exit file, then drains and closes the log: wait for it to go.
        if (rec.state.monitorPid) await waitPidGone(rec.state.monitorPid, 5000);
        const oom = await exists(join(this.persistDir(id), 'oom'));
        const runtime = this.runtimeFor(rec);
        // independent of each other once the process is gone: runtime state, the rootfs and volumes, the network
        await Promise.all([
          runtime.delete(id, true).catch((e) => this.o.log.warn('runtime delete failed', { id, err: (e as Error).message })),
          (async () => {
            // a copy or export that mounted it before this run started still reads it: the last one unmounts
            if (!this.fsUsers.has(id)) await this.o.snapshots.unmountRootfs(this.rootfsDir(id)).catch((e) => this.o.log.warn('unmount failed', { id, err: (e as Error).message }));
            await this.releaseShm(id, rec);
            await this.o.mounts?.release(rec);
          })(),
          this.o.network?.teardown(rec).catch((e) => this.o.log.warn('network teardown failed', { id, err: (e as Error).message })),
        ]);
        // a restart policy that will start it again keeps it "restarting" (not exited) until then, as dockerd does
        const restarting = restartPlanned({ policy: rec.hostConfig.RestartPolicy, autoRemove: rec.hostConfig.AutoRemove, exitCode: code, restartCount: rec.restartCount, stoppedByUser: rec.state.stoppedByUser });
        rec.state = {
          ...rec.state,
          Status: restarting ? 'restarting' : 'exited',
          Pid: 0,
          ExitCode: code,
          FinishedAt: finishedAt,
          OOMKilled: oom,
          monitorPid: undefined,
          Error: haveExit ? '' : 'container monitor exited unexpectedly',
        };
        this.save(rec);
        this.runs.end(id, runId);
        await rm(exitFile, { force: true });
        const startedMs = Date.parse(rec.state.StartedAt);
        this.emit(rec, 'die', { exitCode: String(code), execDuration: String(Number.isNaN(startedMs) ? 0 : Math.max(0, Math.round((Date.parse(finishedAt) - startedMs) / 1000))) });
        if (oom) this.emit(rec, 'oom');
        done = rec;
      });
      if (!done) return;
      const rec = done as ContainerRecord;
      this.fire(this.exitWaiters, rec);
      if (rec.hostConfig.AutoRemove) {
        await this.remove(id, { force: true, removeVolumes: true }).catch((e) => this.o.log.warn('auto-remove failed', { id, err: (e as Error).message }));
      } else {
        await this.maybeRestart(rec);
      }
    } finally {
      this.handlingExit.delete(id);
    }
  }

  /** Restart policies: always, unless-stopped, on-failure[:N] (with Docker's doubling back-off). */
  private async maybeRestart(rec: ContainerRecord): Promise<void> {
    if (rec.state.Status !== 'restarting') return;
    const delay = restartDelayMs(Date.parse(rec.state.FinishedAt) - Date.parse(rec.state.StartedAt), rec.restartCount);
    const exitedRun = rec.state.runId;
    this.runs.scheduleRestart(rec.id, delay, () => {
      void this.lock.run(rec.id, async () => {
        const cur = this.o.records.get(rec.id);
        // only the run this policy decision was about: not after a manual start, a stop or a removal
        if (!cur || cur.state.Status !== 'restarting' || cur.state.stoppedByUser || cur.removing || cur.state.runId !== exitedRun) return;
        cur.restartCount += 1;
        this.save(cur);
        try {
          await this.startLocked(cur);
        } catch (err) {
          const now = this.o.records.get(rec.id);
          if (now?.state.Status === 'restarting') { now.state = { ...now.state, Status: 'exited', Error: (err as Error).message }; this.save(now); }
          throw err;
        }
      }).catch((e) => this.o.log.warn('restart failed', { id: rec.id, err: (e as Error).message }));
    });
  }

  private fire(map: Map<string, Set<Waiter>>, rec: ContainerRecord): void {
    const set = map.get(rec.id);
    if (!set) return;
    map.delete(rec.id);
    for (const w of set) w(rec);
  }

  private addWaiter(map: Map<string, Set<Waiter>>, id: string, w: Waiter): () => void {
    let set = map.get(id);
    if (!set) map.set(id, (set = new Set()));
    set.add(w);
    return () => set!.delete(w);
  }

  /** Resolves at the container's next exit. */
  nextExit(id: string, signal?: AbortSignal): Promise<ContainerRecord> {
    return new Promise((resolve, reject) => {
      const off = this.addWaiter(this.exitWaiters, id, resolve);
      signal?.addEventListener('abort', () => { off(); reject(new BerthError('CANCELLED', 'cancelled')); });
    });
  }

  /** Docker's wait: returns the exit code (and the error text, if any). */
  async wait(ref: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    const rec = this.get(ref);
    const result = (r: ContainerRecord) => ({ StatusCode: r.state.ExitCode, Error: r.state.Error ? { Message: r.state.Error } : null });
    if (condition === 'removed') {
      const r = await new Promise<ContainerRecord>((resolve, reject) => {
        const off = this.addWaiter(this.removeWaiters, rec.id, resolve);
        signal?.addEventListener('abort', () => { off(); reject(new BerthError('CANCELLED', 'cancelled')); });
      });
      return { StatusCode: r.state.ExitCode, Error: null };
    }
    if (condition === 'not-running' && rec.state.Status !== 'running' && rec.state.Status !== 'paused' && rec.state.Status !== 'restarting') return result(rec);
    return result(await this.nextExit(rec.id, signal));
  }

  // ---- stop / kill / restart ----------------------------------------------
  async stop(ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') {
      // waiting for its restart policy's next start (Docker's "restarting"): stopping cancels that
      if (this.runs.cancelRestart(rec.id) || rec.state.Status === 'restarting') {
        // the policy's start may have begun just before: then it is that run that stops
        if (await this.markStoppedByUser(rec.id) === 'running') await this.stopRunning(this.get(rec.id), opts);
        this.emit(rec, 'stop');
        return;
      }
      throw notModified('container already stopped', 'ALREADY_STOPPED');
    }
    await this.stopRunning(rec, opts);
    this.emit(rec, 'stop');
  }

  /**
   * The scope of the run `rec` describes: live while the record still says
   * that run is running, else ended (timers on it never fire).
   */
  private runScope(rec: ContainerRecord): RunScope {
    const cur = this.o.records.get(rec.id);
    const running = !!cur && (cur.state.Status === 'running' || cur.state.Status === 'paused');
    if (running && !cur.state.runId && !rec.state.runId) {
      // a record from before run IDs (re-adopted): give its run one
      cur.state.runId = RunScopes.newRunId();
      this.save(cur);
      rec.state.runId = cur.state.runId;
    }
    return this.runs.scope(rec.id, rec.state.runId, running && cur.state.runId === rec.state.runId);
  }

  private async stopRunning(rec: ContainerRecord, opts: { timeoutSec?: number; signal?: string }): Promise<void> {
    const listening = new AbortController();
    const exited = this.nextExit(rec.id, listening.signal);
    exited.catch(() => {});
    const scope = this.runScope(rec);
    // it exited (and was recorded) before we were listening: nothing to stop
    if (scope.ended) { listening.abort(); return; }
    const runId = rec.state.runId;
    await this.markStoppedByUser(rec.id);
    const sig = signalName(opts.signal || rec.config.StopSignal || 'SIGTERM');
    const timeout = opts.timeoutSec ?? rec.config.StopTimeout ?? 10;
    const runtime = this.runtimeFor(rec);
    if (rec.state.Status === 'paused') await runtime.resume(rec.id).catch(() => {});
    if (timeout !== 0) { this.emit(rec, 'kill', { signal: String(signalNumber(sig)) }); await runtime.kill(rec.id, sig).catch(() => {}); }
    // a deadline of this run only: the run ending first cancels it (then the exit is being recorded)
    const graceful = timeout < 0 ? await exited.then(() => true)
      : await Promise.race([exited.then(() => true), scope.sleep(timeout * 1000).then((fired) => (fired ? false : exited.then(() => true)))]);
    if (!graceful) {
      this.emit(rec, 'kill', { signal: '9' });
      await runtime.kill(rec.id, 'SIGKILL', true).catch(() => {});
      // conmon records the exit; if it is gone without doing so, record this run's end ourselves
      await Promise.race([exited, scope.sleep(10000).then((fired) => (fired ? this.handleExit(rec.id, { monitorLost: true, runId }) : exited.then(() => undefined)))]);
    }
    await this.drainExit(rec.id, runId);
  }

  /** Wait until the exit handler has finished recording the run `runId` (it may run in parallel). */
  private async drainExit(id: string, runId: string | undefined): Promise<void> {
    const stillThisRun = () => { const r = this.o.records.get(id); return r?.state.Status === 'running' && r.state.runId === runId; };
    for (let i = 0; i < 500 && (this.handlingExit.has(id) || stillThisRun()); i++) {
      if (!this.handlingExit.has(id)) await this.handleExit(id, { runId });
      await sleep(10);
    }
  }

  /** Record that the user stopped it (no restart policy acts on it); answers whether it is running now. */
  private async markStoppedByUser(id: string): Promise<'running' | 'not-running'> {
    return this.lock.run(id, async () => {
      const rec = this.o.records.get(id);
      if (!rec) return 'not-running';
      rec.state.stoppedByUser = true;
      // a restart it was waiting for will not come: it has exited
      if (rec.state.Status === 'restarting') rec.state.Status = 'exited';
      this.save(rec);
      return rec.state.Status === 'running' || rec.state.Status === 'paused' ? 'running' : 'not-running';
    });
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const rec = this.get(ref);
    const sig = signalName(signal);
    if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') throw conflict(`cannot kill container: ${ref}: container ${rec.id} is not running`, 'CONTAINER_NOT_RUNNING');
    const exited = signalNumber(sig) === 9 ? this.nextExit(rec.id) : undefined;
    exited?.catch(() => {});
    if (signalNumber(sig) === 9 || signalNumber(sig) === 15) await this.markStoppedByUser(rec.id);
    this.emit(rec, 'kill', { signal: String(signalNumber(sig)) });
    try {
      await this.runtimeFor(rec).kill(rec.id, sig, signalNumber(sig) === 9);
    } catch (err) {
      // it exited between our look and the signal: dockerd's 409, not the runtime's failure
      const now = this.o.records.get(rec.id);
      const st = await this.runtimeFor(rec).state(rec.id).catch(() => undefined);
      if (!now || (now.state.Status !== 'running' && now.state.Status !== 'paused') || !st || (st.status !== 'running' && st.status !== 'paused')) {
        throw conflict(`cannot kill container: ${ref}: container ${rec.id} is not running`, 'CONTAINER_NOT_RUNNING');
      }
      throw err;
    }
    if (exited) { await Promise.race([exited, this.runScope(rec).sleep(5000)]); await this.drainExit(rec.id, rec.state.runId); }
  }

  async restart(ref: string, opts: { timeoutSec?: number; signal?: string } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.state.Status === 'running' || rec.state.Status === 'paused') { await this.stopRunning(rec, opts); this.emit(rec, 'stop'); }
    await this.start(rec.id);
    this.emit(this.get(rec.id), 'restart');
  }

  // ---- remove ---------------------------------------------------------------
  async remove(ref: string, opts: { force?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    const rec = this.get(ref);
    if (rec.state.Status === 'restarting' && !opts.force) {
      throw conflict(`You cannot remove a restarting container ${rec.id}. Stop the container before attempting removal or force remove`, 'CONTAINER_RUNNING');
    }
    if (rec.state.Status === 'running' || rec.state.Status === 'paused') {
      if (!opts.force) {
        throw conflict(`You cannot remove a running container ${rec.id}. Stop the container before attempting removal or force remove`, 'CONTAINER_RUNNING');
      }
      await this.stopRunning(rec, { timeoutSec: 0 }); // straight to SIGKILL
    }
    await this.lock.run(rec.id, async () => {
      const cur = this.o.records.get(rec.id);
      if (!cur) return;
      if (cur.removing) throw conflict(`removal of container ${rec.id} is already in progress`);
      cur.removing = true;
      if (opts.removeVolumes) cur.removeVolumes = true;
      cur.state.Status = 'removing';
      this.save(cur);
      await this.finishRemove(cur);
    });
  }

  /** `docker rm --link <parent>/<alias>`: the parent forgets the link; both containers stay. */
  async removeLink(name: string): Promise<void> {
    const [parentName, alias, ...rest] = name.replace(/^\//, '').split('/');
    if (!parentName || !alias || rest.length) throw invalidArgument('Conflict, cannot remove the default link name of the container');
    const parent = this.tryGet(parentName);
    if (!parent) throw invalidArgument(`Cannot get parent /${parentName} for link name /${parentName}/${alias}`);
    await this.update(parent.id, async (cur) => {
      const links = (cur.hostConfig.Links ?? []) as string[];
      const kept = links.filter((l) => parseLink(l).alias !== alias);
      if (kept.length === links.length) throw notFound(`No such container: ${name}`, 'NO_SUCH_CONTAINER');
      cur.hostConfig = { ...cur.hostConfig, Links: kept.length ? kept : null };
    });
  }

  private async finishRemove(rec: ContainerRecord): Promise<void> {
    this.runs.forget(rec.id);
    await this.runtimeFor(rec).delete(rec.id, true).catch(() => {});
    await this.o.snapshots.unmountRootfs(this.rootfsDir(rec.id));
    await this.releaseShm(rec.id, rec);
    await this.o.network?.teardown(rec).catch((e) => this.o.log.warn('network teardown failed', { id: rec.id, err: (e as Error).message }));
    await this.discardFiles(rec.id);
    this.o.records.delete(rec.id);
    this.emit(rec, 'destroy');
    if (rec.removeVolumes) await this.o.mounts?.removeAnonymous(rec);
    this.fire(this.exitWaiters, rec);
    this.fire(this.removeWaiters, rec);
  }

  private async discardFiles(id: string): Promise<void> {
    await this.o.snapshots.removeRw(id);
    await rm(this.containerDir(id), { recursive: true, force: true });
    await rm(this.bundleDir(id), { recursive: true, force: true });
    await rm(join(this.exitDir, id), { force: true });
    // conmon's link to the bundle's attach socket (--socket-dir-path)
    await rm(join(this.o.execRoot, 'sockets', id), { recursive: true, force: true });
  }

  // ---- rename -------------------------------------------------------------
  async rename(ref: string, newName: string): Promise<void> {
    if (!newName) throw invalidArgument('Neither old nor new names may be empty');
    const name = validateName(newName);
    const rec = this.get(ref);
    await this.lock.run(rec.id, async () => {
      const cur = this.get(rec.id);
      if (cur.name === name) throw conflict(`Renaming a container with the same name as its current name`);
      const other = this.o.records.getByName(name);
      if (other) throw nameConflict(name, other.id);
      const old = cur.name;
      cur.name = name;
      try { this.save(cur); } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw nameConflict(name, this.o.records.getByName(name)?.id ?? '');
        throw err;
      }
      this.emit(cur, 'rename', { oldName: `/${old}` });
    });
  }

  // ---- logs ---------------------------------------------------------------
  /**
   * Checks now (no such container, a driver that cannot be read), so the
   * server can answer those before its headers, then reads lazily. `follow`
   * follows only a container running at the time of the request, as dockerd.
   */
  logs(ref: string, o: LogsOptions): AsyncGenerator<LogRecord> {
    const rec = this.get(ref);
    if (!logPolicy(rec.hostConfig.LogConfig).readable) throw notImplemented('configured logging driver does not support reading');
    const running = rec.state.Status === 'running' || rec.state.Status === 'paused';
    return this.readLogs(rec.id, o, !!o.follow && running);
  }

  private async *readLogs(id: string, o: LogsOptions, follow: boolean): AsyncGenerator<LogRecord> {
    const stopped = follow ? this.nextExit(id, o.signal).then(() => undefined, () => undefined) : undefined;
    for await (const r of readLog(this.logPath(id), { tail: o.tail, sinceMs: o.sinceMs, untilMs: o.untilMs, follow, stopped, signal: o.signal })) {
      if (o[r.stream]) yield r;
    }
  }

  /** For attach: the current end of the log, and a stream of what follows until the next exit. */
  async *attachOutput(ref: string, o: { stdout: boolean; stderr: boolean; signal?: AbortSignal }): AsyncGenerator<LogRecord> {
    const rec = this.get(ref);
    const offset = await fileSize(this.logPath(rec.id));
    const stopped = this.nextExit(rec.id, o.signal).then(() => undefined, () => undefined);
    for await (const r of readLog(this.logPath(rec.id), { fromOffset: offset, follow: true, stopped, signal: o.signal })) {
      if (o[r.stream]) yield r;
    }
  }

  // ---- pause / top / stats / update ------------------------------------------
  private running(ref: string): ContainerRecord {
    const rec = this.get(ref);
    if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') throw conflict(`Container ${rec.id} is not running`, 'CONTAINER_NOT_RUNNING');
    return rec;
  }

  /** Freeze every process of the container (the cgroup freezer, through the runtime). */
  async pause(ref: string): Promise<void> {
    const id = this.running(ref).id;
    await this.lock.run(id, async () => {
      const rec = this.running(id);
      if (rec.state.Status === 'paused') throw conflict(`Container ${id} is already paused`, 'CONTAINER_PAUSED');
      await this.runtimeFor(rec).pause(id);
      rec.state.Status = 'paused';
      this.save(rec);
      this.emit(rec, 'pause');
    });
  }

  async unpause(ref: string): Promise<void> {
    const id = this.running(ref).id;
    await this.lock.run(id, async () => {
      const rec = this.running(id);
      if (rec.state.Status !== 'paused') throw conflict(`Container ${id} is not paused`, 'CONTAINER_NOT_PAUSED');
      await this.runtimeFor(rec).resume(id);
      rec.state.Status = 'running';
      this.save(rec);
      this.emit(rec, 'unpause');
    });
  }

  /** docker top: the host's ps over the container's processes. */
  async top(ref: string, psArgs = ''): Promise<TopResult> {
    const rec = this.running(ref);
    return hostPs(psArgs, await this.runtimeFor(rec).ps(rec.id));
  }

  /** One stats sample (Docker's shape, without precpu_stats). */
  async statsSample(ref: string): Promise<StatsSample & { id: string; name: string }> {
    const rec = this.get(ref);
    const live = rec.state.Status === 'running' || rec.state.Status === 'paused';
    const base = { id: rec.id, name: `/${rec.name}` };
    if (!live) {
      return { ...base, read: ZERO_TIME, pids_stats: {}, blkio_stats: { io_service_bytes_recursive: null }, memory_stats: {},
        cpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: 0, online_cpus: 0, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } } };
    }
    return { ...base, ...(await sampleStats({ cgroupPath: `${this.o.cgroupParent}/${rec.id}`, cgroupVersion: this.o.cgroupVersion, pid: rec.state.Pid, ncpu: this.o.ncpu })) };
  }

  /**
   * docker update: new resource limits (applied to a running container
   * through the runtime) and/or a new restart policy, saved in HostConfig.
   */
  async updateResources(ref: string, body: Record<string, unknown>): Promise<{ Warnings: string[] }> {
    const id = this.get(ref).id;
    return this.lock.run(id, async () => {
      const rec = this.get(id);
      const keys = ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuQuota', 'CpuPeriod', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight', 'KernelMemory'];
      const changes: Record<string, unknown> = {};
      for (const k of keys) if (body[k] !== undefined && body[k] !== null && !(k !== 'PidsLimit' && body[k] === 0) && body[k] !== '') changes[k] = body[k];
      // 0 and every negative PidsLimit mean "no limit" (dockerd stores 0 and writes "max")
      if (typeof changes.PidsLimit === 'number' && changes.PidsLimit <= 0) changes.PidsLimit = 0;
      const merged = { ...rec.hostConfig, ...changes };
      if (body.RestartPolicy && typeof body.RestartPolicy === 'object') merged.RestartPolicy = body.RestartPolicy as typeof rec.hostConfig.RestartPolicy;
      const policyName = (body.RestartPolicy as { Name?: string } | undefined)?.Name;
      if (rec.hostConfig.AutoRemove && policyName && policyName !== 'no') {
        throw invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
      }
      // Docker's rules (swap at least memory, policy names, cpus vs quota) via the create-time validator.
      const hc = validateHostConfig(merged, { ncpu: this.o.ncpu, logDefault: this.o.logDefault });
      if (changes.PidsLimit === 0) hc.PidsLimit = 0;
      if (changes.Memory !== undefined && changes.MemorySwap === undefined && rec.hostConfig.MemorySwap && rec.hostConfig.MemorySwap > 0 && Number(changes.Memory) > rec.hostConfig.MemorySwap) {
        throw invalidArgument('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
      }
      if (Object.keys(changes).length && (rec.state.Status === 'running' || rec.state.Status === 'paused')) {
        const r = buildResources({
          memory: hc.Memory, memorySwap: hc.MemorySwap, memoryReservation: hc.MemoryReservation, nanoCpus: hc.NanoCpus,
          cpuShares: hc.CpuShares, cpuQuota: hc.CpuQuota, cpuPeriod: hc.CpuPeriod, cpusetCpus: hc.CpusetCpus, pidsLimit: hc.PidsLimit ?? undefined,
        });
        // lifting the limit is said explicitly: runc leaves a pids limit it is not given as it was
        if (changes.PidsLimit === 0) r.pids = { limit: -1 };
        try { await this.runtimeFor(rec).update(id, r); } catch (err) {
          throw invalidArgument(`Cannot update container ${id}: ${(err as Error).message}`, 'INVALID_PARAMETER', err);
        }
      }
      rec.hostConfig = { ...rec.hostConfig, ...hc, Runtime: rec.hostConfig.Runtime };
      this.save(rec);
      this.emit(rec, 'update');
      return { Warnings: [] };
    });
  }

  /** Other containers as --pid/--ipc container:<id> see them. */
  private isolationTargets(): IsolationTargets {
    return {
      idOf: (ref) => this.get(ref).id,
      runningPid: (id) => { const r = this.o.records.get(id); return r && (r.state.Status === 'running' || r.state.Status === 'paused') && r.state.Pid ? r.state.Pid : undefined; },
      ipcMode: (id) => String(this.o.records.get(id)?.hostConfig.IpcMode ?? ''),
      shmPath: (id) => this.shmDir(id),
    };
  }

  /** A `--ipc shareable` container's /dev/shm, a tmpfs on the host others can bind. */
  private shmDir(id: string): string { return join(this.bundleDir(id), 'shm'); }

  private async mountShm(rec: ContainerRecord): Promise<string | undefined> {
    if (rec.hostConfig.IpcMode !== 'shareable') return undefined;
    const dir = this.shmDir(rec.id);
    await mkdir(dir, { recursive: true });
    if (!(await isMountPoint(dir))) {
      await mountFilesystem({ type: 'tmpfs', source: 'shm', target: dir, options: ['nosuid', 'nodev', 'noexec', 'mode=1777', `size=${rec.hostConfig.ShmSize || 67108864}`] });
    }
    return dir;
  }

  /** Unmount a shareable container's /dev/shm; with its record, only when it is one (no mount table read on every exit). */
  private async releaseShm(id: string, rec?: ContainerRecord): Promise<void> {
    if (rec && rec.hostConfig.IpcMode !== 'shareable') return;
    const dir = this.shmDir(id);
    if (await isMountPoint(dir)) await unmount(dir).catch(() => unmount(dir, { lazy: true }));
  }

  /** The container's seccomp filter: none when privileged or unconfined, else its own profile or the daemon's default. */
  private seccompFor(choice: SeccompChoice, capabilities: string[], privileged: boolean): LinuxSeccomp | undefined {
    if (privileged) return undefined;
    const c = choice.kind === 'default' ? this.o.seccompDefault ?? choice : choice;
    if (c.kind === 'unconfined') return undefined;
    if (c.kind === 'profile') return seccompFromDockerProfile(c.profile, capabilities);
    return defaultSeccomp(capabilities);
  }

  private initBinary(): string {
    if (!this.o.initPath) throw invalidArgument('--init needs a static init binary (install tini, or set the daemon\'s init-path)');
    return this.o.initPath;
  }

  // ---- stdin and TTY -------------------------------------------------------
  /**
   * Feed `source` to the container's stdin (through conmon's attach socket).
   * If the container is not running yet (docker run attaches before start),
   * waits for its start; input meanwhile stays buffered in `source`.
   * `source` ending is EOF for the process (conmon closes stdin unless it
   * was told to leave it open). Resolves when the relay is gone.
   */
  async attachStdin(ref: string, source: Readable, o: { signal?: AbortSignal } = {}): Promise<void> {
    const rec = this.get(ref);
    if (!rec.config.OpenStdin) return;
    if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') {
      const started = await new Promise<ContainerRecord | undefined>((resolve) => {
        const offStart = this.addWaiter(this.startWaiters, rec.id, resolve);
        const offExit = this.addWaiter(this.exitWaiters, rec.id, () => resolve(undefined));
        o.signal?.addEventListener('abort', () => { offStart(); offExit(); resolve(undefined); });
      });
      if (!started) return;
    }
    const relay = openStdinRelay(this.bundleDir(rec.id));
    const stop = () => relay.close();
    o.signal?.addEventListener('abort', stop);
    source.pipe(relay.input);
    await relay.done;
    source.unpipe(relay.input);
    o.signal?.removeEventListener('abort', stop);
  }

  /** Resize the container's TTY (a no-op error-free call for non-TTY containers, as Docker answers 200 only when running). */
  async resize(ref: string, height: number, width: number): Promise<void> {
    const rec = this.get(ref);
    if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') throw conflict(`Container ${rec.id} is not running`, 'CONTAINER_NOT_RUNNING');
    if (!rec.config.Tty) return;
    await resizeTerminal(this.bundleDir(rec.id), height, width);
    this.emit(rec, 'resize', { height: String(height), width: String(width) });
  }

  // ---- reconcile ----------------------------------------------------------
  /**
   * After a (re)start of berthd: adopt containers that kept running, record
   * the real exit of those that stopped meanwhile, finish interrupted
   * removals, delete runtime containers and directories nobody knows.
   */
  async reconcile(): Promise<void> {
    const records = new Map(this.list().map((r) => [r.id, r]));
    for (const rt of new Set(this.o.runtimes.values())) {
      let states;
      try { states = await rt.list(); } catch (err) { this.o.log.warn('runtime list failed', { runtime: rt.name, err: (err as Error).message }); continue; }
      for (const st of states) {
        const rec = records.get(st.id);
        if (!rec) {
          this.o.log.info('deleting unknown runtime container', { id: st.id });
          await rt.delete(st.id, true).catch(() => {});
          continue;
        }
        if (rec.state.Status === 'created' && st.status === 'running') {
          // started, but berthd died before recording it
          const monitorPid = await this.readMonitorPid(rec.id);
          rec.state = { ...rec.state, Status: 'running', Pid: st.pid, StartedAt: new Date().toISOString(), monitorPid, Error: '' };
          this.save(rec);
        } else if (rec.state.Status === 'created' && st.status === 'created') {
          await rt.delete(st.id, true).catch(() => {});
          await this.o.snapshots.unmountRootfs(this.rootfsDir(rec.id)).catch(() => {});
        }
      }
    }
    for (const rec of this.list()) {
      if (rec.removing) { await this.finishRemove(rec).catch((e) => this.o.log.warn('finishing removal failed', { id: rec.id, err: (e as Error).message })); continue; }
      if (rec.state.Status === 'running' || rec.state.Status === 'paused') {
        if (await exists(join(this.exitDir, rec.id))) await this.handleExit(rec.id);
        else if (rec.state.monitorPid && !pidAlive(rec.state.monitorPid)) await this.handleExit(rec.id, { monitorLost: true, runId: rec.state.runId });
        else this.o.log.info('re-adopted running container', { id: rec.id.slice(0, 12), name: rec.name });
      } else if (rec.state.Status === 'exited' || rec.state.Status === 'created' || rec.state.Status === 'restarting') {
        await this.o.snapshots.unmountRootfs(this.rootfsDir(rec.id)).catch(() => {});
        await this.releaseShm(rec.id, rec);
        // berthd stopped while its restart policy waited to start it again: the wait starts over
        if (rec.state.Status === 'restarting') await this.maybeRestart(rec);
      }
    }
    // directories without a record: a create that crashed before its insert
    const known = new Set(this.list().map((r) => r.id));
    for (const dir of [join(this.o.dataRoot, 'containers'), join(this.o.execRoot, 'containers'), join(this.o.execRoot, 'sockets')]) {
      for (const n of await readdir(dir).catch(() => [] as string[])) {
        if (/^[a-f0-9]{64}$/.test(n) && !known.has(n)) {
          await this.o.snapshots.unmountRootfs(this.rootfsDir(n)).catch(() => {});
          await this.releaseShm(n);
          await this.discardFiles(n);
        }
      }
    }
    for (const n of await readdir(join(this.o.dataRoot, 'snapshots', 'rw')).catch(() => [] as string[])) {
      if (!known.has(n)) await this.o.snapshots.removeRw(n);
    }
  }

  /**
   * Run `fn` on the container's filesystem as the container sees it (root +
   * bind and volume mounts). A stopped container's rootfs is mounted for the
   * duration, under its lock (so it cannot start meanwhile).
   */
  async withFilesystem<T>(ref: string, fn: (fs: ContainerFs, rec: ContainerRecord) => Promise<T>): Promise<T> {
    const live = (r: ContainerRecord) => r.state.Status === 'running' || r.state.Status === 'paused';
    const view = (r: ContainerRecord) => {
      const dir = this.containerDir(r.id);
      const mounts: FsMount[] = (r.mounts ?? []).filter((m) => m.Type !== 'tmpfs').map((m) => ({ destination: m.Destination, source: m.Source, readOnly: !m.RW }));
      for (const f of ['hostname', 'hosts', 'resolv.conf']) if (existsSync(join(dir, f))) mounts.push({ destination: `/etc/${f}`, source: join(dir, f), readOnly: false });
      return new ContainerFs(this.rootfsDir(r.id), mounts, !!r.hostConfig.ReadonlyRootfs);
    };
    const rec = this.get(ref);
    if (live(rec)) return fn(view(rec), rec);
    // A stopped container's rootfs is mounted for the duration, but the lock is held only to
    // mount and to unmount: a slow reader of an export or a copy must not hold up start,
    // stop or rm of the container. A start meanwhile uses the same mount (mounting is
    // idempotent); the last user unmounts it unless the container runs by then.
    const cur = await this.lock.run(rec.id, async () => {
      const c = this.get(rec.id);
      if (live(c)) return { rec: c, mounted: false };
      if (c.removing) throw conflict(`container is marked for removal`);
      await this.o.snapshots.mountRootfs(c.id, c.layers, this.rootfsDir(c.id));
      this.fsUsers.set(c.id, (this.fsUsers.get(c.id) ?? 0) + 1);
      return { rec: c, mounted: true };
    });
    if (!cur.mounted) return fn(view(cur.rec), cur.rec);
    try {
      return await fn(view(cur.rec), cur.rec);
    } finally {
      await this.lock.run(rec.id, async () => {
        const n = (this.fsUsers.get(rec.id) ?? 1) - 1;
        if (n > 0) { this.fsUsers.set(rec.id, n); return; }
        this.fsUsers.delete(rec.id);
        const now = this.o.records.get(rec.id);
        if (now && live(now)) return;
        await this.o.snapshots.unmountRootfs(this.rootfsDir(rec.id)).catch((e) => this.o.log.warn('unmount failed', { id: rec.id, err: (e as Error).message }));
      });
    }
  }

  /** The uid/gid the container's Config.User maps to in its own /etc/passwd (cp -a). Rootfs must be mounted. */
  async userIds(rec: ContainerRecord): Promise<{ uid: number; gid: number }> {
    const rootfs = this.rootfsDir(rec.id);
    const u = resolveUser(rec.config.User, parsePasswd(await readInRoot(rootfs, '/etc/passwd')), parseGroup(await readInRoot(rootfs, '/etc/group')), []);
    return { uid: u.uid, gid: u.gid };
  }

  /** IDs of the containers whose mounts name this volume (running or not). */
  volumeUsers(name: string): string[] {
    return this.list().filter((r) => r.mounts?.some((m) => m.Type === 'volume' && m.Name === name)).map((r) => r.id);
  }

  /** Does any container use this image? (for rmi) */
  imageUser(imageId: string): { containerId: string; running: boolean } | undefined {
    const users = this.list().filter((r) => r.imageId === imageId);
    const running = users.find((r) => r.state.Status === 'running' || r.state.Status === 'paused');
    const u = running ?? users[0];
    return u && { containerId: u.id, running: !!running };
  }
}

function nameConflict(name: string, id: string): BerthError {
  return conflict(`Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`, 'NAME_IN_USE');
}

function displayImageName(input: string): string {
  try { return familiarFromCanonical(input.includes(':') || input.includes('@') ? input : `${input}:latest`); } catch { return input; }
}

async function readInRoot(root: string, path: string): Promise<string> {
  try { return await readFile(await secureJoin(root, path), 'utf8'); } catch { return ''; }
}

async function exists(p: string): Promise<boolean> {
  try { await access(p); return true; } catch { return false; }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export type { ContainerStatus };

/** Whether the kernel has a sysctl (dockerd's sysctlExists: /proc/sys/<a>/<b>). */
function sysctlExists(name: string): boolean {
  return existsSync(join('/proc/sys', ...name.split('.')));
}

// ---- views (Docker JSON) -----------------------------------------------------

export interface ListOptions { all?: boolean; limit?: number; filters?: string; size?: boolean; latest?: boolean }

export function containerInspect(svc: ContainerService, snapshots: Snapshotter, ref: string, networkIdOf?: (name: string) => string) {
  const rec = svc.get(ref);
  const dir = svc.containerDir(rec.id);
  return inspectView(rec, {
    logPath: svc.logPath(rec.id),
    hostnamePath: join(dir, 'hostname'),
    hostsPath: join(dir, 'hosts'),
    resolvConfPath: join(dir, 'resolv.conf'),
    rootfs: svc.rootfsDir(rec.id),
    upperDir: join(snapshots.rwDir(rec.id), 'upper'),
    workDir: join(snapshots.rwDir(rec.id), 'work'),
    // dockerd: the init layer's tree first, then the image's layers, topmost first
    lowerDirs: [...(snapshots.initDir(rec.id) ? [snapshots.initDir(rec.id)!] : []), ...[...rec.layers].reverse().map((c) => snapshots.layerDir(c))],
  }, networkIdOf);
}

export function containerList(svc: ContainerService, images: ImageStore, o: ListOptions, networkIdOf?: (name: string) => string) {
  const filters = parseFilters(o.filters);
  let recs = svc.list();
  const linked = linkNames(recs);
  // dockerd (daemon/list.go): stopped containers are left out only without all, without a limit and without a status filter
  if (!o.all && !(o.limit && o.limit > 0) && !filters.has('status') && !filters.has('exited')) recs = recs.filter((r) => r.state.Status === 'running' || r.state.Status === 'paused' || r.state.Status === 'restarting');
  recs = filterContainers(recs, filters, (ref) => { const img = images.tryResolve(ref); return img ? [img.id] : []; });
  recs.sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || (a.id < b.id ? 1 : -1));
  if (o.limit && o.limit > 0) recs = recs.slice(0, o.limit);
  return recs.map((r) => {
    // Docker shows the name the user ran with, or the ID if that name now points elsewhere.
    const cur = images.tryResolveQuiet(r.config.Image);
    const shown = cur && cur.id === r.imageId ? r.config.Image : r.imageId;
    return summaryView(r, shown, undefined, networkIdOf, linked.get(r.name));
  });
}
