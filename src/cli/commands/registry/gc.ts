/** cli/commands/registry/gc — `berth registry gc [--dry-run] --root DIR`: delete blobs no manifest references. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { collectGarbage } from '../../../registry/registry-server.js';

export function registryGcCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('gc')
    .description('Remove blobs no manifest references (run while nothing pushes)')
    .option('--root <dir>', 'Storage directory', '/var/lib/berth-registry')
    .option('--dry-run', 'Only list what would be removed')
    .action(async (o: { root: string; dryRun?: boolean }) => {
      const r = await collectGarbage({ root: o.root, dryRun: o.dryRun });
      for (const d of r.removed) ctx.print(`${o.dryRun ? 'would delete' : 'deleted'} ${d}`);
      ctx.print(`${r.marked} blobs marked, ${r.removed.length} ${o.dryRun ? 'eligible for deletion' : 'deleted'}`);
    }) as BerthCommand;
}
