/** cli/commands/network/create — `berth network create [OPTIONS] NETWORK`: prints the new network's ID. Imports cli. */
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

/** Is IPv4 address `ip` inside `cidr`? (the CLI's own check; the daemon validates again) */
function inSubnet(ip: string, cidr: string): boolean {
  const num = (a: string) => { const p = a.split('.').map(Number); return p.length === 4 && p.every((x) => Number.isInteger(x) && x >= 0 && x <= 255) ? ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3] : undefined; };
  const [net, bits = '32'] = cidr.split('/');
  const a = num(ip), n = num(net), b = Number(bits);
  if (a === undefined || n === undefined || !(b >= 0 && b <= 32)) return false;
  const m = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
  return ((a & m) >>> 0) === ((n & m) >>> 0);
}
