/** cli/commands/container/commit — `berth commit [-a] [-c]... [-m] [-p] CONTAINER [REPOSITORY[:TAG]]`: POST /commit, prints the new image ID. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { splitRepoTag } from '../../format/image-row.js';

export function commitCommand(ctx: CliContext, name = 'commit'): BerthCommand {
  return new BerthCommand(name)
    .description("Create a new image from a container's changes")
    .argument('<container>')
    .argument('[repository[:tag]]')
    .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', (v: string, p: string[]) => [...p, v], [])
    .option('-m, --message <string>', 'Commit message')
    .option('-p, --pause', 'Pause container during commit', true)
    .option('--no-pause', 'Do not pause the container during commit')
    .action(async (container: string, ref: string | undefined, o: { author?: string; change: string[]; message?: string; pause: boolean }) => {
      const rt = ref ? splitRepoTag(ref) : undefined;
      const id = await ctx.client().commitContainer(container, {
        repo: rt?.repo, tag: rt && rt.tag !== '<none>' ? rt.tag : undefined, author: o.author, comment: o.message, changes: o.change, pause: o.pause,
      });
      ctx.stdout.write(`${id}\n`);
    }) as BerthCommand;
}
