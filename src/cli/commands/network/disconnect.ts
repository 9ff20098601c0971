/** cli/commands/network/disconnect — `berth network disconnect [-f] NETWORK CONTAINER`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';

export function networkDisconnectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('disconnect')
    .description('Disconnect a container from a network')
    .argument('<network>')
    .argument('<container>')
    .option('-f, --force', 'Force the container to disconnect from a network')
    .action(async (network: string, container: string, o: { force?: boolean }) => {
      await ctx.client().disconnectNetwork(network, { Container: container, Force: !!o.force });
    }) as BerthCommand;
}
