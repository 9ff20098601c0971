/** cli/commands/container/top — `berth top CONTAINER [ps OPTIONS]`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { renderTable } from '../../format/table.js';

export function topCommand(ctx: CliContext, name = 'top'): BerthCommand {
  return new BerthCommand(name)
    .description('Display the running processes of a container')
    .argument('<container>')
    .argument('[ps-options...]')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (ref: string, psArgs: string[]) => {
      const r = await ctx.client().topContainer(ref, psArgs.length ? psArgs.join(' ') : undefined);
      ctx.stdout.write(renderTable(r.Titles, r.Processes));
    }) as BerthCommand;
}
