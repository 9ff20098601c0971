/**
 * network/cni — network configuration lists and their execution with
 * libcni's semantics: ADD runs each plugin in order, handing each the
 * previous one's result (`prevResult`) and the runtime config for the
 * capabilities it declares; DEL runs them in reverse. Also builds the
 * configuration list berth uses for a bridge network (bridge + host-local
 * IPAM, then portmap). Pure apart from the executor it is given.
 *
 * May import: errdefs, network/*.
 */
import type { CniExecutor, CniRuntime } from './cni-exec.js';
import { invalidArgument } from '../errdefs/errors.js';
import { V4, V6, type IpFamily } from './ip-family.js';

export const CNI_VERSION = '1.0.0';

export interface PluginConf { type: string; capabilities?: Record<string, boolean>; [k: string]: unknown }
export interface NetworkConfList { cniVersion: string; name: string; plugins: PluginConf[] }

/** Runtime config keyed by capability name (portMappings, ips, mac, …). */
export type RuntimeConfig = Record<string, unknown>;

export interface CniResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { interface?: number; address: string; gateway?: string }[];
  routes?: { dst: string; gw?: string }[];
  dns?: unknown;
}

function pluginConfig(list: NetworkConfList, p: PluginConf, rc: RuntimeConfig, prevResult?: unknown): object {
  const runtimeConfig: RuntimeConfig = {};
  for (const [cap, on] of Object.entries(p.capabilities ?? {})) if (on && rc[cap] !== undefined) runtimeConfig[cap] = rc[cap];
  return { ...p, cniVersion: list.cniVersion, name: list.name, ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}), ...(prevResult ? { prevResult } : {}) };
}

/** ADD the whole list; on a failure the plugins already added are deleted again before the error is thrown. */
export async function addNetworkList(exec: CniExecutor, list: NetworkConfList, rt: CniRuntime, rc: RuntimeConfig = {}): Promise<CniResult> {
  let prev: unknown;
  const done: PluginConf[] = [];
  try {
    for (const p of list.plugins) {
      prev = (await exec.exec(p.type, 'ADD', rt, pluginConfig(list, p, rc, prev))) ?? prev;
      done.push(p);
    }
  } catch (err) {
    for (const p of done.reverse()) await exec.exec(p.type, 'DEL', rt, pluginConfig(list, p, rc, prev)).catch(() => {});
    // the failing plugin may have done part of its work (a veth, an address)
    const failed = list.plugins[done.length];
    if (failed) await exec.exec(failed.type, 'DEL', rt, pluginConfig(list, failed, rc, prev)).catch(() => {});
    throw err;
  }
  return (prev ?? {}) as CniResult;
}

/** DEL the list in reverse order. Every plugin is asked even if one fails; the first error is thrown at the end. */
export async function delNetworkList(exec: CniExecutor, list: NetworkConfList, rt: CniRuntime, rc: RuntimeConfig = {}, prevResult?: unknown): Promise<void> {
  let first: unknown;
  for (const p of [...list.plugins].reverse()) {
    try { await exec.exec(p.type, 'DEL', rt, pluginConfig(list, p, rc, prevResult)); } catch (err) { first ??= err; }
  }
  if (first) throw first;
}

export interface BridgeNetworkConf {
  /** CNI network name (appears in the plugins' iptables comments). */
  cniName: string;
  bridge: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  /** Addresses host-local must never hand out (Docker's IPAM auxiliary addresses). */
  exclude?: string[];
  /** The network's IPv6 pool, when it has IPv6 on: a second range set (and a default route) beside the IPv4 one. */
  v6?: { subnet: string; gateway: string; ipRange?: string; exclude?: string[] };
  /** host-local's lease directory. */
  ipamDir: string;
  /** no outbound NAT or default route (Docker's --internal). */
  internal: boolean;
  mtu?: number;
  /**
   * Chain portmap after bridge (default true). An attachment without
   * published ports leaves it out of both ADD and DEL: portmap would only
   * spawn and do nothing, and start/stop latency is what users feel.
   */
  portmap?: boolean;
  /** Run the bridge plugin with ipMasq (only to DEL attachments made when it did the NAT). */
  legacyIpMasq?: boolean;
  /** A fixed MAC address for the container's interface: the tuning plugin sets it after bridge (--mac-address). */
  mac?: string;
  /** Where the tuning plugin keeps the interface's original settings until DEL. */
  tuningDir?: string;
}

