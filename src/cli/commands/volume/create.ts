/** cli/commands/volume/create — `berth volume create [OPTIONS] [VOLUME]`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { UsageError } from '../../cli-errors.js';
import { kvListToMap } from '../../options/kv-file.js';

const collect = (v: string, p: string[]) => [...p, v];

export function volumeCreateCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('create')
    .description('Create a volume')
    .argument('[volume]')
    .option('-d, --driver <string>', 'Specify volume driver name', 'local')
    .option('--label <list>', 'Set metadata for a volume', collect, [])
    .option('-o, --opt <map>', 'Set driver specific options', collect, [])
    .option('--name <string>', 'Specify volume name')
    .action(async (arg: string | undefined, o: { driver: string; label: string[]; opt: string[]; name?: string }) => {
      if (arg && o.name && arg !== o.name) {
        throw new UsageError(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`, 'berth volume create', 1);
      }
      const opts: Record<string, string> = {};
      for (const kv of o.opt) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new UsageError(`invalid argument "${kv}" for "-o, --opt" flag: invalid key value pair format in driver options`, 'berth volume create', 125);
        opts[kv.slice(0, i)] = kv.slice(i + 1);
      }
      const v = await ctx.client().createVolume({ Name: arg ?? o.name ?? '', Driver: o.driver, DriverOpts: opts, Labels: kvListToMap(o.label) });
      ctx.print(v.Name);
    }) as BerthCommand;
}
