/**
 * cli/main — the `berth` program: global flags (-H, --log-level, -v), the
 * `container` and `image` management groups, docker's short forms at the top
 * level, and the single place that prints errors and picks the exit code.
 * Imports cli/*, client (through the context), api, errdefs.
 */
import { Option, CommanderError } from 'commander';
import { BerthCommand, commandPath } from './berth-command.js';
import { createCliContext, type CliContext, type CliIO } from './cli-context.js';
import { reportError } from './cli-errors.js';
import { CLI_VERSION } from './cli-version.js';
import { runCommand } from './commands/container/run.js';
import { createCommand } from './commands/container/create.js';
import { startCommand } from './commands/container/start.js';
import { stopCommand } from './commands/container/stop.js';
import { killCommand } from './commands/container/kill.js';
import { restartCommand } from './commands/container/restart.js';
import { rmCommand } from './commands/container/rm.js';
import { psCommand } from './commands/container/ls.js';
import { logsCommand } from './commands/container/logs.js';
import { waitCommand } from './commands/container/wait.js';
import { renameCommand } from './commands/container/rename.js';
import { containerInspectCommand } from './commands/container/inspect.js';
import { portCommand } from './commands/container/port.js';
import { networkCreateCommand } from './commands/network/create.js';
import { networkLsCommand } from './commands/network/ls.js';
import { networkInspectCommand } from './commands/network/inspect.js';
import { networkRmCommand } from './commands/network/rm.js';
import { networkPruneCommand } from './commands/network/prune.js';
import { networkConnectCommand } from './commands/network/connect.js';
import { networkDisconnectCommand } from './commands/network/disconnect.js';
import { imagesCommand } from './commands/image/ls.js';
import { importCommand } from './commands/image/import.js';
import { loadCommand } from './commands/image/load.js';
import { tagCommand } from './commands/image/tag.js';
import { rmiCommand } from './commands/image/rm.js';
import { imageInspectCommand } from './commands/image/inspect.js';
import { buildCommand } from './commands/image/build.js';
import { historyCommand } from './commands/image/history.js';
import { imagePruneCommand } from './commands/image/prune.js';
import { builderPruneCommand } from './commands/builder/prune.js';
import { commitCommand } from './commands/container/commit.js';
import { diffCommand } from './commands/container/diff.js';
import { exportCommand } from './commands/container/export.js';
import { inspectCommand } from './commands/system/inspect.js';
import { versionCommand } from './commands/system/version.js';
import { infoCommand } from './commands/system/info.js';
import { eventsCommand } from './commands/system/events.js';
import { execCommand } from './commands/container/exec.js';
import { attachCommand } from './commands/container/attach.js';
import { pauseCommand, unpauseCommand } from './commands/container/pause.js';
import { topCommand } from './commands/container/top.js';
import { statsCommand } from './commands/container/stats.js';
import { updateCommand } from './commands/container/update.js';
import { cpCommand } from './commands/container/cp.js';
import { containerPruneCommand } from './commands/container/prune.js';
import { dfCommand } from './commands/system/df.js';
import { systemPruneCommand } from './commands/system/prune.js';
import { volumeCreateCommand } from './commands/volume/create.js';
import { volumeLsCommand } from './commands/volume/ls.js';
import { volumeInspectCommand } from './commands/volume/inspect.js';
import { volumeRmCommand } from './commands/volume/rm.js';
import { volumePruneCommand } from './commands/volume/prune.js';
import { pullCommand } from './commands/image/pull.js';
import { pushCommand } from './commands/image/push.js';
import { saveCommand } from './commands/image/save.js';
import { loginCommand } from './commands/registry/login.js';
import { logoutCommand } from './commands/registry/logout.js';
import { registryServeCommand } from './commands/registry/serve.js';
import { registryGcCommand } from './commands/registry/gc.js';

/** A command factory; those with a second parameter take the name the command answers to. */
type Make = (ctx: CliContext, name?: string) => BerthCommand;

