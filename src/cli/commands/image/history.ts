/** cli/commands/image/history — `berth history [-H] [--no-trunc] [-q] [--format] IMAGE`: GET /images/{name}/history as docker's table. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { renderTable } from '../../format/table.js';
import { humanSize } from '../../format/size.js';
import { timeAgo } from '../../format/duration.js';
import { ellipsis } from '../../format/container-row.js';
import { renderTemplate, parseFormat } from '../../format/template.js';

export function historyCommand(ctx: CliContext, name = 'history'): BerthCommand {
  return new BerthCommand(name)
    .description('Show the history of an image')
    .argument('<image>')
    .option('-H, --human', 'Print sizes and dates in human readable format', true)
    .option('--no-human', 'Print sizes and dates as raw numbers')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .option('--format <string>', 'Format output using a custom template')
    .action(async (image: string, o: { human: boolean; trunc: boolean; quiet?: boolean; format?: string }) => {
      const rows = await ctx.client().imageHistory(image);
      const now = Date.now();
      const id = (i: string) => (i === '<missing>' || !o.trunc ? i : i.replace(/^sha256:/, '').slice(0, 12));
      if (o.quiet) { ctx.stdout.write(rows.map((r) => `${id(r.Id)}\n`).join('')); return; }
      const view = rows.map((r) => ({
        ID: id(r.Id),
        CreatedSince: o.human ? timeAgo(r.Created * 1000, now) : new Date(r.Created * 1000).toISOString(),
        CreatedAt: new Date(r.Created * 1000).toISOString(),
        CreatedBy: o.trunc ? ellipsis(r.CreatedBy.replace(/\s+/g, ' '), 45) : r.CreatedBy,
        Size: o.human ? humanSize(r.Size) : String(r.Size),
        Comment: r.Comment,
      }));
      if (o.format) {
        const f = parseFormat(o.format);
        if (!f.table) { ctx.stdout.write(view.map((v) => renderTemplate(f.body, v) + '\n').join('')); return; }
      }
      ctx.stdout.write(renderTable(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], view.map((v) => [v.ID, v.CreatedSince, v.CreatedBy, v.Size, v.Comment])));
    }) as BerthCommand;
}
