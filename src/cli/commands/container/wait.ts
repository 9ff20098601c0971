/** cli/commands/container/wait — `berth wait CONTAINER...`: prints each exit code. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { forEachContainer } from './each-container.js';

export function waitCommand(ctx: CliContext, name = 'wait'): BerthCommand {
  return new BerthCommand(name)
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('<container...>')
    .action(async (refs: string[]) => {
      await forEachContainer(ctx, refs, async (ref) => ctx.print(String((await ctx.client().waitContainer(ref)).StatusCode)), false);
    }) as BerthCommand;
}
