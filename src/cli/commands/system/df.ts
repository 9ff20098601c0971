/**
 * cli/commands/system/df — `berth system df [-v] [--format]`: docker's
 * summary table (TYPE, TOTAL, ACTIVE, SIZE, RECLAIMABLE with the same
 * arithmetic as docker's formatter) or, with -v, the per-object tables.
 * Imports cli, client.
 */
import type { DiskUsage } from '../../../api/types.js';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { renderList } from '../../output-format.js';
import { renderTable } from '../../format/table.js';
import { humanSize } from '../../format/size.js';
import { timeAgo } from '../../format/duration.js';

const size = (n: number) => humanSize(n, 4);
const withPct = (reclaimable: number, total: number) => (total > 0 ? `${size(reclaimable)} (${Math.floor((reclaimable * 100) / total)}%)` : size(reclaimable));

export function summaryRows(du: DiskUsage): Record<string, string>[] {
  const images = du.Images ?? [];
  const layers = du.LayersSize ?? 0;
  let usedImages = 0;
  for (const i of images) if (i.Containers > 0 && i.SharedSize !== -1) usedImages += i.Size - i.SharedSize;
  const containers = du.Containers ?? [];
  const active = (s: string) => s === 'running' || s === 'paused' || s === 'restarting';
  const cSize = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const cRecl = containers.filter((c) => !active(c.State)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const vols = du.Volumes ?? [];
  const vSize = vols.reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const vRecl = vols.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const cache = du.BuildCache ?? [];
  const bSize = cache.reduce((n, b) => n + b.Size, 0);
  const bRecl = cache.filter((b) => !b.InUse && !b.Shared).reduce((n, b) => n + b.Size, 0);
  return [
    { Type: 'Images', TotalCount: String(images.length), Active: String(images.filter((i) => i.Containers > 0).length), Size: size(layers), Reclaimable: withPct(Math.max(0, layers - usedImages), layers) },
    { Type: 'Containers', TotalCount: String(containers.length), Active: String(containers.filter((c) => active(c.State)).length), Size: size(cSize), Reclaimable: withPct(cRecl, cSize) },
    { Type: 'Local Volumes', TotalCount: String(vols.length), Active: String(vols.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), Size: size(vSize), Reclaimable: withPct(vRecl, vSize) },
    { Type: 'Build Cache', TotalCount: String(cache.length), Active: String(cache.filter((b) => b.InUse).length), Size: size(bSize), Reclaimable: size(bRecl) },
  ];
}

const HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

export function dfCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('df')
    .description('Show docker disk usage')
    .option('--format <string>', 'Format output using a custom template')
    .option('-v, --verbose', 'Show detailed information on space usage')
    .action(async (o: { format?: string; verbose?: boolean }) => {
      const du = await ctx.client().systemDf();
      if (!o.verbose) {
        ctx.stdout.write(renderList(o.format && o.format !== 'table' ? o.format : 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}', summaryRows(du), HEADERS));
        return;
      }
      const now = ctx.now();
      ctx.stdout.write('Images space usage:\n\n');
      ctx.stdout.write(renderTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], (du.Images ?? []).map((i) => {
        const tag = i.RepoTags?.[0] ?? '<none>:<none>';
        const c = tag.lastIndexOf(':');
        return [tag.slice(0, c), tag.slice(c + 1), i.Id.replace(/^sha256:/, '').slice(0, 12), timeAgo(i.Created * 1000, now), size(i.Size), size(i.SharedSize), size(i.Size - i.SharedSize), String(i.Containers)];
      })));
      ctx.stdout.write('\nContainers space usage:\n\n');
      ctx.stdout.write(renderTable(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], (du.Containers ?? []).map((c) => [
        c.Id.slice(0, 12), c.Image, JSON.stringify(c.Command.length > 20 ? `${c.Command.slice(0, 19)}…` : c.Command),
        String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length), size(c.SizeRw ?? 0), timeAgo(c.Created * 1000, now), c.Status, (c.Names ?? []).map((n) => n.replace(/^\//, '')).join(','),
      ])));
      ctx.stdout.write('\nLocal Volumes space usage:\n\n');
      ctx.stdout.write(renderTable(['VOLUME NAME', 'LINKS', 'SIZE'], (du.Volumes ?? []).map((v) => [v.Name, String(v.UsageData?.RefCount ?? 0), size(Math.max(0, v.UsageData?.Size ?? 0))])));
      ctx.stdout.write(`\nBuild cache usage: ${size((du.BuildCache ?? []).reduce((n, b) => n + b.Size, 0))}\n`);
    }) as BerthCommand;
}
