/** cli/commands/network/connect — `berth network connect [--alias] [--ip] NETWORK CONTAINER`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';

export function networkConnectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('connect')
    .description('Connect a container to a network')
    .argument('<network>')
    .argument('<container>')
    .option('--alias <strings>', 'Add network-scoped alias for the container', (v: string, p: string[]) => [...p, v], [])
    .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
    .action(async (network: string, container: string, o: { alias: string[]; ip?: string }) => {
      await ctx.client().connectNetwork(network, { Container: container, EndpointConfig: { ...(o.alias.length ? { Aliases: o.alias } : {}), ...(o.ip ? { IPAMConfig: { IPv4Address: o.ip } } : {}) } });
    }) as BerthCommand;
}
