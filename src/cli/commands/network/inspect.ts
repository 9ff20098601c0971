/** cli/commands/network/inspect — `berth network inspect [-f FORMAT] NETWORK...`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError, errorText } from '../../cli-errors.js';
import { parseFormat, renderTemplate } from '../../format/template.js';
import { isKind } from '../../../errdefs/errors.js';

export function networkInspectCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('inspect')
    .description('Display detailed information on one or more networks')
    .argument('<network...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(async (refs: string[], o: { format?: string }) => {
      const found: unknown[] = [];
      const errors: string[] = [];
      for (const ref of refs) {
        try { found.push(await ctx.client().inspectNetwork(ref)); } catch (err) {
          errors.push(isKind(err, 'not-found') ? `Error: No such network: ${ref}` : errorText(err));
        }
      }
      if (o.format) {
        const { body } = parseFormat(o.format);
        for (const obj of found) ctx.print(renderTemplate(body, obj));
      } else ctx.print(JSON.stringify(found, null, 4));
      if (errors.length) throw new StatusError(1, errors.join('\n'));
    }) as BerthCommand;
}
