/**
 * network/hostport-forwards — find host ports that an existing iptables
 * DNAT rule already forwards somewhere else. Holding the port with a socket
 * (network/port-reservations) is not enough: a rule left by an engine that
 * is no longer running (its portmap DNAT to a container that is gone, or
 * dockerd's DOCKER chain) takes the traffic before any socket sees it, so
 * the port would be a black hole. berth refuses such a port at start with
 * an error that names the rule's owner, instead of publishing into it.
 *
 * Pure: reads `iptables -t nat -S` lines.
 *
 * May import: network/port-bindings (types), network/iptables (its rule-spec splitter).
 */
import type { BoundPort } from './port-bindings.js';
import { splitSpec } from './iptables.js';

export interface Forward {
  /** the chain holding the DNAT rule */
  chain: string;
  /** where it sends the traffic */
  to: string;
  /** the comment of the rule that jumps to the chain (portmap: `dnat name: "<network>" id: "<container>"`) */
  owner?: string;
}

function opt(t: string[], name: string): { value: string; negated: boolean } | undefined {
  const i = t.indexOf(name);
  if (i < 0 || i + 1 >= t.length) return undefined;
  return { value: t[i + 1], negated: t[i - 1] === '!' };
}

/** Does an iptables port list ("8000", "8000:8010", "80,443,8000:8010") include `port`? */
export function portListIncludes(list: string, port: number): boolean {
  return list.split(',').some((part) => {
    const [a, b] = part.split(':');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    return Number.isInteger(lo) && Number.isInteger(hi) && port >= lo && port <= hi;
  });
}

/** Does the rule's destination match (`-d 1.2.3.4/32`) allow traffic to `hostIp` (a published port's host address, '' = all)? */
function destinationMayMatch(d: { value: string; negated: boolean } | undefined, hostIp: string): boolean {
  if (!d || d.negated || !hostIp || hostIp === '0.0.0.0') return true;
  const [addr, len] = d.value.split('/');
  if (len !== undefined && len !== '32') return true; // a subnet: be conservative
  return addr === hostIp;
}

/**
 * The first DNAT rule in `rules` (lines of `iptables -t nat -S`) that
 * forwards `port` (its protocol, host port and host address), if any.
 */
export function findForward(rules: string[], port: Pick<BoundPort, 'protocol' | 'hostIp' | 'hostPort'>): Forward | undefined {
  const jumps = new Map<string, string>();
  for (const r of rules) {
    const t = splitSpec(r);
    const j = opt(t, '-j');
    const c = opt(t, '--comment');
    if (t[0] === '-A' && j && c && !jumps.has(j.value)) jumps.set(j.value, c.value);
  }
  for (const r of rules) {
    const t = splitSpec(r);
    if (t[0] !== '-A' || opt(t, '-j')?.value !== 'DNAT') continue;
    const p = opt(t, '-p');
    if (p && (p.negated ? p.value === port.protocol : p.value !== port.protocol)) continue;
    const dport = opt(t, '--dport') ?? opt(t, '--dports') ?? opt(t, '--destination-port') ?? opt(t, '--destination-ports');
    if (!dport || dport.negated || !portListIncludes(dport.value, port.hostPort)) continue;
    if (!destinationMayMatch(opt(t, '-d'), port.hostIp)) continue;
    const to = opt(t, '--to-destination')?.value ?? '?';
    return { chain: t[1], to, owner: jumps.get(t[1]) };
  }
  return undefined;
}

/** Docker's port-conflict message, saying which rule holds the port. */
export function forwardConflictMessage(port: Pick<BoundPort, 'protocol' | 'hostIp' | 'hostPort'>, f: Forward): string {
  const who = f.owner ? ` (${f.owner})` : '';
  return `driver failed programming external connectivity: Bind for ${port.hostIp || '0.0.0.0'}:${port.hostPort} failed: port is already allocated: ` +
    `iptables nat chain ${f.chain}${who} already forwards ${port.protocol} port ${port.hostPort} to ${f.to}. ` +
    'If the engine that made it is gone, start it again so it cleans up, or delete the rule.';
}
