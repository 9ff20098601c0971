/** cli/commands/container/stop — `berth stop [-t N] [-s SIG] CONTAINER...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { intOption } from '../../options/int-option.js';
import { forEachContainer } from './each-container.js';

export function stopCommand(ctx: CliContext, name = 'stop'): BerthCommand {
  return new BerthCommand(name)
    .description('Stop one or more running containers')
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --time <int>', 'Seconds to wait before killing the container', intOption('-t, --time'))
    .action(async (refs: string[], o: { signal?: string; time?: number }) => {
      await forEachContainer(ctx, refs, (ref) => ctx.client().stopContainer(ref, { timeout: o.time, signal: o.signal }));
    }) as BerthCommand;
}
