/** cli/commands/container/kill — `berth kill [-s SIG] CONTAINER...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { forEachContainer } from './each-container.js';

export function killCommand(ctx: CliContext, name = 'kill'): BerthCommand {
  return new BerthCommand(name)
    .description('Kill one or more running containers')
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .action(async (refs: string[], o: { signal?: string }) => {
      await forEachContainer(ctx, refs, (ref) => ctx.client().killContainer(ref, { signal: o.signal }));
    }) as BerthCommand;
}
