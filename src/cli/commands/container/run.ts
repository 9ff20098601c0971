/**
 * cli/commands/container/run — `berth run [OPTIONS] IMAGE [COMMAND] [ARG...]`:
 * create, then either print the ID (-d) or attach, wait, start and exit with
 * the container's status. Start failures exit 126/127/125 like docker.
 * Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError, errorText } from '../../cli-errors.js';
import { addCreateFlags, type CreateFlags } from '../../options/create-flags.js';
import { attachedRun } from './attached-run.js';
import { createFromFlags } from './create-common.js';

/**
 * Docker's runStartContainerErr: the only signal is the runtime's message, so
 * this matches text — on purpose, for exit-code compatibility, and only here.
 */
export function startFailureStatus(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied/.test(message)) return 126;
  return 125;
}

export function runCommand(ctx: CliContext, name = 'run'): BerthCommand {
  const cmd = new BerthCommand(name)
    .description('Create and run a new container from an image')
    .helpOption('--help', 'Print usage')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions();
  addCreateFlags(cmd, { run: true });
  cmd.action(async (image: string, args: string[], flags: CreateFlags) => {
    const created = await createFromFlags(ctx, flags, image, args);
    const client = ctx.client();
    const start = async () => {
      try {
        await client.startContainer(created.Id);
      } catch (err) {
        const text = errorText(err);
        throw new StatusError(startFailureStatus(text), `berth: ${text}\nSee '${cmd.parent?.name() === 'container' ? 'berth container run' : 'berth run'} --help'.`);
      }
    };
    if (flags.detach) {
      await start();
      ctx.print(created.Id);
      return;
    }
    await attachedRun(ctx, {
      id: created.Id, tty: !!flags.tty, stdin: !!flags.interactive, condition: flags.rm ? 'removed' : 'next-exit', start,
      detachKeys: flags.detachKeys, sigProxy: flags.sigProxy,
    });
  });
  return cmd as BerthCommand;
}
