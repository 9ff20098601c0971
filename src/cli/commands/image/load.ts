/** cli/commands/image/load — `berth load [-i FILE] [-q]`: POST /images/load with a `docker save` tar. Imports cli. */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { printProgress } from '../../streams/progress.js';

export function loadCommand(ctx: CliContext, name = 'load'): BerthCommand {
  return new BerthCommand(name)
    .description('Load an image from a tar archive or STDIN')
    .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (o: { input?: string; quiet?: boolean }) => {
      let tar: Readable;
      if (o.input) {
        const file = createReadStream(o.input);
        await new Promise<void>((resolve, reject) => { file.once('open', () => resolve()); file.once('error', reject); });
        tar = file;
      } else {
        if (ctx.stdin.isTTY) throw new Error('requested load from stdin, but stdin is empty');
        tar = ctx.stdin;
      }
      await printProgress(await ctx.client().loadImage(tar, { quiet: o.quiet }), ctx.stdout);
    }) as BerthCommand;
}
