/**
 * test/integration/hijack-client — a raw Engine API client for hijacked
 * requests (attach, exec start with `Upgrade: tcp`) written by hand, so a
 * test controls every byte and every close: send stdin, half-close, cut
 * the connection, read the multiplexed or raw output.
 */
import { connect, type Socket } from 'node:net';
import { decodeFrames } from '../../src/api/stdcopy.js';

export interface Hijacked {
  socket: Socket;
  /** The response status line and headers. */
  head: string;
  /** Output bytes received so far (after the head). */
  received(): Buffer;
  /** Resolves with all output once the daemon closes (or ends) its side. */
  closed: Promise<Buffer>;
}

/** POST `path` on the unix socket `sock` with Upgrade: tcp; resolves after the 101 (or rejects with the status line). */
export function hijack(sock: string, path: string, body = ''): Promise<Hijacked> {
  return new Promise((resolve, reject) => {
    const s = connect(sock);
    s.on('error', reject);
    let buf = Buffer.alloc(0);
    let head: string | undefined;
    const chunks: Buffer[] = [];
    let closedResolve!: (b: Buffer) => void;
    const closed = new Promise<Buffer>((r) => { closedResolve = r; });
    s.on('data', (d: Buffer) => {
      if (head !== undefined) { chunks.push(d); return; }
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = buf.subarray(0, end).toString();
      const rest = buf.subarray(end + 4);
      if (rest.length) chunks.push(rest);
      if (!/^HTTP\/1\.1 101/.test(head)) { s.destroy(); reject(new Error(`no upgrade: ${head.split('\r\n')[0]} ${rest.toString()}`)); return; }
      resolve({ socket: s, head, received: () => Buffer.concat(chunks), closed });
    });
    const done = () => closedResolve(Buffer.concat(chunks));
    s.on('end', done);
    s.on('close', done);
    s.write(`POST ${path} HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

/** Demultiplex a whole non-TTY stream: stdout and stderr bytes. */
export function demux(b: Buffer): { stdout: Buffer; stderr: Buffer } {
  const { frames, rest } = decodeFrames(b);
  if (rest.length) throw new Error(`truncated frame: ${rest.length} bytes left`);
  return {
    stdout: Buffer.concat(frames.filter((f) => f.stream === 1).map((f) => f.data)),
    stderr: Buffer.concat(frames.filter((f) => f.stream === 2).map((f) => f.data)),
  };
}
