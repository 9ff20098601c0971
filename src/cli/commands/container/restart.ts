/** cli/commands/container/restart — `berth restart [-t N] [-s SIG] CONTAINER...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { intOption } from '../../options/int-option.js';
import { forEachContainer } from './each-container.js';

export function restartCommand(ctx: CliContext, name = 'restart'): BerthCommand {
  return new BerthCommand(name)
    .description('Restart one or more containers')
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --time <int>', 'Seconds to wait before killing the container', intOption('-t, --time'))
    .action(async (refs: string[], o: { signal?: string; time?: number }) => {
      await forEachContainer(ctx, refs, (ref) => ctx.client().restartContainer(ref, { timeout: o.time, signal: o.signal }));
    }) as BerthCommand;
}
