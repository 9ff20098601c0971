/**
 * cli/commands/container/each-container — run one action per named
 * container, print the name on success, collect failures and report them
 * together with status 1 (docker's stop/kill/rm/restart behaviour).
 * Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { StatusError, errorText } from '../../cli-errors.js';

export async function forEachContainer(ctx: CliContext, refs: string[], action: (ref: string) => Promise<unknown>, printRef = true): Promise<void> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await action(ref);
      if (printRef) ctx.print(ref);
    } catch (err) {
      errors.push(errorText(err));
    }
  }
  if (errors.length) throw new StatusError(1, errors.join('\n'));
}
