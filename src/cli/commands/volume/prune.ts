/** cli/commands/volume/prune — `berth volume prune [-a] [-f] [--filter]`, with docker's confirmation prompt. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { parseFilters } from '../../options/filters.js';
import { humanSize } from '../../format/size.js';
import { confirm } from '../../streams/confirm.js';

export function volumePruneCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('prune')
    .description('Remove unused local volumes')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('--filter <filter>', "Provide filter values (e.g. 'label=<label>')", (v: string, p: string[]) => [...p, v], [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { all?: boolean; filter: string[]; force?: boolean }) => {
      const filters = parseFilters(o.filter);
      if (o.all) filters.all = ['true'];
      const warning = o.all
        ? 'WARNING! This will remove all local volumes not used by at least one container.'
        : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
      if (!o.force && !(await confirm(ctx, warning))) return;
      const r = await ctx.client().pruneVolumes({ filters });
      if (r.VolumesDeleted?.length) ctx.stdout.write(`Deleted Volumes:\n${r.VolumesDeleted.map((n) => `${n}\n`).join('')}\n`);
      ctx.print(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}`);
    }) as BerthCommand;
}
