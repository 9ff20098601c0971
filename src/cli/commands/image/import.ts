/**
 * cli/commands/image/import — `berth import [-c CHANGE]... [-m MSG] file|URL|- [REPOSITORY[:TAG]]`:
 * stream a root filesystem tarball to POST /images/create?fromSrc=-.
 * Imports cli.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { splitRepoTag } from '../../format/image-row.js';
import { printProgress } from '../../streams/progress.js';

export function importCommand(ctx: CliContext, name = 'import'): BerthCommand {
  return new BerthCommand(name)
    .description('Import the contents from a tarball to create a filesystem image')
    .argument('<file|url|->')
    .argument('[repository[:tag]]')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', (v: string, p: string[]) => [...p, v], [])
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .action(async (source: string, ref: string | undefined, o: { change: string[]; message?: string; platform?: string }) => {
      if (/^https?:\/\//.test(source)) throw new Error('importing from a URL is not supported yet; download the file and import it');
      let tar: Readable;
      if (source === '-') tar = ctx.stdin;
      else {
        const file = createReadStream(source);
        // Surface "no such file" before talking to the daemon.
        await new Promise<void>((resolve, reject) => { file.once('open', () => resolve()); file.once('error', reject); });
        tar = file;
      }
      const rt = ref ? splitRepoTag(ref) : undefined;
      const messages = await ctx.client().importImage(tar, {
        repo: rt?.repo, tag: rt && rt.tag !== '<none>' ? rt.tag : undefined, changes: o.change, message: o.message, platform: o.platform,
      });
      await printProgress(messages, ctx.stdout);
    }) as BerthCommand;
}
