/** cli/commands/network/prune — `berth network prune [-f] [--filter]`: removes unused custom networks, asks first unless -f. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { parseFilters } from '../../options/filters.js';

const WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';

async function confirm(ctx: CliContext): Promise<boolean> {
  ctx.stdout.write(WARNING);
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => { buf += d.toString(); if (buf.includes('\n')) done(); };
    const done = () => { ctx.stdin.off('data', onData); ctx.stdin.off('end', done); ctx.stdin.pause(); resolve(buf.split('\n')[0]); };
    ctx.stdin.on('data', onData);
    ctx.stdin.once('end', done);
    ctx.stdin.resume();
  });
  return /^y(es)?$/i.test(line.trim());
}

export function networkPruneCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('prune')
    .description('Remove all unused networks')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=<timestamp>')", (v: string, p: string[]) => [...p, v], [])
    .action(async (o: { force?: boolean; filter: string[] }) => {
      if (!o.force && !(await confirm(ctx))) return;
      const r = await ctx.client().pruneNetworks({ filters: parseFilters(o.filter) });
      const names = r.NetworksDeleted ?? [];
      if (names.length) {
        ctx.print('Deleted Networks:');
        for (const n of names) ctx.print(n);
      }
    }) as BerthCommand;
}
