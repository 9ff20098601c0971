/**
 * cli/streams/output-stream — copy a container's output (attach, logs) to
 * the CLI's stdout/stderr: demultiplexed when the container has no TTY, raw
 * otherwise. A systemerr frame (stream 3) fails the copy with its message.
 * Imports api/stdcopy, errdefs.
 */
import type { Readable, Writable } from 'node:stream';
import { StdDemuxer, type StdFrame } from '../../api/stdcopy.js';
import { systemError } from '../../errdefs/errors.js';

export async function copyOutput(src: Readable, opts: { tty: boolean; stdout: Writable; stderr: Writable }): Promise<void> {
  const write = (w: Writable, data: Buffer) => (w.write(data) ? undefined : new Promise<void>((r) => w.once('drain', () => r())));
  try {
    if (opts.tty) {
      for await (const chunk of src) await write(opts.stdout, chunk as Buffer);
      return;
    }
    for await (const f of src.pipe(new StdDemuxer())) {
      const frame = f as StdFrame;
      if (frame.stream === 3) throw systemError(frame.data.toString().trim());
      await write(frame.stream === 2 ? opts.stderr : opts.stdout, frame.data);
    }
  } catch (err) {
    // The daemon closing a hijacked socket abruptly after the last frame is a normal end.
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET') return;
    throw err;
  }
}
