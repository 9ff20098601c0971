/** cli/commands/builder/prune — `berth builder prune [-a] [-f]`: POST /build/prune (forget the step cache and the images only it kept). Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { humanSize } from '../../format/size.js';
import { confirm } from '../../streams/confirm.js';

export function builderPruneCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('prune')
    .description('Remove build cache')
    .option('-a, --all', 'Remove all unused build cache, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { all?: boolean; force?: boolean }) => {
      if (!o.force && !(await confirm(ctx, 'WARNING! This will remove all dangling build cache.'))) return;
      const r = await ctx.client().pruneBuildCache({ all: o.all });
      if (r.CachesDeleted?.length) ctx.stdout.write(`Deleted build cache objects:\n${r.CachesDeleted.map((id) => `${id}\n`).join('')}\n`);
      ctx.print(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}`);
    }) as BerthCommand;
}
