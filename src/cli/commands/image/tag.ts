/** cli/commands/image/tag — `berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { splitRepoTag } from '../../format/image-row.js';

export function tagCommand(ctx: CliContext, name = 'tag'): BerthCommand {
  return new BerthCommand(name)
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('<source_image[:tag]>')
    .argument('<target_image[:tag]>')
    .action(async (source: string, target: string) => {
      if (target.includes('@')) throw new Error('refusing to create a tag with a digest reference');
      const { repo, tag } = splitRepoTag(target);
      await ctx.client().tagImage(source, repo, tag === '<none>' ? 'latest' : tag);
    }) as BerthCommand;
}
