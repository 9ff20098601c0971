/**
 * engine/network-bridges — who owns each network's Linux bridge, so berth
 * only ever deletes what it made (dockerd's BridgeIfaceCreator).
 *
 * - `claim()` at `network create` (and for the default bridge at daemon
 *   start): a device of that name that is not a bridge is refused in
 *   dockerd's words ("existing interface X is not a bridge"); an existing
 *   bridge is adopted (`bridgeCreated: false`) and left in place at rm, as
 *   dockerd does; a missing one is made by berth right away, carrying the
 *   mark `berth:<prefix>:<network id>` as its alias (`bridgeCreated: true`).
 *   Made at create rather than by the CNI bridge plugin at the first
 *   attachment, so no same-named device can slip in between the check and
 *   the plugin's ADD.
 * - `ensure()` before each attachment: a bridge berth made that has
 *   vanished is made again, marked, before the bridge plugin would make it
 *   unmarked. An adopted bridge that vanished is left to the plugin and
 *   stays the host's (dockerd keeps it "created by user" too).
 * - `release()` after the network's record is gone: a bridge berth made is
 *   deleted only while it still carries this network's mark; an adopted
 *   one keeps the link and loses only the gateway address the bridge plugin
 *   gave it (unless it had that address before; dockerd leaves it on).
 * - `sweep()` at daemon start: bridges marked with this daemon's prefix
 *   whose network has no record (a kill -9 between the record and the link
 *   going, or between the link's creation and the record) are deleted.
 *   The prefix is claimed per daemon, so no other daemon's bridge matches.
 *   The default bridge is never deleted (dockerd keeps docker0).
 *
 * The record's `bridgeCreated` is the decision; the mark on the link is the
 * proof that survives the record (sweep) and guards against a same-named
 * device that replaced berth's (release).
 *
 * May import: network, lib, errdefs, engine types.
 */
import { invalidArgument } from '../errdefs/errors.js';
import type { Logger } from '../lib/log.js';
import type { LinkState } from '../network/links.js';
import type { NetworkRecord } from './network-types.js';
import { ipv4Config, ipv6Config } from './network-ipam.js';

/** The host's links as the bridge bookkeeping needs them (network/links implements it). */
export interface BridgeDevices {
  inspect(name: string): Promise<LinkState>;
  /** Make a bridge carrying `alias`; false when a device of that name exists (not ours). */
  create(name: string, o: { alias: string; mtu?: number }): Promise<boolean>;
  setAlias(name: string, alias: string): Promise<void>;
  remove(name: string): Promise<void>;
  list(): Promise<string[]>;
  alias(name: string): Promise<string>;
  hasAddress(name: string, cidr: string): boolean;
  /** Put `cidr` on the link unless it is there already. */
  addAddress(name: string, cidr: string): Promise<void>;
  removeAddress(name: string, cidr: string): Promise<void>;
}

export interface BridgeClaim { bridgeCreated: boolean; bridgeHadGateway?: boolean; bridgeHadGateway6?: boolean }

/** dockerd's message for a bridge name that names another kind of device (libnetwork drivers/bridge). */
export const notABridge = (name: string) => invalidArgument(`existing interface ${name} is not a bridge`);

export class NetworkBridges {
  constructor(private readonly o: { prefix: string; devices: BridgeDevices; log: Logger }) {}

  /** The alias berth writes on a bridge it made for network `id`. */
  mark(id: string): string { return `berth:${this.o.prefix}:${id}`; }

  /** Refuse, adopt or make the bridge `name` for network `id` (see the module header). `gateway` is a.b.c.d/len. */
  async claim(name: string, id: string, o: { gateway?: string; gateway6?: string; mtu?: number }): Promise<BridgeClaim> {
    let state = await this.o.devices.inspect(name);
    if (state.kind === 'none') {
      if (await this.o.devices.create(name, { alias: this.mark(id), mtu: o.mtu })) return { bridgeCreated: true };
      state = await this.o.devices.inspect(name);
    }
    if (state.kind === 'other') throw notABridge(name);
    if (state.kind === 'bridge' && state.alias === this.mark(id)) return { bridgeCreated: true };
    return { bridgeCreated: false, bridgeHadGateway: !!o.gateway && this.o.devices.hasAddress(name, o.gateway), ...(o.gateway6 ? { bridgeHadGateway6: this.o.devices.hasAddress(name, o.gateway6) } : {}) };
  }

