/**
 * cli/commands/container/attach — `berth attach [--no-stdin] [--sig-proxy]
 * [--detach-keys KEYS] CONTAINER`: attach the terminal to a running
 * container's stdio and exit with its status (or 0 on detach). Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { attachedRun } from './attached-run.js';

export function attachCommand(ctx: CliContext, name = 'attach'): BerthCommand {
  return new BerthCommand(name)
    .description("Attach local standard input, output, and error streams to a running container")
    .argument('<container>')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy [bool]', 'Proxy all received signals to the process', (v: string) => v !== 'false', true)
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .action(async (ref: string, o: { stdin: boolean; sigProxy: boolean; detachKeys?: string }) => {
      const info = await ctx.client().inspectContainer(ref);
      if (!info.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
      if (info.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
      await attachedRun(ctx, {
        id: info.Id, tty: !!info.Config.Tty, stdin: o.stdin && !!info.Config.OpenStdin, condition: 'next-exit',
        start: async () => undefined, detachKeys: o.detachKeys, sigProxy: o.sigProxy,
      });
    }) as BerthCommand;
}
