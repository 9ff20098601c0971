/**
 * engine/container-network — what a container's networking does at each
 * step of its life, in Docker's terms:
 *
 * - create: `prepare()` validates NetworkMode (bridge | none | host |
 *   container:<id> | a network name), NetworkingConfig endpoints (aliases,
 *   --ip) and PortBindings, and records the configured endpoints;
 * - start: `setup()` pins a network namespace under the exec root, brings
 *   up loopback, binds (reserves) the published host ports, runs the CNI
 *   list (bridge + host-local + portmap) for each endpoint (eth0, eth1, …),
 *   and on user-defined networks opens the network's embedded DNS listener
 *   at its gateway and turns on the redirect to it; all or nothing;
 * - exit / rm: `teardown()` runs CNI DEL (veth, IPAM lease, NAT and DNAT
 *   rules), releases the ports and unpins the namespace; idempotent;
 * - `connect()` / `disconnect()` add or remove an attachment, hot when the
 *   container runs;
 * - daemon start: `reconcile()` re-takes the ports and DNS listeners of
 *   running containers, tears down what dead ones left, and sweeps leases,
 *   namespaces and rules nobody owns.
 *
 * May import: network, engine types, lib, errdefs.
 */
import { readFile, writeFile, readdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { BerthError, conflict, invalidArgument, notFound } from '../errdefs/errors.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/log.js';
import { addNetworkList, delNetworkList, endpointFromResult, LOOPBACK_CONF, type RuntimeConfig } from '../network/cni.js';
import type { CniExecutor } from '../network/cni-exec.js';
import type { NetnsStore } from '../network/netns.js';
import type { PortReservations } from '../network/port-reservations.js';
import { portMappings, type BoundPort } from '../network/port-bindings.js';
import type { Iptables } from '../network/iptables.js';
import { findForward, forwardConflictMessage } from '../network/hostport-forwards.js';
import type { DnsAnswerSource } from '../network/dns-server.js';
import { hostsFile, resolvConf } from './container-files.js';
import { sweepOrphanNatRules } from './nat-sweep.js';
import { linkHostLines, linkTargets, parseLink } from './container-links.js';
import { resolveForAsker, type DnsContainer, type DnsEndpoint } from './dns-names.js';
import type { NetworkService, NetworkContainers } from './networks.js';
import { checkEndpointAddress, ipv4Config, ipv6Config } from './network-ipam.js';
import type { ContainerRecord, CreateRequest, HostConfig } from './container-types.js';
import type { ContainerNetState, EndpointIpamConfig, EndpointState, NetworkRecord } from './network-types.js';
import type { EventPublisher } from './events.js';

/** The container service as the networking code sees it. */
export interface ContainerAccess {
  get(ref: string): ContainerRecord;
  list(): ContainerRecord[];
  /** Run `fn` on the current record under the container's lock, then save it. */
  update(id: string, fn: (rec: ContainerRecord) => Promise<void>): Promise<void>;
  /** Where the container's hostname, hosts and resolv.conf live. */
  containerDir(id: string): string;
}

/** The embedded DNS server as the networking code sees it (see network/dns-server). */
export interface EmbeddedDns {
  /** Make the resolver listen for network `networkId` at its `gateway` (on the host); returns the port. Idempotent. */
  serve(networkId: string, gateway: string): Promise<number>;
  /** Send 127.0.0.11:53 in the namespace to the resolver at `gateway`:`port`. */
  redirect(netnsPath: string, gateway: string, port: number): Promise<void>;
}

export interface ContainerNetworkingOptions {
  networks: NetworkService;
  cni: CniExecutor;
  netns: NetnsStore;
  ports: PortReservations;
  /** iptables in a namespace (for sweeping orphan rules on the host: no namespace). */
  iptables: (netns?: string) => Iptables;
  /** Put extra addresses (a.b.c.d/len) on an interface inside a namespace (network/links). */
  addresses: { add(netnsPath: string, ifname: string, cidrs: string[]): Promise<void> };
  /** host resolv.conf text (default /etc/resolv.conf) */
  hostResolvConf?: () => Promise<string>;
  /** where the embedded DNS reads the host's resolvers from (default /etc/resolv.conf) */
  hostResolvConfPath?: string;
  dns?: EmbeddedDns;
  log: Logger;
  events?: EventPublisher;
}

export interface NetworkSetup { hostNetwork: boolean; netnsPath?: string }

const running = (r: ContainerRecord) => r.state.Status === 'running' || r.state.Status === 'paused' || r.state.Status === 'restarting';

export class ContainerNetworking implements NetworkContainers, DnsAnswerSource {
  private containers?: ContainerAccess;

  constructor(private readonly o: ContainerNetworkingOptions) {}

  setContainers(c: ContainerAccess): void { this.containers = c; }
  list(): ContainerRecord[] { return this.containers?.list() ?? []; }

  // ---- create -----------------------------------------------------------------
  /** Validate the network part of a create request; returns the configured endpoints. Throws before anything exists. */
  prepare(req: CreateRequest, hc: HostConfig): ContainerNetState {
    const mode = hc.NetworkMode ?? 'bridge';
    // the docker CLI names the mode's endpoint "default" when the mode is the default one
    const eps: Record<string, NonNullable<NonNullable<CreateRequest['NetworkingConfig']>['EndpointsConfig']>[string]> = {};
    for (const [k, v] of Object.entries(req.NetworkingConfig?.EndpointsConfig ?? {})) eps[k === 'default' ? 'bridge' : k] = v;
    const hasPorts = Object.values(hc.PortBindings ?? {}).some((b) => b && b.length) || !!hc.PublishAllPorts;
    const anyMac = !!req.MacAddress || Object.values(eps).some((e) => !!e?.MacAddress);
    const links = ((hc.Links ?? []) as string[]).length > 0;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      if (anyMac) throw invalidArgument('conflicting options: mac-address and the network mode');
      if (links) throw invalidArgument('conflicting options: links and the network mode');
      if (mode.startsWith('container:')) {
        const ref = mode.slice('container:'.length);
        if (!ref) throw invalidArgument('invalid network mode: container: needs a container name or ID');
        // a 404 here would make the docker CLI try to pull the image: the mode is bad input
        try { this.containers?.get(ref); } catch (err) { throw invalidArgument(`invalid network mode container:${ref}: No such container: ${ref}`, 'INVALID_PARAMETER', err); }
        if (hasPorts) throw invalidArgument('conflicting options: port publishing and the container type network mode');
        if (req.Hostname) throw invalidArgument('conflicting options: hostname and the network mode');
        if ((hc.Dns ?? []).length || (hc.DnsSearch ?? []).length || (hc.DnsOptions ?? []).length) throw invalidArgument('conflicting options: dns and the network mode');
        if ((hc.ExtraHosts ?? []).length) throw invalidArgument('conflicting options: custom host-to-IP mapping and the network mode');
      }
      const extra = Object.keys(eps).filter((k) => k !== mode);
      if (extra.length) throw invalidArgument(`container cannot be connected to network(s) ${extra.join(', ')} with network mode ${mode}`);
      portMappings(hc.PortBindings, { exposed: req.ExposedPorts ?? {}, publishAll: false });
      return { endpoints: {} };
    }
    const primary = this.o.networks.get(mode);
    if (primary.driver !== 'bridge') throw invalidArgument(`network mode ${mode} is not a bridge network`);
    portMappings(hc.PortBindings, { exposed: req.ExposedPorts ?? {}, publishAll: !!hc.PublishAllPorts });
    const endpoints: Record<string, EndpointState> = {};
    const names = [mode, ...Object.keys(eps).filter((k) => k !== mode)];
    for (const ref of names) {
      const n = this.o.networks.get(ref);
      if (n.driver !== 'bridge') throw invalidArgument(`container cannot be connected to network ${n.name} together with ${primary.name}`);
      if (endpoints[n.name]) continue;
      const ep = eps[ref] ?? eps[n.name] ?? eps[n.id] ?? {};
      // the old container-wide MacAddress goes to the container's own network
      endpoints[n.name] = this.endpointConfig(n, ref === mode && req.MacAddress && !ep.MacAddress ? { ...ep, MacAddress: req.MacAddress } : ep);
    }
    return { endpoints };
  }

  /**
   * HostConfig.Links are legacy links, a default-bridge feature. With a
   * user-defined network mode dockerd 20.10 ignores them (registerLinks
   * returns early): no error for a missing target, no variables or hosts
   * lines, inspect shows null — docker-compose 1.29's `run` sends them for
   * its one-off container. Links there are endpoint links (see endpointConfig).
   */
  legacyLinksIgnored(hc: HostConfig): boolean {
    const mode = hc.NetworkMode ?? 'bridge';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return false;
    const n = this.o.networks.tryGet(mode);
    return !!n && this.o.networks.isUserDefined(n);
  }

  private endpointConfig(n: NetworkRecord, ep: { Aliases?: string[] | null; IPAMConfig?: EndpointIpamConfig | null; Links?: string[] | null; DriverOpts?: Record<string, string> | null; MacAddress?: string }): EndpointState {
    const user = this.o.networks.isUserDefined(n);
    const ip = ep.IPAMConfig?.IPv4Address || undefined;
    const ip6 = ep.IPAMConfig?.IPv6Address || undefined;
    for (const a of [ip, ip6]) if (a !== undefined && typeof a !== 'string') throw invalidArgument(`invalid IP address: ${JSON.stringify(a)}`);
    if ((ip || ip6) && !user) throw invalidArgument('user specified IP address is supported on user defined networks only');
    if (ip) {
      checkEndpointAddress(n, ip, 4);
      const aux = Object.entries(ipv4Config(n)?.AuxiliaryAddresses ?? {}).find(([, a]) => a === ip);
      if (aux) throw conflict(`Address already in use: ${ip} is the auxiliary address ${aux[0]} of network ${n.name}`, 'CONFLICT');
    }
    if (ip6) {
      if (!n.enableIPv6) throw invalidArgument(`invalid endpoint settings: an IPv6 address (${ip6}) was given but network ${n.name} does not have IPv6 enabled`);
      const canonical = checkEndpointAddress(n, ip6, 6);
      const aux = Object.entries(ipv6Config(n)?.AuxiliaryAddresses ?? {}).find(([, a]) => a === canonical);
      if (aux) throw conflict(`Address already in use: ${ip6} is the auxiliary address ${aux[0]} of network ${n.name}`, 'CONFLICT');
    }
    const linkLocal = ep.IPAMConfig?.LinkLocalIPs ?? [];
    if (!Array.isArray(linkLocal)) throw invalidArgument('invalid link-local IP addresses: not a list');
    for (const a of linkLocal) if (typeof a !== 'string' || !isIP(a)) throw invalidArgument(`invalid link-local IP address: ${String(a)}`);
    if ((ep.Aliases ?? []).length && !user) throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
    for (const a of ep.Aliases ?? []) if (typeof a !== 'string' || !a) throw invalidArgument(`invalid alias: ${JSON.stringify(a)}`);
    // endpoint links are kept as given (dockerd shows them so); on a user-defined network the embedded DNS
    // answers their aliases to the linking container (engine/dns-names); a target need not exist (dockerd 20.10)
    for (const l of ep.Links ?? []) {
      if (typeof l !== 'string') throw invalidArgument(`invalid link: ${JSON.stringify(l)}`);
      parseLink(l);
    }
    const mac = ep.MacAddress ? normalizeMac(ep.MacAddress) : undefined;
    return { NetworkID: n.id, Aliases: ep.Aliases?.length ? [...ep.Aliases] : null, IPAMConfig: ip || ip6 || linkLocal.length ? { ...(ip ? { IPv4Address: ip } : {}), ...(ip6 ? { IPv6Address: ip6 } : {}), ...(linkLocal.length ? { LinkLocalIPs: [...linkLocal] } : {}) } : null, Links: ep.Links?.length ? [...ep.Links] : null, DriverOpts: ep.DriverOpts ?? null, ...(mac ? { MacAddress: mac } : {}) };
  }

  /** Docker's create warnings about networking (the docker CLI prints them). */
  warnings(hc: HostConfig): string[] {
    const hasPorts = Object.values(hc.PortBindings ?? {}).some((b) => b && b.length) || !!hc.PublishAllPorts;
    return hc.NetworkMode === 'host' && hasPorts ? ['Published ports are discarded when using host network mode'] : [];
  }

  // ---- start ------------------------------------------------------------------
  async setup(rec: ContainerRecord): Promise<NetworkSetup> {
    const mode = rec.hostConfig.NetworkMode ?? 'bridge';
    rec.net ??= { endpoints: {} };
    if (mode === 'host') return { hostNetwork: true };
    if (mode.startsWith('container:')) {
      const other = this.containers!.get(mode.slice('container:'.length));
      if (other.id === rec.id) throw invalidArgument('cannot join own network');
      if (!running(other) || !other.state.Pid) throw conflict(`cannot join network namespace of a non running container: ${other.id}`, 'CONTAINER_NOT_RUNNING');
      return { hostNetwork: false, netnsPath: other.net?.sandboxKey ?? `/proc/${other.state.Pid}/ns/net` };
    }
    const netnsPath = await this.o.netns.create(rec.id);
    rec.net.sandboxKey = netnsPath;
    try {
      await addNetworkList(this.o.cni, LOOPBACK_CONF, { containerId: rec.id, netns: netnsPath, ifname: 'lo' });
      if (mode !== 'none') {
        const mappings = portMappings(rec.hostConfig.PortBindings, { exposed: rec.config.ExposedPorts ?? {}, publishAll: !!rec.hostConfig.PublishAllPorts });
        const bound = await this.o.ports.reserve(rec.id, mappings);
        rec.net.ports = bound;
        if (bound.length) await this.refuseForwardedPorts(bound);
        let first = true;
        for (const name of Object.keys(rec.net.endpoints)) {
          await this.attach(rec, name, first ? bound : []);
          first = false;
        }
      }
    } catch (err) {
      await this.teardown(rec).catch((e) => this.o.log.warn('network teardown after failed setup', { id: rec.id, err: (e as Error).message }));
      throw err;
    }
    return { hostNetwork: false, netnsPath };
  }

  /** A host port that an existing DNAT rule (another engine's, or one left by an engine that is gone) already forwards would be a black hole. */
  private async refuseForwardedPorts(bound: BoundPort[]): Promise<void> {
    let rules: string[];
    try { rules = await this.o.iptables().rules('nat'); } catch { return; }
    for (const b of bound) {
      const f = findForward(rules, b);
      if (f) throw conflict(forwardConflictMessage(b, f), 'PORT_IN_USE');
    }
  }

  private nextIfname(state: ContainerNetState): string {
    const used = new Set(Object.values(state.endpoints).map((e) => e.live?.ifname).filter(Boolean));
    for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
  }

  private portRuntime(ports: BoundPort[]): RuntimeConfig {
    return { portMappings: ports.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, hostIP: p.hostIp })) };
  }

  /** Program one endpoint (CNI ADD) in the container's namespace. */
  private async attach(rec: ContainerRecord, name: string, ports: BoundPort[]): Promise<void> {
    const ep = rec.net!.endpoints[name];
    const n = this.o.networks.tryGet(ep.NetworkID);
    if (!n) throw notFound(`network ${name} not found`, 'NO_SUCH_NETWORK');
    const ifname = this.nextIfname(rec.net!);
    const ip = ep.IPAMConfig?.IPv4Address;
    const ip6 = n.enableIPv6 ? ep.IPAMConfig?.IPv6Address : undefined;
    const rt = { containerId: rec.id, netns: rec.net!.sandboxKey!, ifname };
    // host-local takes requested addresses from the `ips` runtime config, one per range set
    const requested = [...(ip ? [ip] : []), ...(ip6 ? [ip6] : [])];
    // the bridge plugin makes a missing bridge unmarked: one berth made is made again by berth first
    await this.o.networks.ensureBridge(n);
    let result;
    try {
      // Docker takes a given --ip anywhere in the subnet, not only in --ip-range: host-local then gets the whole subnet
      result = await addNetworkList(this.o.cni, this.o.networks.confList(n, { wholeSubnet: !!ip, wholeSubnet6: !!ip6, portmap: ports.length > 0, mac: ep.MacAddress }), rt, { ...this.portRuntime(ports), ...(requested.length ? { ips: requested } : {}) });
    } catch (err) {
      if (requested.length && /already|requested IP address|not available/i.test((err as Error).message)) throw conflict(`Address already in use: ${requested.join(', ')} on network ${n.name}`, 'CONFLICT', err);
      throw err;
    }
    const e = endpointFromResult(result, ifname);
    ep.live = { EndpointID: newId(), ifname, ip: e.ip, prefixLen: e.prefixLen, gateway: e.gateway, ...(e.ip6 ? { ip6: e.ip6, prefixLen6: e.prefixLen6, gateway6: e.gateway6 } : {}), mac: e.mac, cni: result, ports, netNat: true };
    // link-local addresses (--link-local-ip) go on the interface beside the network's own (a /16 for IPv4, a /64 for IPv6, as dockerd's)
    const linkLocal = ep.IPAMConfig?.LinkLocalIPs ?? [];
    if (linkLocal.length) await this.o.addresses.add(rec.net!.sandboxKey!, ifname, linkLocal.map((a) => `${a}/${isIP(a) === 6 ? 64 : 16}`));
    this.o.events?.publish('network', 'connect', n.id, { name: n.name, type: n.driver, container: rec.id });
    if (this.o.networks.isUserDefined(n) && e.gateway) await this.pointDns(rec.net!.sandboxKey!, n.id, e.gateway);
  }

  /** 127.0.0.11 in the namespace → network `networkId`'s resolver at its gateway (opened if need be). */
  private async pointDns(netnsPath: string, networkId: string, gateway: string): Promise<void> {
    if (!this.o.dns) return;
    const port = await this.o.dns.serve(networkId, gateway);
    await this.o.dns.redirect(netnsPath, gateway, port);
  }

  /** Undo one endpoint (CNI DEL). */
  private async detach(rec: ContainerRecord, name: string): Promise<void> {
    const ep = rec.net?.endpoints[name];
    if (!ep?.live) return;
    const n = this.o.networks.tryGet(ep.NetworkID);
    const netns = rec.net!.sandboxKey && (await this.o.netns.exists(rec.id)) ? rec.net!.sandboxKey : '';
    if (n) {
      await delNetworkList(this.o.cni, this.o.networks.confList(n, { portmap: (ep.live.ports?.length ?? 0) > 0, legacyIpMasq: !ep.live.netNat, mac: ep.MacAddress }), { containerId: rec.id, netns, ifname: ep.live.ifname }, this.portRuntime(ep.live.ports), ep.live.cni)
        .catch((err) => this.o.log.warn('CNI DEL failed', { id: rec.id.slice(0, 12), network: name, err: (err as Error).message }));
    }
    ep.live = undefined;
    if (n) this.o.events?.publish('network', 'disconnect', n.id, { name: n.name, type: n.driver, container: rec.id });
  }

  /** Undo everything setup() did; safe to call twice and after a crash. */
  async teardown(rec: ContainerRecord): Promise<void> {
    if (!rec.net) return;
    for (const name of Object.keys(rec.net.endpoints)) await this.detach(rec, name);
    await this.o.ports.release(rec.id);
    rec.net.ports = undefined;
    if (rec.net.sandboxKey || (await this.o.netns.exists(rec.id))) {
      await this.o.netns.remove(rec.id).catch((err) => this.o.log.warn('netns removal failed', { id: rec.id.slice(0, 12), err: (err as Error).message }));
    }
    rec.net.sandboxKey = undefined;
  }

  // ---- connect / disconnect -------------------------------------------------------
  async connect(ref: string, n: NetworkRecord, epConfig: { Aliases?: string[] | null; IPAMConfig?: EndpointIpamConfig | null; MacAddress?: string; Links?: string[] | null }): Promise<void> {
    const id = this.containers!.get(ref).id;
    await this.containers!.update(id, async (rec) => {
      const mode = rec.hostConfig.NetworkMode ?? 'bridge';
      if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
        throw new BerthError('FORBIDDEN', `container cannot be connected to network ${n.name}: its network mode is ${mode}`);
      }
      rec.net ??= { endpoints: {} };
      if (rec.net.endpoints[n.name]) throw new BerthError('FORBIDDEN', `endpoint with name ${rec.name} already exists in network ${n.name}`);
      const ep = this.endpointConfig(n, epConfig);
      rec.net.endpoints[n.name] = ep;
      if (running(rec) && rec.net.sandboxKey) {
        try {
          await this.attach(rec, n.name, []);
        } catch (err) {
          delete rec.net.endpoints[n.name];
          throw err;
        }
        // joining a first user-defined network switches the container to the embedded DNS (as Docker rebuilds DNS on join)
        await writeFile(join(this.containers!.containerDir(rec.id), 'resolv.conf'), await this.resolvText(rec));
      }
    });
  }

  async disconnect(ref: string, n: NetworkRecord, force: boolean): Promise<void> {
    let rec: ContainerRecord | undefined;
    try { rec = this.containers!.get(ref); } catch (err) {
      if (!force) throw err;
    }
    if (!rec) return;
    await this.containers!.update(rec.id, async (cur) => {
      const ep = cur.net?.endpoints[n.name];
      // force only forgives a container that is gone (dockerd's ForceEndpointDelete), not one that is not connected
      if (!ep || ep.NetworkID !== n.id) {
        throw new BerthError('FORBIDDEN', `container ${cur.id} is not connected to network ${n.name}`);
      }
      await this.detach(cur, n.name);
      delete cur.net!.endpoints[n.name];
      // 127.0.0.11 may have pointed at that network's gateway: point it at a remaining user network's
      const other = Object.values(cur.net!.endpoints).find((e) => e.live && this.o.networks.isUserDefined(this.o.networks.tryGet(e.NetworkID) ?? n));
      if (other?.live && cur.net!.sandboxKey && running(cur)) await this.pointDns(cur.net!.sandboxKey, other.NetworkID, other.live.gateway);
      if (cur.hostConfig.NetworkMode === n.name) {
        // Docker: the mode keeps naming the network; a start without any endpoint gets loopback only
      }
    });
  }

  // ---- /etc files -------------------------------------------------------------------
  /** Write hostname, hosts and resolv.conf into the container directory, for its network mode. */
  async writeEtcFiles(rec: ContainerRecord, dir: string): Promise<void> {
    const hc = rec.hostConfig;
    const mode = hc.NetworkMode ?? 'bridge';
    if (mode.startsWith('container:')) {
      // share the other container's files (Docker does the same)
      const other = this.containers!.get(mode.slice('container:'.length));
      const odir = join(dir, '..', other.id);
      for (const f of ['hostname', 'hosts', 'resolv.conf']) await writeFile(join(dir, f), await readFile(join(odir, f), 'utf8').catch(() => ''));
      return;
    }
    const hostNetwork = mode === 'host';
    const hostname = hostNetwork ? (await readFile('/etc/hostname', 'utf8').catch(() => 'localhost\n')).trim() : rec.config.Hostname;
    await writeFile(join(dir, 'hostname'), hostname + '\n');
    await writeFile(join(dir, 'hosts'), await this.hostsText(rec, hostNetwork));
    await writeFile(join(dir, 'resolv.conf'), await this.resolvText(rec));
  }

  /** resolv.conf: 127.0.0.11 on user-defined networks, else the host's (minus loopback servers) or --dns. */
  private async resolvText(rec: ContainerRecord): Promise<string> {
    const hc = rec.hostConfig;
    const hostResolv = await (this.o.hostResolvConf?.() ?? readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
    const user = this.usesEmbeddedDns(rec);
    return resolvConf(hostResolv, {
      dns: user ? ['127.0.0.11'] : (hc.Dns ?? []) as string[],
      search: (hc.DnsSearch ?? []) as string[],
      options: user ? ['ndots:0', ...((hc.DnsOptions ?? []) as string[]).filter((o) => !o.startsWith('ndots:'))] : (hc.DnsOptions ?? []) as string[],
      keepLoopback: hc.NetworkMode === 'host',
    });
  }

  /** Containers on a user-defined network get Docker's embedded DNS at 127.0.0.11. */
  usesEmbeddedDns(rec: ContainerRecord): boolean {
    if (!this.o.dns) return false;
    return Object.values(rec.net?.endpoints ?? {}).some((ep) => { const n = this.o.networks.tryGet(ep.NetworkID); return !!n && this.o.networks.isUserDefined(n); });
  }

  private async hostsText(rec: ContainerRecord, hostNetwork: boolean): Promise<string> {
    const extra = ((rec.hostConfig.ExtraHosts ?? []) as string[]).map((h) => h.replace(/[:=]host-gateway$/, `:${this.hostGatewayIp()}`));
    if (hostNetwork) {
      const base = await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1\tlocalhost\n');
      return base + hostsFile({ hostname: '', extraHosts: extra }).split('\n').slice(6).join('\n');
    }
    const first = Object.values(rec.net?.endpoints ?? {}).find((e) => e.live);
    // a link whose target is gone fails the start (engine/containers, its env); a rewrite later just leaves it out
    let linked: string[] = [];
    try { linked = linkHostLines(linkTargets(rec, (r) => { try { return this.containers!.get(r); } catch { return undefined; } })); } catch { linked = []; }
    return hostsFile({ hostname: rec.config.Hostname, domainname: rec.config.Domainname, extraHosts: extra, ip: first?.live?.ip, ip6: first?.live?.ip6 }) + linked.map((l) => `${l}\n`).join('');
  }

  /** Docker's host-gateway: the default bridge's gateway address. */
  hostGatewayIp(): string {
    const b = this.o.networks.tryGet('bridge');
    return (b && ipv4Config(b)?.Gateway) ?? '127.0.0.1';
  }

  // ---- embedded DNS -------------------------------------------------------------------
  /**
   * The container at `sourceIp` on a user-defined network, as the embedded
   * DNS server sees it: names (container name, short ID, aliases) of the
   * containers sharing a user-defined network with it resolve to their
   * address on that network; other names go to its upstream resolvers.
   */
  lookup(sourceIp: string): { resolve(name: string): string[]; upstreams: string[] } | undefined {
    // live endpoints, not the status: a container starts asking before its start is recorded
    const all = this.list().map((r) => this.dnsView(r)).filter((c) => c.endpoints.length);
    const asker = all.find((c) => c.endpoints.some((ep) => ep.ip === sourceIp));
    if (!asker) return undefined;
    const rec = this.list().find((r) => r.id === asker.id)!;
    const upstreams = ((rec.hostConfig.Dns ?? []) as string[]).length ? (rec.hostConfig.Dns as string[]) : hostNameservers(this.o.hostResolvConfPath ?? '/etc/resolv.conf');
    return { upstreams, resolve: (name: string) => resolveForAsker(all, asker, name) };
  }

  /** A container's live endpoints on user-defined networks, as the embedded DNS sees them. */
  private dnsView(r: ContainerRecord): DnsContainer {
    const endpoints: DnsEndpoint[] = [];
    for (const ep of Object.values(r.net?.endpoints ?? {})) {
      const n = ep.live ? this.o.networks.tryGet(ep.NetworkID) : undefined;
      if (!n || !ep.live || !this.o.networks.isUserDefined(n)) continue;
      endpoints.push({ networkId: n.id, networkName: n.name, ip: ep.live.ip, ...(ep.live.ip6 ? { ip6: ep.live.ip6 } : {}), aliases: ep.Aliases ?? [], links: ep.Links ?? [] });
    }
    return { id: r.id, name: r.name, endpoints };
  }

  // ---- daemon start ------------------------------------------------------------------
  /**
   * After the container service reconciled: running containers keep their
   * attachments (ports are re-taken), dead ones are torn down, then leases,
   * namespaces and NAT rules nobody owns are swept.
   */
  async reconcile(ipamDir: string, cniPrefix: string): Promise<void> {
    const recs = this.list();
    for (const rec of recs) {
      if (!rec.net) continue;
      const hasLive = !!rec.net.sandboxKey || Object.values(rec.net.endpoints).some((e) => e.live) || !!rec.net.ports?.length;
      if (!hasLive) continue;
      if (running(rec)) {
        const failed = await this.o.ports.readopt(rec.id, rec.net.ports ?? []);
        for (const f of failed) this.o.log.warn('could not re-take published port', { id: rec.id.slice(0, 12), port: f.hostPort });
        for (const [name, ep] of Object.entries(rec.net.endpoints)) {
          const n = ep.live && this.o.networks.tryGet(ep.NetworkID);
          if (n && this.o.networks.isUserDefined(n) && rec.net.sandboxKey && ep.live!.gateway) {
            // re-adopt: the listener at the gateway again (a restart or kill -9 closed it), and the redirect to its port
            await this.pointDns(rec.net.sandboxKey, n.id, ep.live!.gateway).catch((e) => this.o.log.warn('embedded DNS for a running container failed', { id: rec.id.slice(0, 12), network: name, err: (e as Error).message }));
          }
        }
      } else {
        await this.containers!.update(rec.id, async (cur) => { await this.teardown(cur); });
      }
    }
    const live = new Set(this.list().filter(running).map((r) => r.id));
    // NAT rules are host-global: only containers this daemon knows (a record,
    // a namespace under its exec root or a lease under its data root) are its
    // own; another daemon sharing the network prefix keeps its rules.
    const ours = new Set(this.list().map((r) => r.id));
    // namespaces pinned for containers that no longer run
    for (const id of await this.o.netns.list()) {
      ours.add(id);
      if (!live.has(id)) await this.unlessOwned(id, () => this.o.netns.remove(id).catch(() => {}));
    }
    // host-local leases (files named by address, holding the container ID) of containers that no longer run
    for (const net of await readdir(ipamDir).catch(() => [] as string[])) {
      if (!net.startsWith(`${cniPrefix}-`)) continue;
      const dir = join(ipamDir, net);
      for (const f of await readdir(dir).catch(() => [] as string[])) {
        if (!isIP(f)) continue;
        const owner = (await readFile(join(dir, f), 'utf8').catch(() => '')).split(/\r?\n/)[0].trim();
        if (owner) ours.add(owner);
        if (owner && !live.has(owner)) {
          await this.unlessOwned(owner, async () => {
            this.o.log.info('releasing stale address lease', { network: net, ip: f, container: owner.slice(0, 12) });
            await rm(join(dir, f), { force: true });
          });
        }
      }
    }
    await sweepOrphanNatRules(this.o.iptables(), cniPrefix, live, this.o.log, (id, fn) => (ours.has(id) ? this.unlessOwned(id, fn) : Promise.resolve()));
  }

  /**
   * Run a sweep step for container `id` unless, checked under its lock, it
   * runs or is setting up its network (a restart policy may start it while
   * the sweep runs).
   */
  private async unlessOwned(id: string, fn: () => Promise<void>): Promise<void> {
    if (!this.list().some((r) => r.id === id)) return fn();
    await this.containers!.update(id, async (cur) => { if (!running(cur) && !cur.net?.sandboxKey) await fn(); }).catch(async (err) => {
      if (!this.list().some((r) => r.id === id)) await fn(); else throw err;
    });
  }
}

/** The host's nameservers (loopback ones included: the embedded DNS forwards from the host's namespace). */
function hostNameservers(path: string): string[] {
  let text = '';
  try { text = readFileSync(path, 'utf8'); } catch { return []; }
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === 'nameserver' && f[1]).map((f) => f[1]);
}

/** A unicast Ethernet address in Docker's form (lower case, colons); anything else is Docker's "invalid MAC address". */
export function normalizeMac(mac: string): string {
  const m = /^([0-9a-fA-F]{2})([:-][0-9a-fA-F]{2}){5}$/.exec(mac);
  if (!m) throw invalidArgument(`invalid MAC address: ${mac}`);
  const out = mac.toLowerCase().replace(/-/g, ':');
  if (parseInt(out.slice(0, 2), 16) & 1) throw invalidArgument(`invalid MAC address: ${mac} is a multicast address`);
  return out;
}
