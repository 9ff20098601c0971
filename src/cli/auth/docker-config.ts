/**
 * cli/auth/docker-config — registry credentials in the docker CLI's
 * `config.json` (`$DOCKER_CONFIG/config.json`, default `~/.docker`):
 * `auths[<server>].auth` = base64("user:password"); Docker Hub's key is
 * `https://index.docker.io/v1/`. Other keys in the file are kept as they are.
 * Also builds the X-Registry-Auth header for a reference. Imports lib.
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { atomicWriteSync } from '../../lib/atomic-write.js';

export const HUB_KEY = 'https://index.docker.io/v1/';

export interface StoredAuth { username: string; password: string; serveraddress: string }

export function configDir(env: Record<string, string | undefined>): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

function readConfig(env: Record<string, string | undefined>): Record<string, unknown> & { auths?: Record<string, { auth?: string; identitytoken?: string }> } {
  try { return JSON.parse(readFileSync(join(configDir(env), 'config.json'), 'utf8')) as ReturnType<typeof readConfig>; } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`reading ${join(configDir(env), 'config.json')}: ${(err as Error).message}`);
  }
}

function writeConfig(env: Record<string, string | undefined>, cfg: object): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  atomicWriteSync(join(dir, 'config.json'), JSON.stringify(cfg, null, '\t') + '\n', 0o600);
}

/** The registry domain of an image name, as the docker CLI computes it (no normalisation beyond that). */
export function registryOf(name: string): string {
  const first = name.split('/')[0];
  if (name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return first === 'index.docker.io' ? 'docker.io' : first;
  }
  return 'docker.io';
}

/** The config.json key for a server address or registry domain. */
export function authKey(server: string | undefined): string {
  const s = (server ?? '').trim().replace(/\/+$/, '');
  if (!s || s === 'docker.io' || /^(https?:\/\/)?(index\.|registry-1\.)?docker\.io(\/v1)?$/.test(s)) return HUB_KEY;
  return s.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export function getAuth(env: Record<string, string | undefined>, server: string): StoredAuth | undefined {
  const key = authKey(server);
  const auths = readConfig(env).auths ?? {};
  const entry = auths[key] ?? auths[`https://${key}`] ?? auths[`http://${key}`];
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString();
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: key };
}

export function storeAuth(env: Record<string, string | undefined>, server: string, username: string, password: string): string {
  const key = authKey(server);
  const cfg = readConfig(env);
  cfg.auths = { ...(cfg.auths ?? {}), [key]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  writeConfig(env, cfg);
  return join(configDir(env), 'config.json');
}

/** Remove stored credentials; false when there were none. */
export function removeAuth(env: Record<string, string | undefined>, server: string): boolean {
  const key = authKey(server);
  const cfg = readConfig(env);
  if (!cfg.auths || !(key in cfg.auths)) return false;
  delete cfg.auths[key];
  writeConfig(env, cfg);
  return true;
}

/** X-Registry-Auth for an image name: base64url JSON of the stored credentials, if any. */
export function registryAuthHeader(env: Record<string, string | undefined>, imageName: string): string | undefined {
  const a = getAuth(env, registryOf(imageName));
  return a ? Buffer.from(JSON.stringify(a)).toString('base64url') : undefined;
}
