/**
 * daemon/daemon — berthd's composition root: reads the config, creates
 * directories, opens the stores, wires engine services and the API server,
 * reconciles state left by a previous run, handles signals. The only place
 * that constructs things.
 */
import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { randomUUID, createHash } from 'node:crypto';
import { systemError } from '../errdefs/errors.js';
import { createLogger, type Logger } from '../lib/log.js';
import { pidAlive } from '../lib/process-state.js';
import { LocalContentStore } from '../content/local-content-store.js';
import { OverlaySnapshotter } from '../snapshots/overlay-snapshotter.js';
import { openDatabase, type Db } from '../metadata/database.js';
import { ImageRecords } from '../metadata/image-records.js';
import { LayerRecords } from '../metadata/layer-records.js';
import { LayerBlobRecords } from '../metadata/layer-blob-records.js';
import { ContainerRecords } from '../metadata/container-records.js';
import { VolumeRecords } from '../metadata/volume-records.js';
import { LocalVolumeDriver } from '../volumes/local-driver.js';
import { mountFilesystem, unmount, mountsUnder, isMountPoint } from '../snapshots/mounter.js';
import { NetworkRecords } from '../metadata/network-records.js';
import { PluginCniExecutor } from '../network/cni-exec.js';
import { NetnsStore } from '../network/netns.js';
import { PortReservations } from '../network/port-reservations.js';
import { BridgeFirewall } from '../network/bridge-firewall.js';
import { Iptables } from '../network/iptables.js';
import { addLinkAddress, addNamespacedAddresses, createBridge, deleteLink, hostRoutes, inspectLink, linkAlias, linkHasAddress, listLinks, removeLinkAddress, setLinkAlias } from '../network/links.js';
import { parseCidr, networkOf } from '../network/cidr.js';
import { parseCidr6, networkOf6, type Cidr6 } from '../network/cidr6.js';
import { NetworkService } from '../engine/networks.js';
import { ContainerNetworking } from '../engine/container-network.js';
import { EmbeddedDnsServer, type DnsAnswerSource } from '../network/dns-server.js';
import type { NetworkRecord } from '../engine/network-types.js';
import { BuildCacheRecords } from '../metadata/build-cache-records.js';
import { BuildService } from '../engine/builds.js';
import { CommitService } from '../engine/commits.js';
import { ImageStore } from '../images/image-store.js';
import { CliOciRuntime, type OciRuntime } from '../runtime/oci-runtime.js';
import { cgroupVersion } from '../runtime/cgroups.js';
import { ContainerService } from '../engine/containers.js';
import type { SeccompChoice } from '../engine/security-opts.js';
import { validateLogConfig } from '../engine/log-config.js';
import { parseOwnLimits } from '../engine/isolation-modes.js';
import { parseDockerSeccompProfile } from '../runtime/seccomp.js';
import { capabilitiesInMask } from '../runtime/spec.js';
import { VolumeService, type VolumeRecord } from '../engine/volumes.js';
import { ContainerMounts } from '../engine/container-mounts.js';
import { DiskUsageService } from '../engine/disk-usage.js';
import { ImageService } from '../engine/images.js';
import { RegistryService } from '../engine/registry-service.js';
import { Puller } from '../distribution/puller.js';
import { Pusher } from '../distribution/pusher.js';
import { SystemService, BERTH_VERSION } from '../engine/system.js';
import { EventsService } from '../engine/events.js';
import { ExecService } from '../engine/exec.js';
import { HealthService } from '../engine/health.js';
import type { ContainerRecord } from '../engine/container-types.js';
import { ApiServer } from '../server/api-server.js';
import { MIN_API_VERSION, MAX_API_VERSION } from '../api/version.js';
import { createBackend } from './backend.js';
import type { DaemonConfig } from './config.js';

export interface RunningDaemon {
  log: Logger;
  events: EventsService;
  containers: ContainerService;
  stop(): Promise<void>;
}

