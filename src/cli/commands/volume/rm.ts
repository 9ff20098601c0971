/** cli/commands/volume/rm — `berth volume rm [-f] VOLUME...`: prints each removed name, errors after. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError, errorText } from '../../cli-errors.js';

export function volumeRmCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('rm')
    .alias('remove')
    .description('Remove one or more volumes')
    .argument('<volume...>')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action(async (names: string[], o: { force?: boolean }) => {
      const errors: string[] = [];
      for (const n of names) {
        try {
          await ctx.client().removeVolume(n, { force: o.force });
          ctx.print(n);
        } catch (err) {
          errors.push(errorText(err));
        }
      }
      if (errors.length) throw new StatusError(1, errors.join('\n'));
    }) as BerthCommand;
}
