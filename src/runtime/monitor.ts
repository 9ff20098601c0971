/**
 * runtime/monitor — launch conmon for a container and learn its PID. conmon
 * is the only program spawned here. After `launch` returns, the container
 * exists in the runtime in the "created" state and conmon (reparented to
 * init) owns its stdio, log and exit code; berthd can die without harm.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { invalidArgument, systemError } from '../errdefs/errors.js';
import { conmonArgs, type ConmonOptions } from './conmon-args.js';

export interface LaunchResult {
  pid: number;
}

/** Map an OCI runtime create failure to the kind Docker reports (bad command → 400). */
export function classifyCreateError(raw: string): Error {
  // runc logs `time="..." level=error msg="runc create failed: ..."`; keep the message only.
  const m = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(raw);
  const message = m ? m[1].replace(/\\(.)/g, '$1') : raw;
  if (/executable file not found|no such file or directory|permission denied|not a directory|is a directory/i.test(message)) {
    return invalidArgument(`failed to create task for container: ${message}`);
  }
  return systemError(`failed to create task for container: ${message}`, undefined, 'RUNTIME_FAILED');
}

export async function launchMonitor(conmonPath: string, opts: ConmonOptions, timeoutMs = 60000): Promise<LaunchResult> {
  const child = spawn(conmonPath, conmonArgs(opts), {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
    detached: true,
  });
  const sync = child.stdio[3] as Readable;
  const start = child.stdio[4] as Writable;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8192); });
  // a failed spawn (ENOENT, EAGAIN under load) must fail this start, not reach process as an unhandled 'error'
  let spawnError: Error | undefined;
  let onSpawnError: ((e: Error) => void) | undefined;
  child.on('error', (e) => { spawnError = e; onSpawnError?.(e); });
  child.stderr?.on('error', () => {});
  sync.on('error', () => {});
  start.on('error', () => {});
  start.end('0');
  try {
    const msg = await new Promise<{ data: number; message?: string }>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(systemError(`conmon did not report within ${timeoutMs} ms`)), timeoutMs);
      onSpawnError = (e) => { clearTimeout(timer); reject(systemError(`cannot start conmon: ${e.message}`, e)); };
      if (spawnError) onSpawnError(spawnError);
      sync.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        const text = nl >= 0 ? buf.slice(0, nl) : buf;
        try {
          const parsed = JSON.parse(text) as { data: number; message?: string };
          clearTimeout(timer);
          resolve(parsed);
        } catch { /* wait for more */ }
      });
      sync.on('end', () => {
        clearTimeout(timer);
        reject(systemError(`conmon exited without reporting: ${stderr.replace(/\[conmon:d\]: failed to write to \/proc\/self\/oom_score_adj: Permission denied\n?/, '').trim() || 'no output'}`));
      });
      sync.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    if (msg.data < 0) throw classifyCreateError((msg.message ?? 'unknown error').trim());
    return { pid: msg.data };
  } finally {
    sync.destroy();
    child.stderr?.destroy();
    child.unref();
  }
}

