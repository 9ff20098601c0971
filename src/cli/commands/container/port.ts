/**
 * cli/commands/container/port — `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`:
 * the published host addresses of a container's ports, from inspect's
 * NetworkSettings.Ports, printed as docker's CLI does. Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError } from '../../cli-errors.js';

export function portCommand(ctx: CliContext, name = 'port'): BerthCommand {
  return new BerthCommand(name)
    .description('List port mappings or a specific mapping for the container')
    .argument('<container>')
    .argument('[private_port]')
    .action(async (ref: string, priv: string | undefined) => {
      const c = await ctx.client().inspectContainer(ref);
      const ports = (c.NetworkSettings.Ports ?? {}) as Record<string, { HostIp: string; HostPort: string }[] | null>;
      const fmt = (b: { HostIp: string; HostPort: string }) => `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:${b.HostPort}`;
      if (priv !== undefined) {
        const [p, proto = 'tcp'] = priv.split('/');
        if (!/^\d+$/.test(p)) throw new StatusError(1, `Error: invalid port (${priv}): must be a number`);
        const list = ports[`${p}/${proto}`];
        if (!list?.length) throw new StatusError(1, `Error: No public port '${p}/${proto}' published for ${ref}`);
        for (const b of list) ctx.print(fmt(b));
        return;
      }
      const keys = Object.keys(ports).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
      for (const k of keys) for (const b of ports[k] ?? []) ctx.print(`${k} -> ${fmt(b)}`);
    }) as BerthCommand;
}
