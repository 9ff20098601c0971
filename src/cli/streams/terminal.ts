/**
 * cli/streams/terminal — the local side of an interactive session: put the
 * CLI's own terminal in raw mode (keys go to the container's pty as typed,
 * detach keys included), tell the daemon our window size at once and on
 * every SIGWINCH, and forward stdin (its end is EOF for the process).
 * `restore()` puts the terminal back. Imports node only.
 */
import type { Readable, Writable } from 'node:stream';

type TtyIn = Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
type TtyOut = Writable & { isTTY?: boolean; rows?: number; columns?: number };

export interface TerminalSession { restore(): void }

export function startTerminal(o: {
  stdin: TtyIn; stdout: TtyOut; tty: boolean; forwardStdin: boolean; input?: Writable;
  resize?: (height: number, width: number) => Promise<void>;
}): TerminalSession {
  const raw = o.tty && o.forwardStdin && !!o.stdin.isTTY && typeof o.stdin.setRawMode === 'function';
  if (raw) o.stdin.setRawMode!(true);
  const sendSize = () => {
    if (!o.tty || !o.resize || !o.stdout.isTTY || !o.stdout.rows || !o.stdout.columns) return;
    o.resize(o.stdout.rows, o.stdout.columns).catch(() => undefined);
  };
  sendSize();
  const onWinch = () => sendSize();
  if (o.tty) process.on('SIGWINCH', onWinch);
  if (o.forwardStdin && o.input) {
    const input = o.input;
    input.on('error', () => undefined);
    o.stdin.pipe(input, { end: false });
    o.stdin.once('end', () => input.end());
  }
  return {
    restore() {
      process.off('SIGWINCH', onWinch);
      if (o.forwardStdin && o.input) o.stdin.unpipe(o.input);
      if (raw) o.stdin.setRawMode!(false);
      o.stdin.pause();
    },
  };
}
