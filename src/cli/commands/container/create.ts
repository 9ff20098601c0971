/** cli/commands/container/create — `berth create [OPTIONS] IMAGE [COMMAND] [ARG...]`: prints the new ID. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { addCreateFlags, type CreateFlags } from '../../options/create-flags.js';
import { createFromFlags } from './create-common.js';

export function createCommand(ctx: CliContext, name = 'create'): BerthCommand {
  const cmd = new BerthCommand(name)
    .description('Create a new container')
    .helpOption('--help', 'Print usage')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions();
  addCreateFlags(cmd, { run: false });
  cmd.action(async (image: string, args: string[], flags: CreateFlags) => {
    const created = await createFromFlags(ctx, { ...flags, detach: true }, image, args);
    ctx.print(created.Id);
  });
  return cmd as BerthCommand;
}
