/** cli/commands/image/pull — `berth pull [--platform] [-q] [-a] NAME[:TAG|@DIGEST]`: per-layer progress bars. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { printProgressBars } from '../../streams/progress-bars.js';
import { registryAuthHeader } from '../../auth/docker-config.js';

/** Split NAME[:TAG|@DIGEST] into the fromImage/tag pair dockerd expects; no tag means latest. */
export function pullParams(name: string): { fromImage: string; tag: string } {
  const at = name.indexOf('@');
  if (at >= 0) return { fromImage: name.slice(0, at), tag: name.slice(at + 1) };
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return { fromImage: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { fromImage: name, tag: 'latest' };
}

/** Pull with progress; used by `pull` and by `run`/`create` for a missing image. */
export async function pullWithProgress(ctx: CliContext, name: string, opts: { platform?: string; quiet?: boolean; out?: CliContext['stdout'] } = {}): Promise<void> {
  const { fromImage, tag } = pullParams(name);
  const messages = await ctx.client().pullImage(fromImage, { tag, platform: opts.platform, registryAuth: registryAuthHeader(ctx.env, name) });
  await printProgressBars(messages, (opts.out ?? ctx.stdout) as never, { quiet: opts.quiet });
}

export function pullCommand(ctx: CliContext, name = 'pull'): BerthCommand {
  return new BerthCommand(name)
    .description('Download an image from a registry')
    .argument('<name[:tag|@digest]>')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .action(async (image: string, o: { platform?: string; quiet?: boolean; allTags?: boolean }) => {
      if (o.allTags) {
        const { fromImage, tag } = pullParams(image);
        if (tag !== 'latest' || image.endsWith(':latest')) throw new Error('tag can\'t be used with --all-tags/-a');
        // no tag: the daemon pulls every tag of the repository
        const messages = await ctx.client().pullImage(fromImage, { platform: o.platform, registryAuth: registryAuthHeader(ctx.env, image) });
        await printProgressBars(messages, ctx.stdout as never, { quiet: o.quiet });
        if (o.quiet) ctx.print(fromImage.includes('/') ? fromImage : `docker.io/library/${fromImage}`);
        return;
      }
      await pullWithProgress(ctx, image, o);
      if (o.quiet) ctx.print(image.includes('/') || image.includes(':') || image.includes('@') ? withDefaultTag(image) : `docker.io/library/${image}:latest`);
    }) as BerthCommand;
}

function withDefaultTag(name: string): string {
  const { fromImage, tag } = pullParams(name);
  return tag.includes(':') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}
