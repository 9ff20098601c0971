/**
 * cli/commands/registry/serve — `berth registry serve`: run berth's OCI
 * distribution registry server in this process until SIGINT/SIGTERM. The
 * registry is its own application (src/registry), not a daemon API client,
 * so this command is allowed to import it (see .dependency-cruiser.cjs).
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { serveRegistry } from '../../../registry/registry-server.js';

export function registryServeCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('serve')
    .description('Run an OCI distribution registry server')
    .option('--addr <host:port>', 'Address to listen on', '127.0.0.1:5000')
    .option('--root <dir>', 'Storage directory', '/var/lib/berth-registry')
    .option('--htpasswd <file>', 'htpasswd file (bcrypt) for basic auth')
    .option('--auth <mode>', 'Authentication: none, htpasswd, token (Bearer tokens from /token, checked against --htpasswd)')
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .action(async (o: { addr: string; root: string; htpasswd?: string; auth?: string; tlsCert?: string; tlsKey?: string }) => {
      if (o.auth && !['none', 'htpasswd', 'token'].includes(o.auth)) throw new Error(`invalid --auth ${o.auth}: use none, htpasswd or token`);
      const reg = await serveRegistry({ addr: o.addr, root: o.root, htpasswd: o.htpasswd, auth: o.auth as 'none' | 'htpasswd' | 'token' | undefined, tlsCert: o.tlsCert, tlsKey: o.tlsKey, log: (m, f) => ctx.stderr.write(`${m} ${JSON.stringify(f ?? {})}\n`) });
      ctx.print(`berth registry listening on ${reg.url} (storage ${o.root})`);
      await new Promise<void>((resolve) => {
        const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); void reg.close().then(resolve); };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    }) as BerthCommand;
}
