/** cli/commands/image/inspect — `berth image inspect`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { inspectObjects } from '../system/inspect-objects.js';

export function imageInspectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('inspect')
    .description('Display detailed information on one or more images')
    .argument('<image...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (refs: string[], o: { format?: string }) => {
      await inspectObjects(ctx, refs, { type: 'image', format: o.format });
    }) as BerthCommand;
}
