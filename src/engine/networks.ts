/**
 * engine/networks — the network service: Docker's network semantics
 * (create, list, inspect, remove, prune; connect/disconnect are handed to
 * the container-network attacher) over the network records, IPAM pools and
 * the bridge firewall. The predefined `bridge`, `host` and `none` networks
 * always exist; `bridge` runs on the daemon's default bridge (`-b`,
 * `--bip`, `--fixed-cidr`). User-defined bridge networks get a subnet from
 * the default address pools unless given one, a Linux bridge named
 * `<prefix>-<id…>` (≤ 15 chars) and a CNI network `<prefix>-<id12>`.
 * Bridges are made (or adopted, or refused) at create and deleted at rm
 * only when berth made them: engine/network-bridges.
 *
 * May import: network, metadata, lib, errdefs.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError, conflict, invalidArgument, notFound, notImplemented } from '../errdefs/errors.js';
import { newId } from '../lib/ids.js';
import { KeyedMutex } from '../lib/mutex.js';
import type { Logger } from '../lib/log.js';
import type { NetworkRecords } from '../metadata/network-records.js';
import { parseCidr, formatCidr, formatIp, networkOf, contains, type Cidr } from '../network/cidr.js';
import type { Cidr6 } from '../network/cidr6.js';
import { bridgeConfList, type NetworkConfList } from '../network/cni.js';
import type { BridgeFirewall } from '../network/bridge-firewall.js';
import { parseFilters, matchLabel } from './container-views.js';
import type { ContainerRecord } from './container-types.js';
import type { EndpointIpamConfig, IpamConfig, NetworkRecord } from './network-types.js';
import type { EventPublisher } from './events.js';
import { NetworkBridges, gatewayCidr, gatewayCidr6, type BridgeDevices } from './network-bridges.js';
import { resolveIpam, takenSubnets, ipv4Config, ipv6Config } from './network-ipam.js';

export interface DefaultBridgeConfig { bridge: string; bip: string; fixedCidr?: string; mtu?: number }

/** What the network service needs to know about containers, and the attacher for connect/disconnect. */
export interface NetworkContainers {
  list(): ContainerRecord[];
  connect(containerRef: string, network: NetworkRecord, endpoint: { Aliases?: string[] | null; IPAMConfig?: EndpointIpamConfig | null; Links?: string[] | null }): Promise<void>;
  disconnect(containerRef: string, network: NetworkRecord, force: boolean): Promise<void>;
}

export interface NetworkServiceOptions {
  records: NetworkRecords<NetworkRecord>;
  /** Prefix of bridge, chain and CNI network names (≤ 10 chars). */
  prefix: string;
  defaultBridge: DefaultBridgeConfig;
  pools: { base: Cidr; size: number }[];
  /** IPv6 pools for networks with IPv6 on and no subnet given (dockerd ≥ 27: a ULA /48 in /64s). */
  pools6: { base: Cidr6; size: number }[];
  ipamDir: string;
  firewall: BridgeFirewall;
  hostRoutes: () => Promise<Cidr[]>;
  /** The host's links (network/links): bridges are made, marked and deleted through it. */
  devices: BridgeDevices;
  /** The embedded DNS: a network's resolver listener closes with the network. */
  dns?: { stop(networkId: string): Promise<void> };
  log: Logger;
  events?: EventPublisher;
}

export interface NetworkCreateRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  EnableIPv4?: boolean;
  IPAM?: { Driver?: string; Config?: Partial<IpamConfig>[] | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  ConfigOnly?: boolean;
  ConfigFrom?: { Network?: string } | null;
  Scope?: string;
  CheckDuplicate?: boolean;
}

// names are never paths (no slashes, nothing hidden); spaces are allowed, as dockerd allows them (docker-py creates "test 01")
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_. -]*$/;
export const BRIDGE_NAME_OPT = 'com.docker.network.bridge.name';
const MTU_OPT = 'com.docker.network.driver.mtu';
const ICC_OPT = 'com.docker.network.bridge.enable_icc';
const MASQ_OPT = 'com.docker.network.bridge.enable_ip_masquerade';

export class NetworkService {
  private containers?: NetworkContainers;
  private readonly lock = new KeyedMutex();
  private readonly bridges: NetworkBridges;

  constructor(private readonly o: NetworkServiceOptions) {
    this.bridges = new NetworkBridges({ prefix: o.prefix, devices: o.devices, log: o.log });
  }

  setContainers(c: NetworkContainers): void { this.containers = c; }

