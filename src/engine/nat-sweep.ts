/**
 * engine/nat-sweep — the NAT rules the CNI plugins left for containers that
 * no longer run (a kill -9 of berthd, a teardown that failed), found by the
 * comment the plugins write and deleted with the chains they jumped to.
 *
 * May import: network, lib.
 */
import type { Logger } from '../lib/log.js';
import type { Iptables } from '../network/iptables.js';

/**
 * Delete NAT rules the CNI plugins made for this daemon's networks
 * (comment `name: "<prefix>-…" id: "<container>"`) whose container no
 * longer runs, and the per-container chains they jumped to.
 */
export async function sweepOrphanNatRules(ipt: Iptables, cniPrefix: string, live: Set<string>, log: Logger, guard: (id: string, fn: () => Promise<void>) => Promise<void> = (_id, fn) => fn()): Promise<void> {
  let rules: string[];
  try { rules = await ipt.rules('nat'); } catch { return; }
  const re = new RegExp(`name: \\\\"${cniPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[^\\\\]*\\\\" id: \\\\"([a-f0-9]{64})\\\\"`);
  const byOwner = new Map<string, string[]>();
  for (const r of rules) {
    const m = re.exec(r);
    if (!m || live.has(m[1]) || !r.startsWith('-A ')) continue;
    byOwner.set(m[1], [...(byOwner.get(m[1]) ?? []), r]);
  }
  for (const [id, owned] of byOwner) {
    await guard(id, async () => {
      const chains = new Set<string>();
      for (const r of owned) {
        const target = / -j (CNI-[\w-]+)/.exec(r)?.[1];
        if (target && !['CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-DNAT'].includes(target)) chains.add(target);
        await ipt.deleteSpec('nat', r);
      }
      for (const c of chains) {
        log.info('removing orphan NAT chain', { chain: c, container: id.slice(0, 12) });
        await ipt.deleteChain('nat', c).catch(() => {});
      }
    });
  }
}
