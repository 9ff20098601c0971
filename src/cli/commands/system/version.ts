/**
 * cli/commands/system/version — `berth version [--format]`: the client
 * block, then the server's, laid out as `docker version` does.
 * Imports api, cli.
 */
import type { Version } from '../../../api/types.js';
import { DEFAULT_API_VERSION } from '../../../api/version.js';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { parseFormat, renderTemplate } from '../../format/template.js';
import { CLI_VERSION } from '../../cli-version.js';

const pad = (label: string, width: number) => `${label}:`.padEnd(width);

export function clientVersion() {
  return {
    Version: CLI_VERSION, ApiVersion: DEFAULT_API_VERSION, DefaultAPIVersion: DEFAULT_API_VERSION,
    GoVersion: process.version, GitCommit: 'unknown', BuiltTime: 'unknown',
    Os: process.platform, Arch: process.arch === 'x64' ? 'amd64' : process.arch, Context: 'default',
  };
}

function serverBlock(v: Version): string {
  const lines = [
    'Server:',
    ` Engine:`,
    `  ${pad('Version', 18)}${v.Version}`,
    `  ${pad('API version', 18)}${v.ApiVersion}${v.MinAPIVersion ? ` (minimum version ${v.MinAPIVersion})` : ''}`,
    `  ${pad('Go version', 18)}${v.GoVersion ?? ''}`,
    `  ${pad('Git commit', 18)}${v.GitCommit ?? ''}`,
    `  ${pad('Built', 18)}${v.BuildTime ?? ''}`,
    `  ${pad('OS/Arch', 18)}${v.Os}/${v.Arch}`,
    `  ${pad('Experimental', 18)}${v.Experimental ? 'true' : 'false'}`,
  ];
  for (const c of v.Components ?? []) {
    if (c.Name === 'Engine') continue;
    lines.push(` ${c.Name}:`, `  ${pad('Version', 18)}${c.Version}`);
    for (const [k, val] of Object.entries(c.Details ?? {})) lines.push(`  ${pad(k, 18)}${val}`);
  }
  return lines.join('\n');
}

export function versionCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('version')
    .description('Show the berth version information')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (o: { format?: string }) => {
      const client = clientVersion();
      let server: Version | undefined;
      let failure: unknown;
      try {
        server = await ctx.client().version();
      } catch (err) {
        failure = err;
      }
      if (o.format) {
        ctx.print(renderTemplate(parseFormat(o.format).body, { Client: client, Server: server ?? null }));
      } else {
        ctx.print([
          'Client:',
          ` ${pad('Version', 19)}${client.Version}`,
          ` ${pad('API version', 19)}${client.ApiVersion}`,
          ` ${pad('Node version', 19)}${client.GoVersion}`,
          ` ${pad('Git commit', 19)}${client.GitCommit}`,
          ` ${pad('Built', 19)}${client.BuiltTime}`,
          ` ${pad('OS/Arch', 19)}${client.Os}/${client.Arch}`,
          ` ${pad('Context', 19)}${client.Context}`,
        ].join('\n'));
        if (server) ctx.print(`\n${serverBlock(server)}`);
      }
      if (failure) throw failure;
    }) as BerthCommand;
}
