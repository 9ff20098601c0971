/**
 * cli/commands/registry/login — `berth login [-u USER] [-p PASS | --password-stdin] [SERVER]`:
 * the daemon checks the credentials (POST /auth), the CLI stores them in
 * config.json as docker's CLI does. Imports cli.
 */
import { createInterface } from 'node:readline';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { storeAuth, authKey, HUB_KEY } from '../../auth/docker-config.js';

async function readAllStdin(ctx: CliContext): Promise<string> {
  let s = '';
  for await (const c of ctx.stdin) s += (c as Buffer).toString();
  return s.replace(/\r?\n$/, '');
}

function prompt(ctx: CliContext, question: string, hidden: boolean): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: !!ctx.stdin.isTTY });
    if (hidden) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => { if (s.includes(question)) ctx.stderr.write(question); };
    rl.question(question, (a) => { rl.close(); if (hidden) ctx.stderr.write('\n'); resolve(a.trim()); });
  });
}

export function loginCommand(ctx: CliContext, name = 'login'): BerthCommand {
  return new BerthCommand(name)
    .description('Log in to a registry')
    .argument('[server]')
    .option('-u, --username <string>', 'Username')
    .option('-p, --password <string>', 'Password')
    .option('--password-stdin', 'Take the password from stdin')
    .action(async (server: string | undefined, o: { username?: string; password?: string; passwordStdin?: boolean }) => {
      if (o.password && o.passwordStdin) throw new Error('--password and --password-stdin are mutually exclusive');
      if (o.passwordStdin && !o.username) throw new Error('Must provide --username with --password-stdin');
      const key = authKey(server);
      const username = o.username ?? await prompt(ctx, 'Username: ', false);
      let password = o.password;
      if (o.password) ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      if (o.passwordStdin) password = await readAllStdin(ctx);
      password ??= await prompt(ctx, 'Password: ', true);
      if (!username) throw new Error('Error: Non-null Username Required');
      if (!password) throw new Error('Error: Non-null Password Required');
      const r = await ctx.client().login({ username, password, serveraddress: key === HUB_KEY ? HUB_KEY : key });
      const file = storeAuth(ctx.env, key, username, password);
      ctx.stderr.write(`WARNING! Your password will be stored unencrypted in ${file}.\n`);
      ctx.print(r.Status || 'Login Succeeded');
    }) as BerthCommand;
}
