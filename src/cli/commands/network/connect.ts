/** cli/commands/network/connect — `berth network connect [--alias] [--ip] [--ip6] [--link-local-ip] NETWORK CONTAINER`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';

export function networkConnectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('connect')
    .description('Connect a container to a network')
    .argument('<network>')
    .argument('<container>')
    .option('--alias <strings>', 'Add network-scoped alias for the container', (v: string, p: string[]) => [...p, v], [])
    .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
    .option('--ip6 <string>', 'IPv6 address (e.g., "2001:db8::33")')
    .option('--link-local-ip <strings>', 'Add a link-local address for the container', (v: string, p: string[]) => [...p, v], [])
    .action(async (network: string, container: string, o: { alias: string[]; ip?: string; ip6?: string; linkLocalIp: string[] }) => {
      const ipam = { ...(o.ip ? { IPv4Address: o.ip } : {}), ...(o.ip6 ? { IPv6Address: o.ip6 } : {}), ...(o.linkLocalIp.length ? { LinkLocalIPs: o.linkLocalIp } : {}) };
      await ctx.client().connectNetwork(network, { Container: container, EndpointConfig: { ...(o.alias.length ? { Aliases: o.alias } : {}), ...(Object.keys(ipam).length ? { IPAMConfig: ipam } : {}) } });
    }) as BerthCommand;
}
