/**
 * client/host — which daemon the client talks to.
 *
 * A host string is `unix:///path`, `tcp://host:port` or `http://host:port`
 * (Docker's `-H` syntax). Precedence: the `-H` flag, then BERTH_HOST, then
 * DOCKER_HOST, then the default socket. Pure: the environment is passed in.
 * Imports errdefs.
 */
import { invalidArgument } from '../errdefs/errors.js';

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';
/** Docker's default TCP port when `tcp://host` has none (2376 is TLS-only, not supported here). */
const DEFAULT_TCP_PORT = 2375;

/** Where to connect: a Unix socket path, or a TCP host and port. `url` is the normalised form for messages. */
export type DaemonAddress =
  | { kind: 'unix'; socketPath: string; url: string }
  | { kind: 'tcp'; hostname: string; port: number; url: string };

/** The host string to use, by precedence; empty values count as unset. */
export function selectHost(flag: string | undefined, env: Record<string, string | undefined>): string {
  for (const candidate of [flag, env.BERTH_HOST, env.DOCKER_HOST]) {
    if (candidate && candidate.trim() !== '') return candidate.trim();
  }
  return DEFAULT_HOST;
}

/** Parse a `-H` host string. Throws invalid-argument for other schemes or a malformed address. */
export function parseHost(host: string): DaemonAddress {
  const m = /^([a-z]+):\/\/(.*)$/i.exec(host);
  if (!m) {
    // Docker accepts a bare path as a Unix socket only when it starts with "/".
    if (host.startsWith('/')) return { kind: 'unix', socketPath: host, url: `unix://${host}` };
    throw invalidArgument(`invalid host: ${host}`);
  }
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  if (scheme === 'unix') {
    if (!rest.startsWith('/')) throw invalidArgument(`invalid host: ${host}: unix socket path must be absolute`);
    return { kind: 'unix', socketPath: rest, url: `unix://${rest}` };
  }
  if (scheme === 'tcp' || scheme === 'http') {
    const hp = /^(\[[0-9a-f:.]+\]|[^:/\s]*)(?::(\d+))?\/?$/i.exec(rest);
    if (!hp) throw invalidArgument(`invalid host: ${host}`);
    const hostname = (hp[1] || '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
    const port = hp[2] ? parseInt(hp[2], 10) : DEFAULT_TCP_PORT;
    if (port < 1 || port > 65535) throw invalidArgument(`invalid host: ${host}: bad port`);
    const shown = hostname.includes(':') ? `[${hostname}]` : hostname;
    return { kind: 'tcp', hostname, port, url: `tcp://${shown}:${port}` };
  }
  throw invalidArgument(`invalid host: ${host}: unsupported scheme ${scheme}://`);
}

/** TLS to the daemon: files to read, and whether the daemon's certificate is checked against `ca`. */
export interface TlsSettings { ca?: string; cert?: string; key?: string; verify: boolean }

/**
 * The docker CLI's TLS settings: `--tlsverify` or DOCKER_TLS_VERIFY (any
 * non-empty value) verify the daemon; `--tls` or DOCKER_TLS use TLS without
 * verifying; files come from the flags, else DOCKER_CERT_PATH (default
 * ~/.docker): ca.pem, cert.pem, key.pem. Undefined = plain.
 */
export function resolveTls(flags: { tls?: boolean; tlsverify?: boolean; tlscacert?: string; tlscert?: string; tlskey?: string }, env: Record<string, string | undefined>, home = env.HOME ?? '/root'): TlsSettings | undefined {
  const verify = !!flags.tlsverify || !!env.DOCKER_TLS_VERIFY;
  const on = verify || !!flags.tls || !!env.DOCKER_TLS || !!flags.tlscacert || !!flags.tlscert;
  if (!on) return undefined;
  const dir = env.DOCKER_CERT_PATH || `${home}/.docker`;
  return { ca: flags.tlscacert ?? `${dir}/ca.pem`, cert: flags.tlscert ?? `${dir}/cert.pem`, key: flags.tlskey ?? `${dir}/key.pem`, verify };
}

/** selectHost + parseHost. */
export function resolveHost(flag: string | undefined, env: Record<string, string | undefined>): DaemonAddress {
  return parseHost(selectHost(flag, env));
}
