/**
 * cli/berth-command — a commander Command that fails like docker's cobra
 * commands: "unknown flag: --foo", "flag needs an argument: --name",
 * `"berth stop" requires at least 1 argument.` — each followed by
 * "See 'berth stop --help'." and thrown as a UsageError (never printed or
 * exited from here). Options stop at subcommands (positional options) so
 * `run` can pass the container's own flags through.
 * Imports commander and cli/cli-errors.
 */
import { Command, type Option } from 'commander';
import { UsageError } from './cli-errors.js';

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** "berth stop [OPTIONS] CONTAINER [CONTAINER...]" from the registered arguments. */
function useLine(cmd: Command): string {
  const args = cmd.registeredArguments.map((a) => {
    const n = a.name().toUpperCase();
    if (!a.required) return a.variadic ? `[${n}...]` : `[${n}]`;
    return a.variadic ? `${n} [${n}...]` : n;
  });
  return [commandPath(cmd), '[OPTIONS]', ...args].join(' ');
}

export class BerthCommand extends Command {
  constructor(name?: string) {
    super(name);
    this.enablePositionalOptions();
    this.allowExcessArguments(false);
    this.exitOverride();
    this.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  }

  override createCommand(name?: string): BerthCommand {
    return new BerthCommand(name);
  }

  /** Every commander failure funnels here. Flag problems are docker's status 125. */
  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    const code = errorOptions?.code ?? 'commander.error';
    let text = message.replace(/^error: /, '');
    // commander wraps parser failures: "option '-t, --time <int>' argument 'x' is invalid. <our message>"
    if (code === 'commander.invalidArgument') text = text.replace(/^.*? is invalid\. /, '');
    const isArity = code === 'commander.missingArgument' || code === 'commander.excessArguments';
    throw new UsageError(text, commandPath(this), isArity ? 1 : 125, isArity ? `\n\nUsage:  ${useLine(this)}\n\n${this.description()}` : '');
  }

  // The methods below shadow commander internals (not in its typings) to
  // replace its wording with pflag/cobra's. Pinned to commander 12.
  unknownOption(flag: string): never {
    const m = /^-([^-])/.exec(flag);
    return this.error(m ? `unknown shorthand flag: '${m[1]}' in ${flag}` : `unknown flag: ${flag}`, { code: 'commander.unknownOption' });
  }

  optionMissingArgument(option: Option): never {
    const flag = option.long ?? option.short ?? option.flags;
    return this.error(`flag needs an argument: ${flag}`, { code: 'commander.optionMissingArgument' });
  }

  missingArgument(_name: string): never {
    return this.error(this.#arityMessage(), { code: 'commander.missingArgument' });
  }

  _excessArguments(_received: string[]): never {
    return this.error(this.#arityMessage(), { code: 'commander.excessArguments' });
  }

  unknownCommand(): never {
    const bad = this.args[0];
    throw new UsageError(`'${bad}' is not a berth command.`, commandPath(this), 1, '', true);
  }

  #arityMessage(): string {
    const args = this.registeredArguments;
    const required = args.filter((a) => a.required).length;
    const variadic = args.some((a) => a.variadic);
    const path = commandPath(this);
    const plural = (n: number) => (n === 1 ? 'argument' : 'arguments');
    if (args.length === 0) return `"${path}" accepts no arguments.`;
    if (variadic) return `"${path}" requires at least ${required} ${plural(required)}.`;
    if (required === args.length) return `"${path}" requires exactly ${required} ${plural(required)}.`;
    return `"${path}" requires at least ${required} and at most ${args.length} ${plural(args.length)}.`;
  }
}
