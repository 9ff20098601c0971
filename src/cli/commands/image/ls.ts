/** cli/commands/image/ls — `berth images` / `berth image ls`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { IMAGES_DEFAULT_FORMAT, IMAGES_HEADERS, imageRows } from '../../format/image-row.js';
import { renderList } from '../../output-format.js';
import { parseFilters } from '../../options/filters.js';

interface ImagesFlags { all?: boolean; quiet?: boolean; trunc?: boolean; filter: string[]; format?: string; digests?: boolean }

export function imagesCommand(ctx: CliContext, name = 'images'): BerthCommand {
  const cmd = new BerthCommand(name)
    .description('List images')
    .argument('[repository]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, p: string[]) => [...p, v], [])
    .option('--format <string>', 'Format output using a custom template')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (repository: string | undefined, o: ImagesFlags) => {
      const filters = parseFilters(o.filter);
      if (repository) (filters.reference ??= []).push(repository);
      const list = await ctx.client().listImages({ all: o.all, filters });
      const trunc = o.trunc !== false;
      const rows = list.flatMap((img) => imageRows(img, { trunc, nowMs: ctx.now() }));
      let format = o.format && o.format !== 'table' ? o.format : IMAGES_DEFAULT_FORMAT;
      if (o.digests && !o.format) format = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
      if (o.quiet) format = '{{.ID}}';
      ctx.stdout.write(renderList(format, rows, IMAGES_HEADERS));
    });
  if (name === 'ls') cmd.alias('list');
  return cmd as BerthCommand;
}
