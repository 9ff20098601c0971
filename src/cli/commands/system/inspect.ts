/** cli/commands/system/inspect — `berth inspect [--type container|image] [-f FORMAT] NAME...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { inspectObjects, type ObjectType } from './inspect-objects.js';

export function inspectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('inspect')
    .description('Return low-level information on Docker objects')
    .argument('<name|id...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('-s, --size', 'Display total file sizes if the type is container')
    .option('--type <string>', 'Only inspect objects of the given type')
    .action(async (refs: string[], o: { format?: string; size?: boolean; type?: string }) => {
      if (o.type !== undefined && o.type !== 'container' && o.type !== 'image') {
        throw new Error(`"${o.type}" is not a valid value for --type`);
      }
      await inspectObjects(ctx, refs, { type: o.type as ObjectType, format: o.format, size: o.size });
    }) as BerthCommand;
}
