/**
 * runtime/oci-runtime — the role of an OCI runtime CLI (runc, crun): they
 * share one command-line contract, so one adapter class drives either,
 * chosen by path. This is the only file that spawns the runtime (conmon
 * spawns it for `create`, see monitor.ts).
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { systemError, notFound } from '../errdefs/errors.js';

export interface RuntimeState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'stopped' | 'paused';
  bundle: string;
}

export interface OciRuntime {
  readonly name: string;
  readonly path: string;
  /** Global flags every invocation gets (monitor passes them on too). */
  readonly globalArgs: string[];
  start(id: string): Promise<void>;
  kill(id: string, signal: string, all?: boolean): Promise<void>;
  delete(id: string, force?: boolean): Promise<void>;
  /** Whether the runtime holds state for `id` (its directory under --root), without running it. */
  exists(id: string): Promise<boolean>;
  state(id: string): Promise<RuntimeState | undefined>;
  list(): Promise<RuntimeState[]>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** PIDs (host namespace) of every process in the container. */
  ps(id: string): Promise<number[]>;
  /** `update --resources <json>` (OCI LinuxResources). */
  update(id: string, resources: unknown): Promise<void>;
}

function run(path: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const msg = (stderr || err.message).trim().replace(/^time="[^"]*" level=\w+ msg="(.*)"$/m, '$1');
        reject(Object.assign(new Error(msg), { stderr }));
      } else resolve(stdout);
    });
  });
}

export class CliOciRuntime implements OciRuntime {
  readonly globalArgs: string[];

  constructor(readonly name: string, readonly path: string, private readonly root: string, opts: { systemdCgroup?: boolean } = {}) {
    this.globalArgs = ['--root', root, ...(opts.systemdCgroup ? ['--systemd-cgroup'] : [])];
  }

  private async call(args: string[]): Promise<string> {
    try {
      return await run(this.path, [...this.globalArgs, ...args]);
    } catch (err) {
      const msg = (err as Error).message;
      if (/does not exist|not found|no such file/i.test(msg) && args[0] !== 'start') throw notFound(`${this.name} ${args[0]}: ${msg}`, 'NOT_FOUND', err);
      throw systemError(`${this.name} ${args[0]} failed: ${msg}`, err, 'RUNTIME_FAILED');
    }
  }

  async start(id: string): Promise<void> { await this.call(['start', id]); }

  async kill(id: string, signal: string, all = false): Promise<void> {
    await this.call(['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  async delete(id: string, force = false): Promise<void> {
    try {
      await this.call(['delete', ...(force ? ['--force'] : []), id]);
    } catch (err) {
      if ((err as { kind?: string }).kind === 'not-found') return;
      throw err;
    }
  }

  async exists(id: string): Promise<boolean> {
    // runc and crun both keep one directory per container under --root
    try { await access(join(this.root, id)); return true; } catch { return false; }
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    try {
      return JSON.parse(await this.call(['state', id])) as RuntimeState;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'not-found') return undefined;
      throw err;
    }
  }

  async list(): Promise<RuntimeState[]> {
    const out = await this.call(['list', '--format', 'json']);
    const parsed = JSON.parse(out || 'null') as RuntimeState[] | null;
    return parsed ?? [];
  }

  async pause(id: string): Promise<void> { await this.call(['pause', id]); }
  async resume(id: string): Promise<void> { await this.call(['resume', id]); }
  async ps(id: string): Promise<number[]> { return (JSON.parse((await this.call(['ps', '--format', 'json', id])) || '[]') as number[] | null) ?? []; }
  async update(id: string, resources: unknown): Promise<void> {
    // `-r -` reads the resources JSON from stdin; a file avoids piping here.
    const { writeFile, rm, mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/berth-update-`);
    try {
      await writeFile(`${dir}/r.json`, JSON.stringify(resources));
      await this.call(['update', '--resources', `${dir}/r.json`, id]);
    } finally { await rm(dir, { recursive: true, force: true }); }
  }
}
