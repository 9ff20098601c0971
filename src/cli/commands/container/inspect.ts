/** cli/commands/container/inspect — `berth container inspect`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { inspectObjects } from '../system/inspect-objects.js';

export function containerInspectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('inspect')
    .description('Display detailed information on one or more containers')
    .argument('<container...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('-s, --size', 'Display total file sizes')
    .action(async (refs: string[], o: { format?: string; size?: boolean }) => {
      await inspectObjects(ctx, refs, { type: 'container', format: o.format, size: o.size });
    }) as BerthCommand;
}
