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
import { parseCidr, formatIp, networkOf, broadcastOf } from './cidr.js';

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
  const range: Record<string, string> = { subnet: c.subnet, gateway: c.gateway };
  if (c.ipRange) {
    // host-local allocates within rangeStart..rangeEnd of the subnet
    const r = parseCidr(c.ipRange, "ip-range");
    range.rangeStart = formatIp(Math.max(networkOf(r).ip, networkOf(parseCidr(c.subnet)).ip + 1));
    range.rangeEnd = formatIp(broadcastOf(r) - (r.prefix < 32 ? 1 : 0));
  }
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
        ...(c.mtu ? { mtu: c.mtu } : {}),
        ipam: {
          type: 'host-local',
          ranges: [[range]],
          routes: c.internal ? [] : [{ dst: '0.0.0.0/0' }],
          dataDir: c.ipamDir,
        },
      },
      ...(c.mac ? [{ type: 'tuning', mac: c.mac, ...(c.tuningDir ? { dataDir: c.tuningDir } : {}) }] : []),
      ...(c.portmap === false ? [] : [{ type: 'portmap', snat: true, capabilities: { portMappings: true } }]),
    ],
  };
}

export const LOOPBACK_CONF: NetworkConfList = { cniVersion: CNI_VERSION, name: 'loopback', plugins: [{ type: 'loopback' }] };

/** The container's address on `ifname` from an ADD result: address/prefix, gateway, MAC. */
export function endpointFromResult(r: CniResult, ifname: string): { ip: string; prefixLen: number; gateway: string; mac: string } {
  const idx = (r.interfaces ?? []).findIndex((i) => i.name === ifname && i.sandbox);
  const ipc = (r.ips ?? []).find((i) => i.interface === idx && !i.address.includes(':')) ?? (r.ips ?? []).find((i) => !i.address.includes(':'));
  const [ip = '', prefix = '0'] = (ipc?.address ?? '').split('/');
  return { ip, prefixLen: Number(prefix), gateway: ipc?.gateway ?? '', mac: idx >= 0 ? r.interfaces![idx].mac ?? '' : '' };
}