  /**
   * Before an attachment: make a vanished bridge of berth's again, marked;
   * then, on a network with IPv6, put the IPv6 gateway on the bridge (the
   * bridge plugin 1.1 fails to: it sets the bridge's MAC after adding an
   * IPv6 address, which kernel 6 refuses with EINVAL; an address already
   * there it leaves alone).
   */
  async ensure(n: NetworkRecord): Promise<void> {
    if (!n.bridge) return;
    if (n.bridgeCreated && (await this.o.devices.inspect(n.bridge)).kind === 'none') {
      const mtu = Number(n.options['com.docker.network.driver.mtu'] ?? 0) || undefined;
      this.o.log.info('making the bridge of a network again', { network: n.name, bridge: n.bridge });
      await this.o.devices.create(n.bridge, { alias: this.mark(n.id), mtu });
    }
    const gw6 = gatewayCidr6(n);
    if (gw6) await this.o.devices.addAddress(n.bridge, gw6);
  }

  /** After network `n`'s record is gone: delete its bridge if berth made it, else take back the gateway address. */
  async release(n: NetworkRecord): Promise<void> {
    if (!n.bridge || n.predefined) return;
    const state = await this.o.devices.inspect(n.bridge);
    if (n.bridgeCreated) {
      if (state.kind === 'none') return;
      if (state.kind === 'bridge' && state.alias === this.mark(n.id)) { await this.o.devices.remove(n.bridge); return; }
      this.o.log.warn('leaving the bridge in place: it no longer carries berth\'s mark', { network: n.name, bridge: n.bridge });
      return;
    }
    const gw = gatewayCidr(n);
    if (state.kind === 'bridge' && gw && !n.bridgeHadGateway) await this.o.devices.removeAddress(n.bridge, gw);
    const gw6 = gatewayCidr6(n);
    if (state.kind === 'bridge' && gw6 && !n.bridgeHadGateway6) await this.o.devices.removeAddress(n.bridge, gw6);
  }

  /**
   * Records from before berth recorded ownership: a bridge under berth's
   * generated name was made by berth (its bridge plugin) and is marked now;
   * a bridge named with `com.docker.network.bridge.name` may be the host's
   * and is treated as adopted, address and all (never deleted).
   */
  async migrate(n: NetworkRecord, generatedName: boolean): Promise<NetworkRecord> {
    if (!generatedName) return { ...n, bridgeCreated: false, bridgeHadGateway: true };
    const state = await this.o.devices.inspect(n.bridge!);
    if (state.kind === 'bridge' && !state.alias) await this.o.devices.setAlias(n.bridge!, this.mark(n.id)).catch((e) => this.o.log.warn('could not mark bridge', { bridge: n.bridge, err: (e as Error).message }));
    return { ...n, bridgeCreated: true };
  }

  /** Delete bridges marked with this daemon's prefix that no network record names (see the module header). */
  async sweep(records: NetworkRecord[]): Promise<string[]> {
    const ids = new Set(records.map((r) => r.id));
    const used = new Set(records.map((r) => r.bridge).filter(Boolean));
    const re = new RegExp(`^berth:${this.o.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:([0-9a-f]{64})$`);
    const removed: string[] = [];
    for (const name of await this.o.devices.list()) {
      const m = re.exec(await this.o.devices.alias(name));
      if (!m || ids.has(m[1]) || used.has(name)) continue;
      if ((await this.o.devices.inspect(name)).kind !== 'bridge') continue;
      this.o.log.info('removing the bridge of a network that is gone', { bridge: name, network: m[1].slice(0, 12) });
      try { await this.o.devices.remove(name); removed.push(name); } catch (e) { this.o.log.warn('bridge removal failed', { bridge: name, err: (e as Error).message }); }
    }
    return removed;
  }
}

/** The IPv6 gateway as berth puts it on the bridge (addr/<subnet length>), on a network with IPv6. */
export function gatewayCidr6(n: NetworkRecord): string | undefined {
  const c = n.enableIPv6 ? ipv6Config(n) : undefined;
  if (!c?.Gateway || !c.Subnet) return undefined;
  return `${c.Gateway}/${c.Subnet.split('/')[1]}`;
}

/** The gateway address as the bridge plugin puts it on the bridge (a.b.c.d/<subnet length>). */
export function gatewayCidr(n: NetworkRecord): string | undefined {
  const c = ipv4Config(n);
  if (!c?.Gateway || !c.Subnet) return undefined;
  return `${c.Gateway}/${c.Subnet.split('/')[1]}`;
}
