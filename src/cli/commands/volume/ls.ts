/** cli/commands/volume/ls — `berth volume ls` (`-q`, `--filter`, `--format`). Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { renderList } from '../../output-format.js';
import { parseFilters } from '../../options/filters.js';

const HEADERS = { Driver: 'DRIVER', Name: 'VOLUME NAME', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE' };

export function volumeLsCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('ls')
    .alias('list')
    .description('List volumes')
    .option('-f, --filter <filter>', "Provide filter values (e.g. 'dangling=true')", (v: string, p: string[]) => [...p, v], [])
    .option('--format <string>', 'Format output using a custom template')
    .option('-q, --quiet', 'Only display volume names')
    .action(async (o: { filter: string[]; format?: string; quiet?: boolean }) => {
      const res = await ctx.client().listVolumes({ filters: parseFilters(o.filter) });
      const rows = (res.Volumes ?? []).sort((a, b) => (a.Name < b.Name ? -1 : 1)).map((v) => ({
        ...v,
        Labels: Object.entries(v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).join(','),
        Links: 'N/A',
        Size: 'N/A',
      }));
      let format = o.format && o.format !== 'table' ? o.format : 'table {{.Driver}}\t{{.Name}}';
      if (o.quiet) format = '{{.Name}}';
      for (const w of res.Warnings ?? []) ctx.stderr.write(`${w}\n`);
      ctx.stdout.write(renderList(format, rows, HEADERS));
    }) as BerthCommand;
}
