/** cli/commands/image/prune — `berth image prune [-a] [-f] [--filter]`: POST /images/prune with docker's prompt and report. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { parseFilters } from '../../options/filters.js';
import { humanSize } from '../../format/size.js';
import { confirm } from '../../streams/confirm.js';

export function imagePruneCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('prune')
    .description('Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=<timestamp>')", (v: string, p: string[]) => [...p, v], [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { all?: boolean; filter: string[]; force?: boolean }) => {
      const filters = parseFilters(o.filter);
      filters.dangling = [o.all ? 'false' : 'true'];
      const warning = o.all
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (!o.force && !(await confirm(ctx, warning))) return;
      const r = await ctx.client().pruneImages({ filters });
      if (r.ImagesDeleted?.length) {
        ctx.stdout.write('Deleted Images:\n');
        for (const d of r.ImagesDeleted) ctx.stdout.write(d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted ?? ''}\n`);
        ctx.stdout.write('\n');
      }
      ctx.print(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}`);
    }) as BerthCommand;
}
