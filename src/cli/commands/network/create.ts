/** cli/commands/network/create — `berth network create [OPTIONS] NETWORK`: prints the new network's ID. Imports cli. */
import { BlockList, isIP } from 'node:net';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { kvListToMap } from '../../options/kv-file.js';
import { StatusError } from '../../cli-errors.js';

const collect = (v: string, prev: string[]) => [...prev, v];

interface Flags { driver?: string; subnet: string[]; gateway: string[]; ipRange: string[]; auxAddress: string[]; internal?: boolean; attachable?: boolean; label: string[]; opt: string[]; ipv6?: boolean; ipamDriver?: string }

export function networkCreateCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('create')
    .description('Create a network')
    .argument('<network>')
    .option('-d, --driver <string>', 'Driver to manage the Network', 'bridge')
    .option('--subnet <strings>', 'Subnet in CIDR format that represents a network segment', collect, [])
    .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', collect, [])
    .option('--ip-range <strings>', 'Allocate container ip from a sub-range', collect, [])
    .option('--aux-address <map>', 'Auxiliary IPv4 or IPv6 addresses used by Network driver', collect, [])
    .option('--internal', 'Restrict external access to the network')
    .option('--attachable', 'Enable manual container attachment')
    .option('--label <list>', 'Set metadata on a network', collect, [])
    .option('-o, --opt <map>', 'Set driver specific options', collect, [])
    .option('--ipv6', 'Enable or disable IPv6 networking')
    .option('--ipam-driver <string>', 'IP Address Management Driver', 'default')
    .action(async (name: string, f: Flags) => {
      if (f.gateway.length > f.subnet.length || f.ipRange.length > f.subnet.length) throw new StatusError(1, 'Error: every --gateway and --ip-range needs a --subnet');
      const config = f.subnet.map((s, i) => ({ Subnet: s, ...(f.gateway[i] ? { Gateway: f.gateway[i] } : {}), ...(f.ipRange[i] ? { IPRange: f.ipRange[i] } : {}) }));
      // as the docker CLI: each auxiliary address goes to the subnet that holds it
      for (const kv of f.auxAddress) {
        const [k, v = ''] = kv.split(/=(.*)/s);
        const i = config.findIndex((c) => inSubnet(v, c.Subnet));
        if (!k || i < 0) throw new StatusError(1, `no matching subnet for aux-address ${v}`);
        const c = config[i] as { AuxiliaryAddresses?: Record<string, string> };
        (c.AuxiliaryAddresses ??= {})[k] = v;
      }
      const r = await ctx.client().createNetwork({
        Name: name, Driver: f.driver, Internal: !!f.internal, Attachable: !!f.attachable, EnableIPv6: !!f.ipv6,
        IPAM: { Driver: f.ipamDriver, Config: config, Options: {} }, Options: kvListToMap(f.opt), Labels: kvListToMap(f.label),
      });
      ctx.print(r.Id);
    }) as BerthCommand;
}

/** Is address `ip` inside `cidr`? (the CLI's own check, with node's BlockList; the daemon validates again) */
function inSubnet(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
  if (!isIP(net) || isIP(ip) !== isIP(net)) return false;
  try {
    const block = new BlockList();
    block.addSubnet(net, bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits), family);
    return block.check(ip, family);
  } catch {
    return false;
  }
}
