/**
 * network/bridge-firewall — the filter rules berth owns for its bridges, in
 * one chain `<prefix>-FORWARD` jumped to from the top of FORWARD:
 * traffic within a bridge is accepted (br_netfilter sends it through
 * FORWARD), traffic between two berth bridges is dropped (Docker's network
 * isolation), an `--internal` network's bridge neither sends nor receives
 * routed traffic, and published-port (DNATed) traffic to a bridge and
 * replies are accepted even when FORWARD's policy is DROP. Outbound NAT is
 * one MASQUERADE rule per network in the nat chain `<prefix>-POSTROUTING`
 * (as Docker's `-s subnet ! -o bridge`), not the bridge plugin's ipMasq,
 * which costs a chain and a dozen iptables calls per container start and
 * stop; published ports are portmap's. Both chains are rebuilt from the list
 * of bridges whenever a network comes or goes, so they are always exact.
 * Networks with IPv6 get the same two chains from ip6tables (their bridges
 * only; the others carry no routed IPv6), masquerading their IPv6 subnet as
 * dockerd ≥ 27 does with ip6tables on.
 *
 * May import: errdefs, network/iptables.
 */
import { Iptables } from './iptables.js';

export interface BridgeRule {
  bridge: string;
  internal: boolean;
  /** inter-container traffic on the bridge (Docker's enable_icc, default true) */
  icc?: boolean;
  /** the network's subnet, masqueraded on the way out unless `internal` or `masquerade: false` */
  subnet?: string;
  /** outbound NAT (Docker's enable_ip_masquerade, default true) */
  masquerade?: boolean;
  /** the network's IPv6 subnet, when it has IPv6 on */
  subnet6?: string;
}

/** The nat rules (POSTROUTING) for a set of bridges: outbound masquerade per network (pure, tested). */
export function natRules(bridges: BridgeRule[]): string[][] {
  return bridges.filter((b) => b.subnet && !b.internal && b.masquerade !== false).map((b) => ['-s', b.subnet!, '!', '-o', b.bridge, '-j', 'MASQUERADE']);
}

/** The rules of the chain for a set of bridges, in order (pure, tested). */
export function forwardRules(bridges: BridgeRule[]): string[][] {
  const rules: string[][] = [];
  for (const b of bridges) rules.push(['-i', b.bridge, '-o', b.bridge, '-j', b.icc === false ? 'DROP' : 'ACCEPT']);
  for (const b of bridges) for (const c of bridges) if (b.bridge !== c.bridge) rules.push(['-i', b.bridge, '-o', c.bridge, '-j', 'DROP']);
  for (const b of bridges) {
    if (b.internal) {
      rules.push(['-i', b.bridge, '-j', 'DROP'], ['-o', b.bridge, '-j', 'DROP']);
    } else {
      rules.push(['-o', b.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
      rules.push(['-o', b.bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT']);
      rules.push(['-i', b.bridge, '-j', 'ACCEPT']);
    }
  }
  return rules;
}

/** The same bridges as ip6tables sees them: those with IPv6, masquerading their IPv6 subnet. */
export function ipv6Bridges(bridges: BridgeRule[]): BridgeRule[] {
  return bridges.filter((b) => b.subnet6).map((b) => ({ ...b, subnet: b.subnet6 }));
}

export class BridgeFirewall {
  private readonly ipt = new Iptables();
  private readonly ipt6 = new Iptables(undefined, 6);
  /** The ip6tables chains hold rules (undefined: not known yet, the chains of an earlier run may). */
  private v6Rules?: boolean;
  readonly chain: string;
  readonly natChain: string;

  constructor(prefix: string) { this.chain = `${prefix}-FORWARD`; this.natChain = `${prefix}-POSTROUTING`; }

  /** Rebuild both chains (and their ip6tables twins) for exactly these bridges. */
  async sync(bridges: BridgeRule[]): Promise<void> {
    await this.syncFamily(this.ipt, bridges);
    const v6 = ipv6Bridges(bridges);
    // ip6tables runs only while IPv6 is in use, or once to empty chains an earlier run left with rules
    if (!v6.length && !(this.v6Rules ??= await this.ipt6.chainExists('filter', this.chain))) return;
    await this.syncFamily(this.ipt6, v6);
    this.v6Rules = v6.length > 0;
  }

  private async syncFamily(ipt: Iptables, bridges: BridgeRule[]): Promise<void> {
    await ipt.ensureChain('filter', this.chain);
    await ipt.flush('filter', this.chain);
    for (const r of forwardRules(bridges)) await ipt.append('filter', this.chain, r);
    await ipt.ensureInserted('filter', 'FORWARD', ['-j', this.chain]);
    await ipt.ensureChain('nat', this.natChain);
    await ipt.flush('nat', this.natChain);
    for (const r of natRules(bridges)) await ipt.append('nat', this.natChain, r);
    await ipt.ensureAppended('nat', 'POSTROUTING', ['-j', this.natChain]);
  }

  /** Remove the chains and their jumps (uninstall; tests). */
  async remove(): Promise<void> {
    for (const ipt of [this.ipt, this.ipt6]) {
      await ipt.deleteRule('filter', 'FORWARD', ['-j', this.chain]);
      await ipt.deleteChain('filter', this.chain);
      await ipt.deleteRule('nat', 'POSTROUTING', ['-j', this.natChain]);
      await ipt.deleteChain('nat', this.natChain);
    }
    this.v6Rules = false;
  }
}
