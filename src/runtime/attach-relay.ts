/**
 * runtime/attach-relay — the adapter to conmon's per-process control
 * endpoints in its bundle directory (the container bundle, or an exec
 * session's directory):
 *
 *  - `attach`: a SOCK_SEQPACKET unix socket. Bytes written to it go to the
 *    process's stdin (conmon -i); shutting down our write side is EOF, and
 *    conmon then closes the process's stdin unless --leave-stdin-open.
 *    conmon also writes output packets (first byte = pipe id) to every
 *    connected client and blocks if a client stops reading.
 *  - `ctl`: a FIFO taking lines `<type> <height> <width>`; type 1 resizes the
 *    pty (conmon -t), type 2 reopens the log file (after log rotation).
 *
 * Node's net module has no SOCK_SEQPACKET, so the socket is reached through
 * `socat` (Debian's socat), the only program spawned here: its stdin is our
 * stdin stream, and it keeps reading conmon's output packets (discarded —
 * berth reads output from the log file, which also survives berthd) so conmon
 * never blocks on us. socat runs in the bundle directory and connects to the
 * relative name `attach`, which keeps long bundle paths under the 108-byte
 * sun_path limit.
 */
import { spawn } from 'node:child_process';
import { open, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { systemError, invalidArgument } from '../errdefs/errors.js';

export interface StdinRelay {
  /** Write stdin bytes here; end() sends EOF to the process (as a half-close). */
  input: Writable;
  /** Resolves when the relay is gone (EOF delivered, or the socket closed). */
  done: Promise<void>;
  /** Drop the connection without EOF semantics beyond what conmon applies on disconnect. */
  close(): void;
}

export const SOCAT_PATH = process.env.BERTH_SOCAT ?? 'socat';

/** The largest stdin packet conmon 2.1 reads whole (its buffer is 32768 bytes; seqpacket reads truncate). */
export const STDIN_PACKET = 32767;

/** Connect to `<dir>/attach`. Resolves once socat is running (connection errors end `done`). */
export function openStdinRelay(dir: string): StdinRelay {
  // -t: after our EOF, how long socat keeps reading conmon before closing.
  const child = spawn(SOCAT_PATH, ['-b', String(STDIN_PACKET), '-t', '0.2', 'STDIO', 'UNIX-CONNECT:attach,type=5'], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4096); });
  child.stdin!.on('error', () => {});
  const done = new Promise<void>((resolve) => {
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
  return {
    input: child.stdin!,
    done,
    close: () => { if (child.exitCode === null) child.kill('SIGTERM'); },
  };
}

/** Resize the pty conmon holds for the process whose bundle directory is `dir`. */
export async function resizeTerminal(dir: string, height: number, width: number): Promise<void> {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0 || height > 65535 || width > 65535) {
    throw invalidArgument(`invalid terminal size ${height}x${width}`);
  }
  await writeControl(dir, `1 ${height} ${width}\n`, 'resize the terminal');
}

/** Ask the conmon whose bundle directory is `dir` to reopen its log file (after log rotation renamed it away). */
export async function reopenLog(dir: string): Promise<void> {
  await writeControl(dir, '2 0 0\n', 'ask conmon to reopen the log');
}

/** One line to conmon's `ctl` FIFO in `dir`. */
async function writeControl(dir: string, line: string, what: string): Promise<void> {
  let fh;
  try {
    // Non-blocking: conmon holds the read end; ENXIO means it is gone.
    fh = await open(join(dir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
    await fh.write(line);
  } catch (err) {
    throw systemError(`cannot ${what}: ${(err as Error).message}`, err);
  } finally {
    await fh?.close();
  }
}
