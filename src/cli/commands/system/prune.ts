/**
 * cli/commands/system/prune — `berth system prune [-a] [--volumes] [-f]
 * [--filter]`: docker's prompt, then the per-noun prune endpoints one by one
 * (containers, networks, volumes with --volumes, images — dangling only
 * unless -a — and build cache), each section printed as docker does. An
 * endpoint this daemon does not have (404) is skipped. Imports cli, client.
 */
import { isKind } from '../../../errdefs/errors.js';
import type { Filters } from '../../../api/types.js';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { parseFilters } from '../../options/filters.js';
import { humanSize } from '../../format/size.js';
import { confirm } from '../../streams/confirm.js';

async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try { return await p; } catch (err) { if (isKind(err, 'not-found')) return undefined; throw err; }
}

export function systemPruneCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('prune')
    .description('Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('--filter <filter>', "Provide filter values (e.g. 'label=<key>=<value>')", (v: string, p: string[]) => [...p, v], [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune anonymous volumes')
    .action(async (o: { all?: boolean; filter: string[]; force?: boolean; volumes?: boolean }) => {
      const filters = parseFilters(o.filter);
      const lines = [
        'WARNING! This will remove:',
        '  - all stopped containers',
        '  - all networks not used by at least one container',
        ...(o.volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
        o.all ? '  - all images without at least one container associated to them' : '  - all dangling images',
        o.all ? '  - all build cache' : '  - unused build cache',
        '',
      ];
      if (!o.force && !(await confirm(ctx, lines.join('\n')))) return;
      const client = ctx.client();
      const section = (title: string, items: string[] | null | undefined) => {
        if (items?.length) ctx.stdout.write(`${title}:\n${items.map((i) => `${i}\n`).join('')}\n`);
      };
      let space = 0;
      const c = await optional(client.pruneContainers({ filters }));
      section('Deleted Containers', c?.ContainersDeleted);
      space += c?.SpaceReclaimed ?? 0;
      const n = await optional(client.pruneNetworks({ filters }));
      section('Deleted Networks', n?.NetworksDeleted);
      if (o.volumes) {
        const v = await optional(client.pruneVolumes({ filters }));
        section('Deleted Volumes', v?.VolumesDeleted);
        space += v?.SpaceReclaimed ?? 0;
      }
      const imageFilters: Filters = { ...filters, dangling: [o.all ? 'false' : 'true'] };
      const i = await optional(client.pruneImages({ filters: imageFilters }));
      section('Deleted Images', i?.ImagesDeleted?.map((d) => (d.Untagged ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`)));
      space += i?.SpaceReclaimed ?? 0;
      const b = await optional(client.pruneBuildCache({ all: o.all }));
      section('Deleted build cache objects', b?.CachesDeleted);
      space += b?.SpaceReclaimed ?? 0;
      ctx.print(`Total reclaimed space: ${humanSize(space)}`);
    }) as BerthCommand;
}
