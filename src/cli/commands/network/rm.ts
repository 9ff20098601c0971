/** cli/commands/network/rm — `berth network rm NETWORK...`: prints each removed name; errors at the end (status 1). Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError, errorText } from '../../cli-errors.js';
import { isKind } from '../../../errdefs/errors.js';

export function networkRmCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .argument('<network...>')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (refs: string[], o: { force?: boolean }) => {
      const errors: string[] = [];
      for (const ref of refs) {
        try {
          await ctx.client().removeNetwork(ref);
          ctx.print(ref);
        } catch (err) {
          if (o.force && isKind(err, 'not-found')) continue;
          errors.push(errorText(err));
        }
      }
      if (errors.length) throw new StatusError(1, errors.join('\n'));
    }) as BerthCommand;
}
