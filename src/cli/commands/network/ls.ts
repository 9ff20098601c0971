/** cli/commands/network/ls — `berth network ls`: NETWORK ID, NAME, DRIVER, SCOPE (docker's default table). Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { renderList } from '../../output-format.js';
import { parseFilters } from '../../options/filters.js';

const HEADERS: Record<string, string> = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' };
const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

export function networkLsCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('ls')
    .alias('list')
    .description('List networks')
    .option('-f, --filter <filter>', "Provide filter values (e.g. 'driver=bridge')", (v: string, p: string[]) => [...p, v], [])
    .option('--format <string>', 'Format output using a custom template')
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(async (o: { filter: string[]; format?: string; trunc?: boolean; quiet?: boolean }) => {
      const list = await ctx.client().listNetworks({ filters: parseFilters(o.filter) });
      list.sort((a, b) => a.Name.localeCompare(b.Name));
      const rows = list.map((n) => ({
        ID: o.trunc === false ? n.Id : n.Id.slice(0, 12), Name: n.Name, Driver: n.Driver, Scope: n.Scope, IPv6: String(n.EnableIPv6), Internal: String(n.Internal),
        Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','), CreatedAt: n.Created,
      }));
      const format = o.quiet ? '{{.ID}}' : o.format && o.format !== 'table' ? o.format : DEFAULT_FORMAT;
      ctx.stdout.write(renderList(format, rows, HEADERS));
    }) as BerthCommand;
}
