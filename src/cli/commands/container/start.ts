/** cli/commands/container/start — `berth start [-a] CONTAINER...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { forEachContainer } from './each-container.js';
import { attachedRun } from './attached-run.js';

export function startCommand(ctx: CliContext, name = 'start'): BerthCommand {
  return new BerthCommand(name)
    .description('Start one or more stopped containers')
    .argument('<container...>')
    .option('-a, --attach', "Attach STDOUT/STDERR and forward signals")
    .option('-i, --interactive', "Attach container's STDIN")
    .action(async (refs: string[], o: { attach?: boolean; interactive?: boolean }) => {
      if (o.attach || o.interactive) {
        if (refs.length > 1) throw new Error('you cannot start and attach multiple containers at once');
        const info = await ctx.client().inspectContainer(refs[0]);
        await attachedRun(ctx, {
          id: info.Id, tty: !!info.Config.Tty, stdin: !!o.interactive && !!info.Config.OpenStdin, condition: 'next-exit',
          start: () => ctx.client().startContainer(info.Id),
        });
      }
      await forEachContainer(ctx, refs, (ref) => ctx.client().startContainer(ref));
    }) as BerthCommand;
}
