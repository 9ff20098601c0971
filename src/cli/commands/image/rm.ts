/** cli/commands/image/rm — `berth rmi [-f] [--no-prune] IMAGE...`: prints Untagged:/Deleted: lines. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError, errorText } from '../../cli-errors.js';

export function rmiCommand(ctx: CliContext, name = 'rmi'): BerthCommand {
  const cmd = new BerthCommand(name)
    .description('Remove one or more images')
    .argument('<image...>')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action(async (refs: string[], o: { force?: boolean; prune?: boolean }) => {
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          for (const item of await ctx.client().removeImage(ref, { force: o.force, noprune: o.prune === false })) {
            if (item.Untagged) ctx.print(`Untagged: ${item.Untagged}`);
            if (item.Deleted) ctx.print(`Deleted: ${item.Deleted}`);
          }
        } catch (err) {
          errors.push(errorText(err));
        }
      }
      if (errors.length) throw new StatusError(1, errors.join('\n'));
    });
  if (name === 'rm') cmd.alias('rmi').alias('remove');
  return cmd as BerthCommand;
}
