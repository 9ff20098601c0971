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

export class BridgeFirewall {
  private readonly ipt = new Iptables();
  readonly chain: string;
  readonly natChain: string;

  constructor(prefix: string) { this.chain = `${prefix}-FORWARD`; this.natChain = `${prefix}-POSTROUTING`; }

  /** Rebuild both chains for exactly these bridges. */
  async sync(bridges: BridgeRule[]): Promise<void> {
    await this.ipt.ensureChain('filter', this.chain);
    await this.ipt.flush('filter', this.chain);
    for (const r of forwardRules(bridges)) await this.ipt.append('filter', this.chain, r);
    await this.ipt.ensureInserted('filter', 'FORWARD', ['-j', this.chain]);
    await this.ipt.ensureChain('nat', this.natChain);
    await this.ipt.flush('nat', this.natChain);
    for (const r of natRules(bridges)) await this.ipt.append('nat', this.natChain, r);
    await this.ipt.ensureAppended('nat', 'POSTROUTING', ['-j', this.natChain]);
  }

  /** Remove the chains and their jumps (uninstall; tests). */
  async remove(): Promise<void> {
    await this.ipt.deleteRule('filter', 'FORWARD', ['-j', this.chain]);
    await this.ipt.deleteChain('filter', this.chain);
    await this.ipt.deleteRule('nat', 'POSTROUTING', ['-j', this.natChain]);
    await this.ipt.deleteChain('nat', this.natChain);
  }
}
