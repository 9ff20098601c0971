/**
 * cli/commands/container/attached-run — the foreground part shared by `run`
 * and `start -a`: attach first, register the wait, start, copy the output,
 * then exit with the container's status (docker's order, so a fast exit is
 * never missed). Signals received meanwhile are forwarded to the container.
 * Imports client, cli.
 */
import type { WaitCondition } from '../../../api/types.js';
import type { CliContext } from '../../cli-context.js';
import { StatusError } from '../../cli-errors.js';
import { copyOutput } from '../../streams/output-stream.js';
import { startTerminal } from '../../streams/terminal.js';

export interface AttachedRunOptions {
  id: string;
  tty: boolean;
  stdin: boolean;
  condition: WaitCondition;
  /** Called between registering the wait and copying output (the start call). */
  start: () => Promise<unknown>;
  detachKeys?: string;
  /** Forward SIGINT/SIGTERM to the container (docker's --sig-proxy; never with a TTY). */
  sigProxy?: boolean;
}

export async function attachedRun(ctx: CliContext, o: AttachedRunOptions): Promise<never> {
  const client = ctx.client();
  const attached = await client.attachContainer(o.id, { stream: true, stdin: o.stdin, stdout: true, stderr: true, detachKeys: o.detachKeys });
  const pending = await client.beginWait(o.id, { condition: o.condition });
  try {
    await o.start();
  } catch (err) {
    attached.close();
    throw err;
  }
  const term = startTerminal({ stdin: ctx.stdin, stdout: ctx.stdout, tty: o.tty, forwardStdin: o.stdin, input: attached.input, resize: (h, w) => client.resizeContainer(o.id, h, w) });
  const forward = (signal: NodeJS.Signals) => { client.killContainer(o.id, { signal }).catch(() => undefined); };
  const signals: NodeJS.Signals[] = o.tty || o.sigProxy === false ? [] : ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, forward);
  try {
    await copyOutput(attached.output, { tty: o.tty, stdout: ctx.stdout, stderr: ctx.stderr });
    term.restore();
    // Output ended while the container still runs: the user detached (detach keys).
    // (Only an attached stdin can carry the detach keys.)
    if (o.stdin) {
      const info = await client.inspectContainer(o.id).catch(() => undefined);
      if (info?.State.Running && o.condition !== 'removed') throw new StatusError(0);
    }
    const res = await pending.result;
    if (res.Error?.Message) ctx.stderr.write(`${res.Error.Message}\n`);
    throw new StatusError(res.StatusCode);
  } finally {
    term.restore();
    for (const s of signals) process.off(s, forward);
    attached.close();
  }
}
