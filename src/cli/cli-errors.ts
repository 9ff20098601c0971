/**
 * cli/cli-errors — the one place that turns a failure into stderr text and
 * an exit code, like docker's CLI:
 *   - UsageError (bad flags 125, bad argument count 1): "<msg>\nSee '<cmd> --help'."
 *   - StatusError: exit with a given status (a container's exit code)
 *   - DaemonError: "Error response from daemon: <message>"
 *   - anything else: its message.
 * `run` and `create` report daemon and local errors as "berth: <msg>\nSee
 * 'berth run --help'." with status 125, as docker does.
 * Imports errdefs and client (DaemonError).
 */
import { findBerthError } from '../errdefs/errors.js';
import { DaemonError } from '../client/response-errors.js';

export class UsageError extends Error {
  constructor(
    message: string,
    readonly commandPath: string,
    readonly exitCode: number,
    readonly usageSuffix = '',
    readonly rootHint = false,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit with `status`; print `message` only if non-empty (docker's cli.StatusError). */
export class StatusError extends Error {
  constructor(readonly status: number, message = '') {
    super(message);
    this.name = 'StatusError';
  }
}

export interface Report {
  stderr: string;
  exitCode: number;
}

/** Commands whose failures are "125: the docker command itself failed". */
const RUN_LIKE = new Set(['run', 'create']);

export function errorText(err: unknown): string {
  const be = findBerthError(err);
  if (be instanceof DaemonError) return `Error response from daemon: ${be.message}`;
  if (be) return be.message;
  return err instanceof Error ? err.message : String(err);
}

/** `verb` is the leaf command name ("run", "ps"), `path` its full path ("berth container run"). */
export function reportError(err: unknown, ctx: { verb?: string; path?: string }): Report {
  if (err instanceof UsageError) {
    const see = err.rootHint ? `berth: ${err.message}\nSee 'berth --help'.` : `${err.message}\nSee '${err.commandPath} --help'.`;
    return { stderr: `${see}${err.usageSuffix}\n`, exitCode: err.exitCode };
  }
  if (err instanceof StatusError) return { stderr: err.message ? `${err.message}\n` : '', exitCode: err.status };
  if (ctx.verb && RUN_LIKE.has(ctx.verb)) {
    return { stderr: `berth: ${errorText(err)}\nSee '${ctx.path ?? `berth ${ctx.verb}`} --help'.\n`, exitCode: 125 };
  }
  return { stderr: `${errorText(err)}\n`, exitCode: 1 };
}
