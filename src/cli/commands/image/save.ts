/** cli/commands/image/save — `berth save [-o FILE] IMAGE...`: a `docker save` archive to a file or stdout. Imports cli. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';

export function saveCommand(ctx: CliContext, name = 'save'): BerthCommand {
  return new BerthCommand(name)
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('<image...>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (images: string[], o: { output?: string }) => {
      if (!o.output && (ctx.stdout as { isTTY?: boolean }).isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const res = await ctx.client().saveImages(images);
      if (!o.output) { await pipeline(res, ctx.stdout, { end: false }); return; }
      // write to a temp file and rename, so a failed save leaves no partial archive
      const tmp = `${o.output}.berth-tmp-${process.pid}`;
      try {
        await pipeline(res, createWriteStream(tmp));
        await rename(tmp, o.output);
      } finally {
        await rm(tmp, { force: true });
      }
    }) as BerthCommand;
}
