/** cli/commands/registry/logout — `berth logout [SERVER]`: forget stored credentials. Imports cli. */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { removeAuth, authKey } from '../../auth/docker-config.js';

export function logoutCommand(ctx: CliContext, name = 'logout'): BerthCommand {
  return new BerthCommand(name)
    .description('Log out from a registry')
    .argument('[server]')
    .action(async (server: string | undefined) => {
      const key = authKey(server);
      if (!removeAuth(ctx.env, key)) { ctx.print(`Not logged in to ${key}`); return; }
      ctx.print(`Removing login credentials for ${key}`);
    }) as BerthCommand;
}
