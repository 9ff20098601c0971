/**
 * engine/network-types — the network record berth persists and the
 * per-container network state kept in the container record, in Docker's
 * vocabulary (EndpointSettings, NetworkSettings).
 */
import type { BoundPort } from '../network/port-bindings.js';
import type { CniResult } from '../network/cni.js';

export interface IpamConfig { Subnet: string; Gateway: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }

export interface NetworkRecord {
  id: string;
  name: string;
  created: string;
  /** bridge for bridge networks; host and null for the predefined host/none. */
  driver: 'bridge' | 'host' | 'null';
  internal: boolean;
  attachable: boolean;
  ipam: { Driver: string; Options: Record<string, string> | null; Config: IpamConfig[] };
  options: Record<string, string>;
  labels: Record<string, string>;
  /** Linux bridge name (bridge driver). */
  bridge?: string;
  /**
   * berth made the bridge (at create, marked with its alias; engine/network-bridges)
   * and deletes it with the network; false: the bridge existed and is adopted,
   * left in place at rm as dockerd does. Absent only on records of an older
   * berth until the next daemon start decides it.
   */
  bridgeCreated?: boolean;
  /** An adopted bridge had the gateway address before (berth leaves it on at rm; else it takes it back). */
  bridgeHadGateway?: boolean;
  /** The same for the IPv6 gateway (berth puts it on before the first attachment; engine/network-bridges). */
  bridgeHadGateway6?: boolean;
  /** IPv6 on: the network has an IPv6 pool (ipam.Config's second entry) and containers get an address from it. */
  enableIPv6?: boolean;
  /** the predefined bridge/host/none networks. */
  predefined?: boolean;
}

/** Addresses a client asked for on one attachment (docker's --ip, --link-local-ip). */
export interface EndpointIpamConfig { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] }

/** One network attachment of a container: configured at create/connect, live while running. */
export interface EndpointState {
  NetworkID: string;
  Aliases: string[] | null;
  IPAMConfig: EndpointIpamConfig | null;
  Links: string[] | null;
  DriverOpts: Record<string, string> | null;
  /** A MAC address the user asked for (--mac-address); empty = the kernel picks one. */
  MacAddress?: string;
  /** set while the container runs (attachment programmed). */
  live?: {
    EndpointID: string;
    ifname: string;
    ip: string;
    prefixLen: number;
    gateway: string;
    /** the IPv6 address, prefix length and gateway on a network with IPv6 on */
    ip6?: string;
    prefixLen6?: number;
    gateway6?: string;
    mac: string;
    cni: CniResult;
    /** ports published through this attachment (portmap runtime config). */
    ports: BoundPort[];
    /**
     * Outbound NAT is the network's rule (bridge-firewall). Absent on
     * attachments made before that, whose per-container ipMasq chain the
     * bridge plugin's DEL must still remove.
     */
    netNat?: boolean;
  };
}

export interface ContainerNetState {
  /** network name → endpoint. Empty for host / container: modes. */
  endpoints: Record<string, EndpointState>;
  /** pinned network namespace while running (SandboxKey). */
  sandboxKey?: string;
  /** published ports while running. */
  ports?: BoundPort[];
}
