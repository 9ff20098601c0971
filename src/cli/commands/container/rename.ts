/** cli/commands/container/rename — `berth rename CONTAINER NEW_NAME`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';

export function renameCommand(ctx: CliContext, name = 'rename'): BerthCommand {
  return new BerthCommand(name)
    .description('Rename a container')
    .argument('<container>')
    .argument('<new_name>')
    .action(async (ref: string, newName: string) => {
      if (!newName.trim()) throw new Error('Error: Neither old nor new names may be empty');
      await ctx.client().renameContainer(ref, newName);
    }) as BerthCommand;
}
