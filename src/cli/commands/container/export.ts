/** cli/commands/container/export — `berth export [-o FILE] CONTAINER`: GET /containers/{id}/export to a file or stdout (never a terminal). Imports cli. */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';

export function exportCommand(ctx: CliContext, name = 'export'): BerthCommand {
  return new BerthCommand(name)
    .description("Export a container's filesystem as a tar archive")
    .argument('<container>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (container: string, o: { output?: string }) => {
      const out = ctx.stdout as Writable & { isTTY?: boolean };
      if (!o.output && out.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const res = await ctx.client().exportContainer(container);
      if (o.output) await pipeline(res, createWriteStream(o.output));
      else await pipeline(res, out, { end: false });
    }) as BerthCommand;
}
