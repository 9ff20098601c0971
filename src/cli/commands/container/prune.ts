/** cli/commands/container/prune — `berth container prune [-f] [--filter]`, with docker's prompt. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { parseFilters } from '../../options/filters.js';
import { humanSize } from '../../format/size.js';
import { confirm } from '../../streams/confirm.js';

export function containerPruneCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('prune')
    .description('Remove all stopped containers')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=<timestamp>')", (v: string, p: string[]) => [...p, v], [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { filter: string[]; force?: boolean }) => {
      if (!o.force && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.'))) return;
      const r = await ctx.client().pruneContainers({ filters: parseFilters(o.filter) });
      if (r.ContainersDeleted?.length) ctx.stdout.write(`Deleted Containers:\n${r.ContainersDeleted.map((id) => `${id}\n`).join('')}\n`);
      ctx.print(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}`);
    }) as BerthCommand;
}