/** Write our pid to `path` unless a live process other than us holds it (then `busy(pid)` is thrown). */
async function claimPidfile(path: string, busy: (pid: number) => Error): Promise<void> {
  try {
    const old = parseInt((await readFile(path, 'utf8')).trim(), 10);
    if (old && old !== process.pid && pidAlive(old)) throw busy(old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await writeFile(path, `${process.pid}`);
}

/**
 * Bridges, iptables chains and CNI network names are host-global and carry
 * the network prefix: two daemons sharing one would sweep each other's NAT
 * rules and share chains, so a prefix is claimed like the pidfile.
 */
export const NETWORK_CLAIMS_DIR = '/run/berth-networks';

export async function startDaemon(cfg: DaemonConfig): Promise<RunningDaemon> {
  const log = createLogger({ level: cfg.logLevel });
  if (!cfg.conmonPath) throw systemError('conmon not found: install it (apt-get install conmon) or pass --conmon');
  await mkdir(cfg.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(cfg.execRoot, { recursive: true, mode: 0o711 });
  await claimPidfile(cfg.pidfile, () => systemError(`pid file found, ensure berthd is not running or delete ${cfg.pidfile}`));
  await mkdir(NETWORK_CLAIMS_DIR, { recursive: true, mode: 0o755 });
  const networkClaim = join(NETWORK_CLAIMS_DIR, `${cfg.network.prefix}.pid`);
  await claimPidfile(networkClaim, (pid) => systemError(`network prefix "${cfg.network.prefix}" is in use by berthd (pid ${pid}): give this daemon its own --network-prefix, --bridge and --bip`)).catch(async (err) => {
    await rm(cfg.pidfile, { force: true });
    throw err;
  });

  const content = new LocalContentStore({ root: join(cfg.dataRoot, 'content') });
  await content.init();
  const snapshots = new OverlaySnapshotter({ root: join(cfg.dataRoot, 'snapshots') });
  await snapshots.init();
  const db: Db = openDatabase(join(cfg.dataRoot, 'berth.db'));
  const imageStore = new ImageStore({ content, snapshots, images: new ImageRecords(db), layers: new LayerRecords(db), layerBlobs: new LayerBlobRecords(db) });

  const runtimes = new Map<string, OciRuntime>();
  for (const [name, r] of Object.entries(cfg.runtimes)) runtimes.set(name, new CliOciRuntime(name, r.path, join(cfg.execRoot, 'runtime', name)));
  const cgv = await cgroupVersion();

  // One event bus for every service (each takes it as its `events` option).
  const events = new EventsService();
  const volumes = new VolumeService({
    records: new VolumeRecords<VolumeRecord>(db),
    driver: new LocalVolumeDriver({ root: join(cfg.dataRoot, 'volumes'), mounter: { mount: mountFilesystem, unmount, mountsUnder } }),
    log: log.child({ module: 'volumes' }),
    events,
  });
  await volumes.init();
  const net = cfg.network;
  const ipamDir = join(cfg.dataRoot, 'network', 'ipam');
  await mkdir(ipamDir, { recursive: true, mode: 0o700 });
  // the embedded DNS: one listener per user network at its gateway, opened as containers attach;
  // its port is kept across restarts, so running containers' redirects stay valid
  const dnsPortFile = join(cfg.execRoot, 'dns-port');
  const dnsLog = log.child({ module: 'dns' });
  const dnsSource: DnsAnswerSource = { lookup: (ip) => networking.lookup(ip) };
  const dns: EmbeddedDnsServer = new EmbeddedDnsServer({
    source: dnsSource,
    log: dnsLog,
    port: Number((await readFile(dnsPortFile, 'utf8').catch(() => '0')).trim()) || 0,
    onPort: (p) => { writeFile(dnsPortFile, String(p)).catch((e) => dnsLog.warn('could not keep the embedded DNS port', { err: (e as Error).message })); },
  });
  const networks: NetworkService = new NetworkService({
    records: new NetworkRecords<NetworkRecord>(db),
    prefix: net.prefix,
    defaultBridge: { bridge: net.bridge, bip: net.bip, fixedCidr: net.fixedCidr },
    pools: net.defaultAddressPools.filter((p) => !p.base.includes(':')).map((p) => {
      const base = networkOf(parseCidr(p.base, 'default address pool base'));
      if (!(p.size >= base.prefix && p.size <= 30)) throw systemError(`invalid default address pool ${p.base} size ${p.size}`);
      return { base, size: p.size };
    }),
    pools6: await ipv6Pools(net.defaultAddressPools, net.prefix),
    ipamDir,
    firewall: new BridgeFirewall(net.prefix),
    hostRoutes,
    devices: { inspect: inspectLink, create: createBridge, setAlias: setLinkAlias, remove: deleteLink, list: listLinks, alias: linkAlias, hasAddress: linkHasAddress, addAddress: addLinkAddress, removeAddress: removeLinkAddress },
    dns,
    log: log.child({ module: 'networks' }),
    events,
  });
  const ports = new PortReservations();
  const networking: ContainerNetworking = new ContainerNetworking({
    networks,
    cni: new PluginCniExecutor({ pluginDirs: net.cniPath }),
    netns: new NetnsStore({ dir: join(cfg.execRoot, 'netns'), unmount: (p) => unmount(p), isMounted: isMountPoint }),
    ports,
    iptables: (ns?: string) => new Iptables(ns),
    addresses: { add: addNamespacedAddresses },
    dns,
    log: log.child({ module: 'network' }),
    events,
  });
  networks.setContainers(networking);

  const containers = new ContainerService({
    events,
    initPath: ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/libexec/docker/docker-init'].find((p) => existsSync(p)),
    dataRoot: cfg.dataRoot,
    execRoot: cfg.execRoot,
    records: new ContainerRecords<ContainerRecord>(db),
    images: imageStore,
    snapshots,
    runtimes,
    defaultRuntime: cfg.defaultRuntime,
    conmonPath: cfg.conmonPath,
    cgroupParent: cfg.cgroupParent,
    cgroupVersion: cgv,
    ncpu: cpus().length,
    log: log.child({ module: 'containers' }),
    mounts: new ContainerMounts({ volumes, log: log.child({ module: 'mounts' }) }),
    network: networking,
    seccompDefault: await seccompDefault(cfg.seccompProfile),
    logDefault: validateLogConfig({ Type: cfg.logDriver, Config: cfg.logOpts }, { Type: 'json-file', Config: {} }),
    availableCapabilities: await ownBoundingSet(),
    ownHardLimits: parseOwnLimits(await readFile('/proc/self/limits', 'utf8').catch(() => '')),
  });
  networking.setContainers(containers);
  await containers.init();
  volumes.bindReferences((name) => containers.volumeUsers(name));
  await networks.init();

  let daemonId: string;
  try { daemonId = (await readFile(join(cfg.dataRoot, 'engine-id'), 'utf8')).trim(); } catch {
    daemonId = randomUUID();
    await writeFile(join(cfg.dataRoot, 'engine-id'), daemonId);
  }

  const builds = new BuildService({
    pull: async (ref, o) => { await registry.pullImage(ref, o); },
    dataRoot: cfg.dataRoot, images: imageStore, snapshots, containers, cache: new BuildCacheRecords(db), log: log.child({ module: 'builder' }), events,
  });

  const collected = await imageStore.reconcile();
  if (collected.layers.length || collected.blobs.length) log.info('removed what no image uses (left by a crash)', { layers: collected.layers.length, blobs: collected.blobs.length });
  // volumes first, with the users the records say are running: the exits
  // containers.reconcile() then records release their volumes properly
  await volumes.reconcile(runningVolumeUsers(containers.list()));
  await builds.cleanup();
  await containers.reconcile();
  await builds.removeStaleStepContainers();
  await networking.reconcile(ipamDir, net.prefix);
  containers.startExitWatcher();

  const images = new ImageService({ store: imageStore, content, snapshots, containers, events });
  const registry = new RegistryService({
    store: imageStore,
    puller: new Puller({ content, images: imageStore }),
    pusher: new Pusher({ content, images: imageStore }),
    hosts: { mirrors: cfg.registryMirrors, insecureRegistries: cfg.insecureRegistries },
    events,
  });
  const exec = new ExecService({ containers, conmonPath: cfg.conmonPath, events, log: log.child({ module: 'exec' }) });
  const healthStop = new AbortController();
  void new HealthService({ containers, exec, events, log: log.child({ module: 'health' }) }).run(healthStop.signal);
  const system = new SystemService({
    apiVersion: MAX_API_VERSION, minApiVersion: MIN_API_VERSION, dataRoot: cfg.dataRoot, execRoot: cfg.execRoot,
    cgroupVersion: cgv, defaultRuntime: cfg.defaultRuntime, runtimes: cfg.runtimes, daemonId, containers, images: imageStore,
    debug: cfg.logLevel === 'debug', seccompProfile: cfg.seccompProfile, logDriver: cfg.logDriver,
    registry: { mirrors: cfg.registryMirrors, insecureRegistries: cfg.insecureRegistries },
  });
  const usage = new DiskUsageService({ containers, images, imageStore, volumes, snapshots, events });
  const server = new ApiServer({ backend: createBackend({ containers, images, registry, system, builds, commits: new CommitService({ containers, images: imageStore, snapshots, events }), imageStore, snapshots, events, volumes, networks, usage, exec }), log: log.child({ module: 'api' }), version: BERTH_VERSION });
  for (const h of cfg.hosts) {
    await server.listen(h, cfg.tls);
    log.info('API listen on ' + h.replace(/^unix:\/\//, ''));
  }
  log.info('berthd started', { version: BERTH_VERSION, dataRoot: cfg.dataRoot, cgroup: `v${cgv}`, runtime: cfg.defaultRuntime });

  let stopped = false;
  return {
    log,
    events,
    containers,
    async stop() {
      if (stopped) return;
      stopped = true;
      healthStop.abort();
      containers.stopExitWatcher();
      await server.close();
      await ports.releaseAll();
      await dns.close();
      db.close();
      await rm(cfg.pidfile, { force: true });
      await rm(networkClaim, { force: true });
      for (const h of cfg.hosts) if (h.startsWith('unix://')) await rm(h.slice(7), { force: true });
      log.info('berthd stopped; containers keep running');
    },
  };
}

/** volume name → running (or paused) containers that mount it, from the records. */
function runningVolumeUsers(list: ContainerRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of list) {
    if (r.state.Status !== 'running' && r.state.Status !== 'paused') continue;
    for (const m of r.mounts ?? []) if (m.Type === 'volume' && m.Name) out.set(m.Name, [...(out.get(m.Name) ?? []), r.id]);
  }
  return out;
}

/** dockerd's --seccomp-profile: "builtin", "unconfined", or a Docker-format profile file read (and checked) at start. */
async function seccompDefault(profile: string): Promise<SeccompChoice> {
  if (profile === 'builtin') return { kind: 'default' };
  if (profile === 'unconfined') return { kind: 'unconfined' };
  let text: string;
  try { text = await readFile(profile, 'utf8'); } catch (err) { throw systemError(`opening seccomp profile (${profile}) failed: ${(err as Error).message}`, err); }
  return { kind: 'profile', profile: parseDockerSeccompProfile(text) };
}

/** The capabilities in berthd's own bounding set (undefined when /proc does not say: then all are offered). */
async function ownBoundingSet(): Promise<string[] | undefined> {
  const mask = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile('/proc/self/status', 'utf8').catch(() => ''))?.[1];
  return mask ? capabilitiesInMask(mask) : undefined;
}

/**
 * IPv6 default address pools: the configured ones with an IPv6 base, or,
 * as dockerd ≥ 27, a ULA /48 of this host's (fd + 40 bits from the machine
 * ID and the network prefix) split into /64s.
 */
async function ipv6Pools(configured: { base: string; size: number }[], prefix: string): Promise<{ base: Cidr6; size: number }[]> {
  const given = configured.filter((p) => p.base.includes(':')).map((p) => {
    const base = networkOf6(parseCidr6(p.base, 'default address pool base'));
    if (!(p.size >= base.prefix && p.size <= 126)) throw systemError(`invalid default address pool ${p.base} size ${p.size}`);
    return { base, size: p.size };
  });
  if (given.length) return given;
  const machineId = (await readFile('/etc/machine-id', 'utf8').catch(() => '')).trim();
  const h = createHash('sha256').update(`${machineId}/${prefix}`).digest();
  const globalId = (BigInt(h.readUInt32BE(0)) << 8n) | BigInt(h[4]);
  return [{ base: { ip: (0xfdn << 120n) | (globalId << 80n), prefix: 48 }, size: 64 }];
}
