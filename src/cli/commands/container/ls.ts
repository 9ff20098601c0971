/** cli/commands/container/ls — `berth ps` / `berth container ls`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { PS_DEFAULT_FORMAT, PS_HEADERS, containerRow } from '../../format/container-row.js';
import { renderList } from '../../output-format.js';
import { parseFilters } from '../../options/filters.js';
import { intOption } from '../../options/int-option.js';

interface PsFlags { all?: boolean; quiet?: boolean; filter: string[]; noTrunc?: boolean; last: number; latest?: boolean; format?: string; size?: boolean }

export function psCommand(ctx: CliContext, name = 'ps'): BerthCommand {
  const cmd = new BerthCommand(name)
    .description('List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, p: string[]) => [...p, v], [])
    .option('--format <string>', 'Format output using a custom template')
    .option('-n, --last <int>', 'Show n last created containers (includes all states)', intOption('-n, --last'), -1)
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs')
    .option('-s, --size', 'Display total file sizes')
    .action(async (o: PsFlags & { trunc?: boolean }) => {
      const limit = o.latest ? 1 : o.last;
      const list = await ctx.client().listContainers({
        all: o.all || limit > 0, limit: limit > 0 ? limit : undefined, size: o.size, filters: parseFilters(o.filter),
      });
      const trunc = o.trunc !== false;
      const rows = list.map((c) => containerRow(c, { trunc, nowMs: ctx.now() }));
      const format = o.quiet ? '{{.ID}}' : o.format && o.format !== 'table' ? o.format : PS_DEFAULT_FORMAT;
      ctx.stdout.write(renderList(format, rows, PS_HEADERS));
    });
  if (name === 'ls') cmd.alias('list').alias('ps');
  return cmd as BerthCommand;
}
