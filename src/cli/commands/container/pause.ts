/** cli/commands/container/pause — `berth pause|unpause CONTAINER...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { forEachContainer } from './each-container.js';

export function pauseCommand(ctx: CliContext, name = 'pause'): BerthCommand {
  return new BerthCommand(name)
    .description('Pause all processes within one or more containers')
    .argument('<container...>')
    .action(async (refs: string[]) => { await forEachContainer(ctx, refs, (ref) => ctx.client().pauseContainer(ref)); }) as BerthCommand;
}

export function unpauseCommand(ctx: CliContext, name = 'unpause'): BerthCommand {
  return new BerthCommand(name)
    .description('Unpause all processes within one or more containers')
    .argument('<container...>')
    .action(async (refs: string[]) => { await forEachContainer(ctx, refs, (ref) => ctx.client().unpauseContainer(ref)); }) as BerthCommand;
}
