/**
 * cli/commands/container/exec — `berth exec [-d] [-i] [-t] [-e K=V] [-w DIR]
 * [-u USER] [--privileged] [--detach-keys KEYS] CONTAINER COMMAND [ARG...]`:
 * create the session, start it attached (raw terminal and resize with -t,
 * stdin with -i) or detached, and exit with the command's status.
 * Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError } from '../../cli-errors.js';
import { copyOutput } from '../../streams/output-stream.js';
import { startTerminal } from '../../streams/terminal.js';

interface ExecFlags { detach?: boolean; interactive?: boolean; tty?: boolean; env: string[]; workdir?: string; user?: string; privileged?: boolean; detachKeys?: string }
const collect = (v: string, prev: string[]) => [...prev, v];

export function execCommand(ctx: CliContext, name = 'exec'): BerthCommand {
  return new BerthCommand(name)
    .description('Execute a command in a running container')
    .argument('<container>')
    .argument('<command...>')
    .passThroughOptions()
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-e, --env <list>', 'Set environment variables', collect, [] as string[])
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('--privileged', 'Give extended privileges to the command')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .action(async (ref: string, command: string[], o: ExecFlags) => {
      const client = ctx.client();
      const env = o.env.map((e) => (e.includes('=') ? e : `${e}=${ctx.env[e] ?? ''}`));
      const attach = !o.detach;
      const { Id } = await client.createExec(ref, {
        Cmd: command, Env: env, WorkingDir: o.workdir, User: o.user, Privileged: !!o.privileged, Tty: !!o.tty,
        AttachStdin: attach && !!o.interactive, AttachStdout: attach, AttachStderr: attach, DetachKeys: o.detachKeys,
      });
      if (o.detach) { await client.startExecDetached(Id, { tty: o.tty }); return; }
      const stream = await client.startExecAttached(Id, { tty: o.tty });
      const term = startTerminal({ stdin: ctx.stdin, stdout: ctx.stdout, tty: !!o.tty, forwardStdin: !!o.interactive, input: stream.input, resize: (h, w) => client.resizeExec(Id, h, w) });
      try {
        await copyOutput(stream.output, { tty: !!o.tty, stdout: ctx.stdout, stderr: ctx.stderr });
      } finally {
        term.restore();
        stream.close();
      }
      const info = await client.inspectExec(Id);
      if (info.Running) return; // detached with the detach keys
      if (info.ExitCode) throw new StatusError(info.ExitCode);
    }) as BerthCommand;
}
