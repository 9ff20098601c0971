/** cli/commands/container/logs — `berth logs [-f] [--tail N] [-t] [--since T] [--until T] CONTAINER`. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { toApiTimestamp } from '../../options/timestamp.js';
import { copyOutput } from '../../streams/output-stream.js';

interface LogsFlags { follow?: boolean; tail: string; timestamps?: boolean; since?: string; until?: string; details?: boolean }

export function logsCommand(ctx: CliContext, name = 'logs'): BerthCommand {
  return new BerthCommand(name)
    .description('Fetch the logs of a container')
    .argument('<container>')
    .option('-f, --follow', 'Follow log output')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .action(async (ref: string, o: LogsFlags) => {
      const client = ctx.client();
      const info = await client.inspectContainer(ref);
      const now = ctx.now();
      const res = await client.containerLogs(info.Id, {
        follow: o.follow, tail: o.tail, timestamps: o.timestamps,
        since: o.since !== undefined ? toApiTimestamp(o.since, now) : undefined,
        until: o.until !== undefined ? toApiTimestamp(o.until, now) : undefined,
      });
      await copyOutput(res, { tty: !!info.Config.Tty, stdout: ctx.stdout, stderr: ctx.stderr });
    }) as BerthCommand;
}