/** bridge (host-local IPAM), + tuning for a fixed MAC, + portmap when ports are published, as berth runs every bridge network. */
export function bridgeConfList(c: BridgeNetworkConf): NetworkConfList {
  const rangeSets = [allocationRanges(V4, c), ...(c.v6 ? [allocationRanges(V6, c.v6)] : [])];
  const routes = c.internal ? [] : [{ dst: '0.0.0.0/0' }, ...(c.v6 ? [{ dst: '::/0' }] : [])];
  return {
    cniVersion: CNI_VERSION,
    name: c.cniName,
    plugins: [
      {
        type: 'bridge',
        bridge: c.bridge,
        isGateway: true,
        // outbound NAT is one rule per network (network/bridge-firewall), not a chain per container
        ipMasq: c.legacyIpMasq === true,
        hairpinMode: true,
        // addresses a client asked for (--ip, --ip6) reach host-local as the `ips` runtime config
        capabilities: { ips: true },
        ...(c.mtu ? { mtu: c.mtu } : {}),
        ipam: {
          type: 'host-local',
          ranges: rangeSets,
          routes,
          dataDir: c.ipamDir,
        },
      },
      ...(c.mac ? [{ type: 'tuning', mac: c.mac, ...(c.tuningDir ? { dataDir: c.tuningDir } : {}) }] : []),
      ...(c.portmap === false ? [] : [{ type: 'portmap', snat: true, capabilities: { portMappings: true } }]),
    ],
  };
}

/**
 * host-local's range set for one family's pool: the subnet (or its
 * --ip-range), split around excluded addresses into disjoint ranges of the
 * same subnet (host-local tries them in order and never hands out an
 * address outside them).
 */
function allocationRanges<A>(f: IpFamily<A>, c: { subnet: string; gateway: string; ipRange?: string; exclude?: string[] }): Record<string, string>[] {
  const subnet = f.networkOf(f.parseCidr(c.subnet));
  const r = c.ipRange ? f.parseCidr(c.ipRange, 'ip-range') : subnet;
  // host-local allocates within rangeStart..rangeEnd of the subnet
  const rangeNet = f.networkOf(r).ip;
  const firstHost = f.firstHost(subnet);
  let start = f.less(rangeNet, firstHost) ? firstHost : rangeNet;
  const end = f.lastHost(r);
  const inRange = (a: A | undefined): a is A => a !== undefined && !f.less(a, start) && !f.less(end, a);
  // numbers and bigints are both compared by value in a Set
  const excluded = [...new Set((c.exclude ?? []).map((a) => f.parse(a)).filter(inRange))].sort((a, b) => (f.less(a, b) ? -1 : f.less(b, a) ? 1 : 0));
  if (!c.ipRange && !excluded.length) return [{ subnet: c.subnet, gateway: c.gateway }];
  const out: Record<string, string>[] = [];
  const push = (from: A, to: A) => { if (!f.less(to, from)) out.push({ subnet: c.subnet, gateway: c.gateway, rangeStart: f.format(from), rangeEnd: f.format(to) }); };
  for (const x of excluded) { push(start, f.add(x, -1)); start = f.add(x, 1); }
  push(start, end);
  if (!out.length) throw invalidArgument(`no address is left to allocate in ${c.ipRange ?? c.subnet}`);
  return out;
}

export const LOOPBACK_CONF: NetworkConfList = { cniVersion: CNI_VERSION, name: 'loopback', plugins: [{ type: 'loopback' }] };

/** The container's addresses on `ifname` from an ADD result: IPv4 address/prefix and gateway, IPv6 ones when given, MAC. */
export function endpointFromResult(r: CniResult, ifname: string): { ip: string; prefixLen: number; gateway: string; mac: string; ip6?: string; prefixLen6?: number; gateway6?: string } {
  const idx = (r.interfaces ?? []).findIndex((i) => i.name === ifname && i.sandbox);
  const pick = (v6: boolean) => (r.ips ?? []).find((i) => i.interface === idx && i.address.includes(':') === v6) ?? (r.ips ?? []).find((i) => i.address.includes(':') === v6);
  const ipc = pick(false);
  const [ip = '', prefix = '0'] = (ipc?.address ?? '').split('/');
  const ipc6 = pick(true);
  const [ip6, prefix6] = ipc6 ? ipc6.address.split('/') : [];
  return { ip, prefixLen: Number(prefix), gateway: ipc?.gateway ?? '', mac: idx >= 0 ? r.interfaces![idx].mac ?? '' : '', ...(ip6 ? { ip6, prefixLen6: Number(prefix6), gateway6: ipc6?.gateway ?? '' } : {}) };
}
