/** cli/commands/volume/inspect — `berth volume inspect`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { inspectObjects } from '../system/inspect-objects.js';

export function volumeInspectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('inspect')
    .description('Display detailed information on one or more volumes')
    .argument('<volume...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (names: string[], o: { format?: string }) => {
      await inspectObjects(ctx, names, { type: 'volume', format: o.format });
    }) as BerthCommand;
}