  /**
   * Create or update the predefined networks (the default bridge made or
   * adopted; a non-bridge device under its name stops the start, as with
   * dockerd), decide the bridge ownership of records from an older berth,
   * delete berth's bridges whose network is gone, then program the firewall.
   */
  async init(): Promise<void> {
    const db = this.o.defaultBridge;
    const gw = parseCidr(db.bip, 'bip');
    const subnet = networkOf(gw);
    if (gw.ip === subnet.ip) throw invalidArgument(`invalid --bip ${db.bip}: give the bridge's own address (e.g. ${formatIp(subnet.ip + 1)}/${subnet.prefix})`);
    let ipRange: string | undefined;
    if (db.fixedCidr) {
      const fc = networkOf(parseCidr(db.fixedCidr, 'fixed-cidr'));
      if (fc.prefix < subnet.prefix || !contains(subnet, fc.ip)) throw invalidArgument(`invalid --fixed-cidr ${db.fixedCidr}: not within --bip ${db.bip}`);
      ipRange = formatCidr(fc);
    }
    const bridgeOptions: Record<string, string> = {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      [BRIDGE_NAME_OPT]: db.bridge,
      [MTU_OPT]: String(db.mtu ?? 1500),
    };
    const cfg: IpamConfig = { Subnet: formatCidr(subnet), Gateway: formatIp(gw.ip), ...(ipRange ? { IPRange: ipRange } : {}) };
    const existing = this.o.records.getByName('bridge');
    const bridgeId = existing?.id ?? newId();
    const claim = await this.bridges.claim(db.bridge, bridgeId, { gateway: `${cfg.Gateway}/${subnet.prefix}`, mtu: db.mtu });
    if (existing) {
      existing.bridge = db.bridge;
      existing.ipam.Config = [cfg];
      existing.options = bridgeOptions;
      Object.assign(existing, claim);
      this.o.records.update(existing);
    } else {
      this.o.records.insert({ id: bridgeId, name: 'bridge', created: new Date().toISOString(), driver: 'bridge', internal: false, attachable: false,
        ipam: { Driver: 'default', Options: null, Config: [cfg] }, options: bridgeOptions, labels: {}, bridge: db.bridge, predefined: true, ...claim });
    }
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (!this.o.records.getByName(name)) {
        this.o.records.insert({ id: newId(), name, created: new Date().toISOString(), driver, internal: false, attachable: false,
          ipam: { Driver: 'default', Options: null, Config: [] }, options: {}, labels: {}, predefined: true });
      }
    }
    for (const n of this.list()) {
      if (n.driver === 'bridge' && n.bridge && !n.predefined && n.bridgeCreated === undefined) this.o.records.update(await this.bridges.migrate(n, n.bridge === this.bridgeName(n.id)));
    }
    await this.bridges.sweep(this.list());
    await this.syncFirewall();
  }

  /** Before an attachment to `n`: a bridge berth made that has vanished is made again (marked). */
  async ensureBridge(n: NetworkRecord): Promise<void> { await this.bridges.ensure(n); }

  async syncFirewall(): Promise<void> {
    const bridges = this.list().filter((n) => n.driver === 'bridge' && n.bridge).map((n) => ({ bridge: n.bridge!, internal: n.internal, icc: n.options[ICC_OPT] !== 'false', subnet: ipv4Config(n)?.Subnet, subnet6: n.enableIPv6 ? ipv6Config(n)?.Subnet : undefined, masquerade: n.options[MASQ_OPT] !== 'false' }));
    await this.o.firewall.sync(bridges);
  }

  // ---- lookup -------------------------------------------------------------
  list(): NetworkRecord[] { return this.o.records.list(); }

  /** By full ID, exact name, or unique ID prefix (Docker's order). */
  tryGet(ref: string): NetworkRecord | undefined {
    if (!ref) return undefined;
    const byId = this.o.records.get(ref);
    if (byId) return byId;
    const byName = this.o.records.getByName(ref);
    if (byName) return byName;
    if (/^[a-f0-9]+$/.test(ref)) {
      const ids = this.o.records.findByPrefix(ref);
      if (ids.length > 1) throw conflict(`network ${ref} is ambiguous (${ids.length} matches found based on ID prefix)`, 'AMBIGUOUS_ID');
      if (ids.length === 1) return this.o.records.get(ids[0]);
    }
    return undefined;
  }

  get(ref: string): NetworkRecord {
    const n = this.tryGet(ref);
    if (!n) throw notFound(`network ${ref} not found`, 'NO_SUCH_NETWORK');
    return n;
  }

  cniName(n: NetworkRecord): string { return `${this.o.prefix}-${n.id.slice(0, 12)}`; }

  /** The CNI configuration list a container attachment to `n` runs. */
  confList(n: NetworkRecord, o: { wholeSubnet?: boolean; wholeSubnet6?: boolean; portmap?: boolean; legacyIpMasq?: boolean; mac?: string } = {}): NetworkConfList {
    const c = ipv4Config(n);
    const c6 = n.enableIPv6 ? ipv6Config(n) : undefined;
    if (n.driver !== 'bridge' || !c || !n.bridge) throw invalidArgument(`network ${n.name} has no bridge to attach to`);
    const mtu = Number(n.options[MTU_OPT] ?? 0) || undefined;
    return bridgeConfList({ cniName: this.cniName(n), bridge: n.bridge, subnet: c.Subnet, gateway: c.Gateway, ipRange: o.wholeSubnet ? undefined : c.IPRange, exclude: Object.values(c.AuxiliaryAddresses ?? {}), ...(c6 ? { v6: { subnet: c6.Subnet, gateway: c6.Gateway, ipRange: o.wholeSubnet6 ? undefined : c6.IPRange, exclude: Object.values(c6.AuxiliaryAddresses ?? {}) } } : {}), ipamDir: this.o.ipamDir, internal: n.internal, mtu, portmap: o.portmap, legacyIpMasq: o.legacyIpMasq && !n.internal && n.options[MASQ_OPT] !== 'false', mac: o.mac, tuningDir: join(this.o.ipamDir, '..', 'tuning') });
  }

  /** Is this a user-defined network (embedded DNS, aliases, --ip)? */
  isUserDefined(n: NetworkRecord): boolean { return !n.predefined; }

  // ---- create -------------------------------------------------------------
  async create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    return this.lock.run('networks', async () => {
      if (!req || typeof req !== 'object') throw invalidArgument('invalid network config');
      const name = req.Name ?? '';
      if (!name) throw invalidArgument('network name must not be empty');
      if (!NAME_RE.test(name)) throw invalidArgument(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_. -] are allowed`);
      if (this.o.records.getByName(name)) throw conflict(`network with name ${name} already exists`, 'NETWORK_EXISTS');
      const driver = req.Driver || 'bridge';
      if (driver === 'host' || driver === 'null') throw new BerthError('FORBIDDEN', `only one instance of "${driver}" network is allowed`);
      if (['overlay', 'macvlan', 'ipvlan'].includes(driver)) throw notImplemented(`the ${driver} network driver is not supported by berth (bridge only)`);
      if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
      if (req.EnableIPv6 !== undefined && typeof req.EnableIPv6 !== 'boolean') throw invalidArgument('invalid EnableIPv6: must be a boolean');
      if (req.EnableIPv4 === false) throw notImplemented('IPv6-only networks (EnableIPv4 false) are not supported by berth yet');
      if (req.Ingress || req.ConfigOnly || req.ConfigFrom?.Network) throw notImplemented('swarm-style ingress and config-only networks are not supported by berth');
      if (req.Scope && req.Scope !== 'local') throw invalidArgument(`invalid scope "${req.Scope}" for the bridge driver (only "local")`);
      const ipamDriver = req.IPAM?.Driver || 'default';
      if (ipamDriver !== 'default') throw notImplemented(`IPAM driver "${ipamDriver}" is not supported by berth (only "default")`);
      const options = { ...(req.Options ?? {}) };
      for (const [k, v] of Object.entries(options)) if (typeof v !== 'string') throw invalidArgument(`invalid value for network option ${k}: must be a string`);
      for (const k of [ICC_OPT, MASQ_OPT]) if (options[k] !== undefined && !['true', 'false'].includes(options[k])) throw invalidArgument(`invalid value for ${k}: ${options[k]} (true or false)`);
      if (options[MTU_OPT] !== undefined && !(/^\d+$/.test(options[MTU_OPT]) && Number(options[MTU_OPT]) >= 68 && Number(options[MTU_OPT]) <= 65535)) {
        throw invalidArgument(`invalid MTU ${options[MTU_OPT]}: must be a number between 68 and 65535`);
      }

      const id = newId();
      const bridge = options[BRIDGE_NAME_OPT] || this.bridgeName(id);
      if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(bridge)) throw invalidArgument(`invalid bridge name "${bridge}": at most 15 characters of [a-zA-Z0-9_.-]`);
      if (this.list().some((n) => n.bridge === bridge)) throw conflict(`bridge name ${bridge} is already used by another network`, 'NETWORK_EXISTS');
      const ipam = resolveIpam(req.IPAM?.Config ?? [], { pools: this.o.pools, pools6: this.o.pools6, enableIPv6: !!req.EnableIPv6, taken: takenSubnets(this.list()), routes: await this.o.hostRoutes() });

      const rec: NetworkRecord = {
        id, name, created: new Date().toISOString(), driver: 'bridge', internal: !!req.Internal, attachable: !!req.Attachable,
        ipam: { Driver: 'default', Options: req.IPAM?.Options ?? null, Config: ipam.config }, options, labels: { ...(req.Labels ?? {}) }, bridge,
        ...(ipam.enableIPv6 ? { enableIPv6: true } : {}),
      };
      // last of the checks, first of the changes: a kill -9 from here on leaves a marked bridge the start-up sweep deletes
      Object.assign(rec, await this.bridges.claim(bridge, id, { gateway: gatewayCidr(rec), gateway6: gatewayCidr6(rec), mtu: Number(options[MTU_OPT] ?? 0) || undefined }));
      try {
        this.o.records.insert(rec);
      } catch (err) {
        await this.bridges.release(rec).catch((e) => this.o.log.warn('bridge removal failed', { bridge, err: (e as Error).message }));
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict(`network with name ${name} already exists`, 'NETWORK_EXISTS');
        throw err;
      }
      try {
        await this.syncFirewall();
      } catch (err) {
        this.o.records.delete(id);
        await this.syncFirewall().catch(() => {});
        await this.bridges.release(rec).catch((e) => this.o.log.warn('bridge removal failed', { bridge, err: (e as Error).message }));
        throw err;
      }
      this.o.events?.publish('network', 'create', id, { name, type: 'bridge' });
      return { Id: id, Warning: '' };
    });
  }

  private bridgeName(id: string): string {
    return `${this.o.prefix}-${id.slice(0, Math.max(4, 14 - this.o.prefix.length))}`.slice(0, 15);
  }

  // ---- views ----------------------------------------------------------------
  /** Docker's network JSON; `Containers` lists running attachments (inspect) or is empty (list). */
  view(n: NetworkRecord, withContainers: boolean) {
    const containers: Record<string, unknown> = {};
    if (withContainers) {
      for (const c of this.containers?.list() ?? []) {
        const ep = c.net?.endpoints[n.name];
        if (!ep?.live || ep.NetworkID !== n.id) continue;
        containers[c.id] = { Name: c.name, EndpointID: ep.live.EndpointID, MacAddress: ep.live.mac, IPv4Address: `${ep.live.ip}/${ep.live.prefixLen}`, IPv6Address: ep.live.ip6 ? `${ep.live.ip6}/${ep.live.prefixLen6}` : '' };
      }
      if (n.driver === 'host' || n.driver === 'null') {
        for (const c of this.containers?.list() ?? []) {
          if (c.state.Status === 'running' && c.hostConfig.NetworkMode === n.name) containers[c.id] = { Name: c.name, EndpointID: '', MacAddress: '', IPv4Address: '', IPv6Address: '' };
        }
      }
    }
    return {
      Name: n.name,
      Id: n.id,
      Created: n.created,
      Scope: 'local',
      Driver: n.driver,
      EnableIPv4: true,
      EnableIPv6: !!n.enableIPv6,
      IPAM: { Driver: n.ipam.Driver, Options: n.ipam.Options, Config: n.ipam.Config },
      Internal: n.internal,
      Attachable: n.attachable,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: n.options,
      Labels: n.labels,
    };
  }

  inspect(ref: string) { return this.view(this.get(ref), true); }

  listView(filters?: string) {
    const f = parseFilters(filters);
    for (const k of f.keys()) if (!['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    for (const t of f.get('type') ?? []) if (t !== 'custom' && t !== 'builtin') throw invalidArgument(`invalid filter: 'type'='${t}'`);
    const used = this.usedNetworkIds();
    return this.list().filter((n) => {
      const any = (k: string, pred: (v: string) => boolean) => !f.has(k) || f.get(k)!.some(pred);
      return any('driver', (v) => n.driver === v)
        && any('id', (v) => n.id.startsWith(v))
        && any('name', (v) => n.name.includes(v))
        && any('scope', (v) => v === 'local')
        && any('type', (v) => (v === 'builtin') === !!n.predefined)
        && any('dangling', (v) => (['true', '1'].includes(v) ? !n.predefined && !used.has(n.id) : n.predefined || used.has(n.id)))
        && (f.get('label') ?? []).every((v) => matchLabel(n.labels, v));
    }).map((n) => this.view(n, false));
  }

  /** Networks referenced by any container (running or not). */
  private usedNetworkIds(): Set<string> {
    const used = new Set<string>();
    for (const c of this.containers?.list() ?? []) {
      for (const ep of Object.values(c.net?.endpoints ?? {})) used.add(ep.NetworkID);
      const byMode = this.tryGetQuiet(c.hostConfig.NetworkMode ?? '');
      if (byMode) used.add(byMode.id);
    }
    return used;
  }

  private tryGetQuiet(ref: string): NetworkRecord | undefined {
    try { return this.tryGet(ref); } catch { return undefined; }
  }

  // ---- remove / prune --------------------------------------------------------
  async remove(ref: string): Promise<void> {
    const n = this.get(ref);
    await this.lock.run('networks', async () => {
      if (n.predefined) throw new BerthError('FORBIDDEN', `${n.name} is a pre-defined network and cannot be removed`);
      const active = (this.containers?.list() ?? []).filter((c) => c.net?.endpoints[n.name]?.NetworkID === n.id && (c.state.Status === 'running' || c.state.Status === 'paused' || c.net.endpoints[n.name].live));
      if (active.length) throw conflict(`error while removing network: network ${n.name} id ${n.id} has active endpoints (${active.map((c) => c.name).join(', ')})`, 'NETWORK_IN_USE');
      await this.destroy(n);
    });
  }

  private async destroy(n: NetworkRecord): Promise<void> {
    this.o.records.delete(n.id);
    await this.syncFirewall();
    await this.o.dns?.stop(n.id).catch((e) => this.o.log.warn('closing the network\'s DNS listener failed', { network: n.name, err: (e as Error).message }));
    await this.bridges.release(n).catch((e) => this.o.log.warn('bridge removal failed', { bridge: n.bridge, err: (e as Error).message }));
    await rm(join(this.o.ipamDir, this.cniName(n)), { recursive: true, force: true });
    this.o.events?.publish('network', 'destroy', n.id, { name: n.name, type: n.driver });
  }

  async prune(filters?: string): Promise<{ NetworksDeleted: string[] }> {
    const f = parseFilters(filters);
    for (const k of f.keys()) if (!['until', 'label', 'label!'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const until = f.get('until')?.[0];
    const untilMs = until === undefined ? undefined : parseUntil(until);
    const deleted: string[] = [];
    await this.lock.run('networks', async () => {
      const used = this.usedNetworkIds();
      for (const n of this.list()) {
        if (n.predefined || used.has(n.id)) continue;
        if (untilMs !== undefined && Date.parse(n.created) >= untilMs) continue;
        if (!(f.get('label') ?? []).every((v) => matchLabel(n.labels, v))) continue;
        if ((f.get('label!') ?? []).some((v) => matchLabel(n.labels, v))) continue;
        await this.destroy(n);
        deleted.push(n.name);
      }
    });
    return { NetworksDeleted: deleted };
  }

  // ---- connect / disconnect ------------------------------------------------------
  async connect(ref: string, body: { Container?: string; EndpointConfig?: { Aliases?: string[] | null; IPAMConfig?: EndpointIpamConfig | null; Links?: string[] | null } | null }): Promise<void> {
    const n = this.get(ref);
    if (!body?.Container) throw invalidArgument('no container specified');
    if (n.driver !== 'bridge') throw new BerthError('FORBIDDEN', `container cannot be disconnected from host network or connected to host network`);
    await this.containers!.connect(body.Container, n, body.EndpointConfig ?? {});
  }

  async disconnect(ref: string, body: { Container?: string; Force?: boolean }): Promise<void> {
    const n = this.get(ref);
    if (!body?.Container) throw invalidArgument('no container specified');
    await this.containers!.disconnect(body.Container, n, !!body.Force);
  }
}

function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return parseFloat(v) * 1000;
  const d = /^(\d+)(s|m|h)$/.exec(v);
  if (d) return Date.now() - Number(d[1]) * { s: 1000, m: 60000, h: 3600000 }[d[2] as 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid filter 'until=${v}'`);
  return t;
}
