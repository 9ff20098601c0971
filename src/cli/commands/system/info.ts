/**
 * cli/commands/system/info — `berth info [--format]`: the daemon's /info in
 * `docker info`'s layout (the fields berth reports). Imports api, cli.
 */
import type { Info } from '../../../api/types.js';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { parseFormat, renderTemplate } from '../../format/template.js';
import { CLI_VERSION } from '../../cli-version.js';

/** Docker prints memory with base-1024 units here ("7.6GiB"). */
function bytesBinary(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

export function renderInfo(i: Info): string {
  const l: string[] = ['Server:'];
  const add = (label: string, value: unknown, indent = ' ') => { if (value !== undefined && value !== '') l.push(`${indent}${label}: ${value}`); };
  add('Containers', i.Containers);
  add('Running', i.ContainersRunning, '  ');
  add('Paused', i.ContainersPaused, '  ');
  add('Stopped', i.ContainersStopped, '  ');
  add('Images', i.Images);
  add('Server Version', i.ServerVersion);
  add('Storage Driver', i.Driver);
  for (const [k, v] of i.DriverStatus ?? []) add(k, v, '  ');
  add('Logging Driver', i.LoggingDriver);
  add('Cgroup Driver', i.CgroupDriver);
  add('Cgroup Version', i.CgroupVersion);
  if (i.Runtimes) add('Runtimes', Object.keys(i.Runtimes).sort().join(' '));
  add('Default Runtime', i.DefaultRuntime);
  add('Init Binary', i.InitBinary);
  if (i.SecurityOptions?.length) {
    l.push(' Security Options:');
    // "name=seccomp,profile=builtin" → "seccomp" then "Profile: builtin", as the docker CLI prints it
    for (const s of i.SecurityOptions) {
      const kv = s.split(',').map((p) => { const at = p.indexOf('='); return at < 0 ? ['', p] : [p.slice(0, at), p.slice(at + 1)]; });
      l.push(`  ${kv.find(([k]) => k === 'name')?.[1] ?? s}`);
      for (const [k, v] of kv) if (k && k !== 'name') l.push(`   ${k[0].toUpperCase()}${k.slice(1)}: ${v}`);
    }
  }
  add('Kernel Version', i.KernelVersion);
  add('Operating System', i.OperatingSystem);
  add('OSType', i.OSType);
  add('Architecture', i.Architecture);
  add('CPUs', i.NCPU);
  if (i.MemTotal !== undefined) add('Total Memory', bytesBinary(i.MemTotal));
  add('Name', i.Name);
  add('ID', i.ID);
  add('Docker Root Dir', i.DockerRootDir);
  add('Debug Mode', i.Debug ? 'true' : 'false');
  if (i.Labels?.length) { l.push(' Labels:'); for (const x of i.Labels) l.push(`  ${x}`); }
  add('Experimental', i.ExperimentalBuild ? 'true' : 'false');
  add('Live Restore Enabled', i.LiveRestoreEnabled ? 'true' : 'false');
  for (const w of i.Warnings ?? []) l.push(w);
  return l.join('\n');
}

export function infoCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('info')
    .description('Display system-wide information')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (o: { format?: string }) => {
      if (o.format) {
        ctx.print(renderTemplate(parseFormat(o.format).body, await ctx.client().info()));
        return;
      }
      ctx.print(`Client:\n Version:    ${CLI_VERSION}\n Context:    default\n Debug Mode: false\n`);
      ctx.print(renderInfo(await ctx.client().info()));
    }) as BerthCommand;
}
