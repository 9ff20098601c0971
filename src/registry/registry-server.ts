/**
 * registry/registry-server — run the registry app on a TCP address, plain
 * HTTP or TLS with a given certificate and key; and the offline garbage
 * collector. The composition root of `berth registry serve|gc`.
 * May import: content, lib (and this folder).
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { RegistryStorage } from './registry-storage.js';
import { RegistryAuthenticator, type AuthMode } from './registry-auth.js';
import { createRegistryApp } from './registry-app.js';

export interface ServeOptions {
  /** host:port; port 0 picks a free one */
  addr: string;
  root: string;
  auth?: AuthMode;
  htpasswd?: string;
  tlsCert?: string;
  tlsKey?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface RunningRegistry {
  url: string;
  host: string;
  close(): Promise<void>;
}

export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(addr)} (use host:port)`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

export async function serveRegistry(o: ServeOptions): Promise<RunningRegistry> {
  const storage = new RegistryStorage(o.root);
  await storage.init();
  const mode: AuthMode = o.auth ?? (o.htpasswd ? 'htpasswd' : 'none');
  const auth = new RegistryAuthenticator({ mode, htpasswdFile: o.htpasswd });
  const app = createRegistryApp({ storage, auth, log: o.log });
  if (!!o.tlsCert !== !!o.tlsKey) throw new Error('TLS needs both --tls-cert and --tls-key');
  const server = o.tlsCert
    ? https.createServer({ cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey!), keepAlive: true }, app)
    : http.createServer({ keepAlive: true }, app);
  server.requestTimeout = 0;
  const { host, port } = parseAddr(o.addr);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, () => resolve()); });
  const a = server.address() as AddressInfo;
  const h = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  return {
    url: `${o.tlsCert ? 'https' : 'http'}://${h}`,
    host: h,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

export async function collectGarbage(o: { root: string; dryRun?: boolean }): Promise<{ marked: number; removed: string[] }> {
  const storage = new RegistryStorage(o.root);
  await storage.init();
  return storage.gc({ dryRun: o.dryRun });
}
