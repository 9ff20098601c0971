/**
 * network/cni-exec — the adapter that runs CNI plugins (bridge, host-local,
 * portmap, loopback from /usr/lib/cni): the one place berth spawns them.
 * A plugin gets CNI_COMMAND / CNI_CONTAINERID / CNI_NETNS / CNI_IFNAME /
 * CNI_ARGS / CNI_PATH in its environment and its network config as JSON on
 * stdin, and answers a result (ADD) or nothing (DEL) on stdout, or a CNI
 * error object and a non-zero exit.
 *
 * May import: errdefs, lib.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errdefs/errors.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

export interface CniRuntime {
  containerId: string;
  /** Path of the network namespace ("" for a DEL whose namespace is gone). */
  netns: string;
  ifname: string;
  /** CNI_ARGS, e.g. "IgnoreUnknown=1;IP=10.1.0.5". */
  args?: string;
}

export interface CniExecutor {
  /** Run plugin `type` with `command`; resolves to the parsed stdout (undefined when empty). */
  exec(type: string, command: CniCommand, rt: CniRuntime, config: object, signal?: AbortSignal): Promise<unknown>;
}

export class PluginCniExecutor implements CniExecutor {
  constructor(private readonly o: { pluginDirs: string[]; timeoutMs?: number }) {}

  private find(type: string): string {
    if (!/^[\w.-]+$/.test(type)) throw new BerthError('CNI_FAILED', `invalid CNI plugin type: ${type}`);
    for (const d of this.o.pluginDirs) if (existsSync(join(d, type))) return join(d, type);
    throw new BerthError('CNI_FAILED', `failed to find CNI plugin "${type}" in path [${this.o.pluginDirs.join(' ')}]`);
  }

  exec(type: string, command: CniCommand, rt: CniRuntime, config: object): Promise<unknown> {
    const path = this.find(type);
    return new Promise((resolve, reject) => {
      const child = spawn(path, [], {
        env: {
          PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
          CNI_COMMAND: command,
          CNI_CONTAINERID: rt.containerId,
          CNI_NETNS: rt.netns,
          CNI_IFNAME: rt.ifname,
          CNI_ARGS: rt.args ?? '',
          CNI_PATH: this.o.pluginDirs.join(':'),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.timeoutMs ?? 60000);
      child.on('error', (e) => { clearTimeout(timer); reject(new BerthError('CNI_FAILED', `CNI plugin ${type} ${command}: ${e.message}`, { cause: e })); });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        if (code === 0) {
          try { resolve(out.trim() ? JSON.parse(out) : undefined); } catch (e) { reject(new BerthError('CNI_FAILED', `CNI plugin ${type} ${command}: unparsable result`, { cause: e })); }
          return;
        }
        let msg = (err || out).trim();
        try {
          const e = JSON.parse(out) as { msg?: string; details?: string };
          msg = [e.msg, e.details].filter(Boolean).join(': ');
        } catch { /* not a CNI error object */ }
        reject(new BerthError('CNI_FAILED', `CNI plugin ${type} ${command} failed${sig ? ` (${sig})` : ''}: ${msg}`));
      });
      child.stdin.on('error', () => {});
      child.stdin.end(JSON.stringify(config));
    });
  }
}
