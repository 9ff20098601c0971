/** cli/commands/container/diff — `berth diff CONTAINER`: the A/C/D list of GET /containers/{id}/changes. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';

const KIND = ['C', 'A', 'D'];

export function diffCommand(ctx: CliContext, name = 'diff'): BerthCommand {
  return new BerthCommand(name)
    .description("Inspect changes to files or directories on a container's filesystem")
    .argument('<container>')
    .action(async (container: string) => {
      const changes = (await ctx.client().containerChanges(container)) ?? [];
      ctx.stdout.write(changes.map((c) => `${KIND[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
    }) as BerthCommand;
}