export function buildProgram(ctx: CliContext): BerthCommand {
  const program = new BerthCommand('berth')
    .description('A self-sufficient runtime for containers')
    .usage('[OPTIONS] COMMAND')
    .option('-H, --host <list>', 'Daemon socket to connect to')
    .addOption(new Option('-l, --log-level <string>', 'Set the logging level').choices(['debug', 'info', 'warn', 'error', 'fatal']).default('info'))
    .option('-D, --debug', 'Enable debug mode')
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlsverify', 'Use TLS and verify the remote')
    .option('--tlscacert <string>', 'Trust certs signed only by this CA')
    .option('--tlscert <string>', 'Path to TLS certificate file')
    .option('--tlskey <string>', 'Path to TLS key file')
    .version(`berth version ${CLI_VERSION}, build unknown`, '-v, --version', 'Print version information and quit') as BerthCommand;

  // Management groups (`berth container ls`): each entry is a factory and, where the
  // group's name differs from the short form's, the name inside the group.
  const groups: [name: string, description: string, entries: (Make | [Make, string])[]][] = [
    ['container', 'Manage containers', [runCommand, createCommand, startCommand, stopCommand, killCommand, restartCommand, rmCommand, logsCommand, waitCommand, renameCommand,
      [psCommand, 'ls'], containerInspectCommand, commitCommand, diffCommand, exportCommand, portCommand, cpCommand, containerPruneCommand,
      execCommand, attachCommand, pauseCommand, unpauseCommand, topCommand, statsCommand, updateCommand]],
    ['network', 'Manage networks', [networkConnectCommand, networkCreateCommand, networkDisconnectCommand, networkInspectCommand, networkLsCommand, networkPruneCommand, networkRmCommand]],
    ['image', 'Manage images', [[imagesCommand, 'ls'], importCommand, loadCommand, tagCommand, [rmiCommand, 'rm'], imageInspectCommand, pullCommand, pushCommand, buildCommand, historyCommand, imagePruneCommand, saveCommand]],
    ['builder', 'Manage builds', [buildCommand, builderPruneCommand]],
    ['volume', 'Manage volumes', [volumeCreateCommand, volumeLsCommand, volumeInspectCommand, volumeRmCommand, volumePruneCommand]],
    ['system', 'Manage berth', [eventsCommand, dfCommand, systemPruneCommand]],
    ['registry', 'Run and maintain berth\'s registry server', [registryServeCommand, registryGcCommand]],
  ];
  for (const [name, description, entries] of groups) {
    const group = program.command(name).description(description) as BerthCommand;
    for (const e of entries) group.addCommand(Array.isArray(e) ? e[0](ctx, e[1]) : e(ctx));
  }

  // Docker's short forms (`berth ps` = `berth container ls`).
  for (const make of [runCommand, createCommand, startCommand, stopCommand, killCommand, restartCommand, rmCommand, psCommand, logsCommand, waitCommand, renameCommand,
    portCommand, cpCommand, execCommand, attachCommand, pauseCommand, unpauseCommand, topCommand, statsCommand, updateCommand,
    imagesCommand, importCommand, loadCommand, tagCommand, rmiCommand, buildCommand, historyCommand, commitCommand, diffCommand, exportCommand,
    pullCommand, pushCommand, saveCommand, loginCommand, logoutCommand, inspectCommand, versionCommand, infoCommand, eventsCommand] as Make[]) {
    program.addCommand(make(ctx));
  }
  return program;
}

/** Run the CLI on `args` (without node and script); returns the exit code instead of exiting. */
export async function runCli(args: string[], io: CliIO): Promise<number> {
  let program: BerthCommand | undefined;
  const ctx = createCliContext(io, () => program?.opts<{ host?: string }>().host, () => program?.opts<{ tls?: boolean; tlsverify?: boolean; tlscacert?: string; tlscert?: string; tlskey?: string }>());
  program = buildProgram(ctx);
  program.configureOutput({ writeOut: (s) => { io.stdout.write(s); }, writeErr: () => undefined, outputError: () => undefined });
  for (const c of walk(program)) c.configureOutput({ writeOut: (s) => { io.stdout.write(s); }, writeErr: () => undefined, outputError: () => undefined });
  // The command whose action runs: its name picks the error wording ("run" → 125 rules).
  let leaf: BerthCommand | undefined;
  program.hook('preAction', (_self, actionCommand) => { leaf = actionCommand as BerthCommand; });
  if (args.length === 0) {
    io.stdout.write(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')) {
      return err.exitCode;
    }
    const report = reportError(err, { verb: leaf?.name(), path: leaf ? commandPath(leaf) : undefined });
    io.stderr.write(report.stderr);
    return report.exitCode;
  }
}

function* walk(cmd: BerthCommand): Generator<BerthCommand> {
  for (const c of cmd.commands) {
    yield c as BerthCommand;
    yield* walk(c as BerthCommand);
  }
}

/** Entry point for bin/berth.ts. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const code = await runCli(argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
  // Let stdout drain before exiting (pipes are async in node).
  process.exitCode = code;
  if (process.stdout.writableNeedDrain) await new Promise((r) => process.stdout.once('drain', r));
  process.exit(code);
}
