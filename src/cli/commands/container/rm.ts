/** cli/commands/container/rm — `berth rm [-f] [-v] CONTAINER...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { forEachContainer } from './each-container.js';

export function rmCommand(ctx: CliContext, name = 'rm'): BerthCommand {
  return new BerthCommand(name)
    .description('Remove one or more containers')
    .argument('<container...>')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .option('-l, --link', 'Remove the specified link')
    .action(async (refs: string[], o: { force?: boolean; volumes?: boolean; link?: boolean }) => {
      await forEachContainer(ctx, refs, (ref) => ctx.client().removeContainer(ref, o));
    }) as BerthCommand;
}
