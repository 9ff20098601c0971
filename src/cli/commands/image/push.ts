/** cli/commands/image/push — `berth push [-q] [-a] NAME[:TAG]`: per-layer progress bars. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { printProgressBars } from '../../streams/progress-bars.js';
import { registryAuthHeader } from '../../auth/docker-config.js';
import { pullParams } from './pull.js';

export function pushCommand(ctx: CliContext, name = 'push'): BerthCommand {
  return new BerthCommand(name)
    .description('Upload an image to a registry')
    .argument('<name[:tag]>')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .action(async (image: string, o: { quiet?: boolean; allTags?: boolean }) => {
      if (image.includes('@')) throw new Error('cannot push a digest reference');
      const { fromImage, tag } = pullParams(image);
      if (o.allTags && (tag !== 'latest' || image.endsWith(':latest'))) throw new Error('tag can\'t be used with --all-tags/-a');
      // no tag: the daemon pushes every local tag of the repository
      const messages = await ctx.client().pushImage(fromImage, { tag: o.allTags ? undefined : tag, registryAuth: registryAuthHeader(ctx.env, image) });
      const all = await printProgressBars(messages, ctx.stdout as never, { quiet: o.quiet });
      if (o.quiet) ctx.print(o.allTags ? fromImage : `${fromImage}:${tag}`);
      if (!all.some((m) => m.aux && 'Digest' in m.aux)) throw new Error('push ended without a digest');
    }) as BerthCommand;
}
