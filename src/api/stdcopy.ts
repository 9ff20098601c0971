/**
 * api/stdcopy — Docker's multiplexed stdout/stderr stream ("stdcopy").
 *
 * A frame is an 8-byte header `[stream, 0, 0, 0, size(uint32 BE)]` followed by
 * `size` payload bytes. Stream 0 = stdin, 1 = stdout, 2 = stderr, 3 = systemerr
 * (the daemon reports an error mid-stream; the payload is the message). Used
 * for attach, logs and exec when the container has no TTY.
 *
 * Pure: encodes buffers and transforms streams, no sockets or files. Imports node:stream only.
 */
import { Transform, type TransformCallback } from 'node:stream';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;
export type StreamId = 0 | 1 | 2 | 3;

export const FRAME_HEADER_SIZE = 8;

/** One demultiplexed frame. */
export interface StdFrame {
  stream: StreamId;
  data: Buffer;
}

/** Encode one frame: header + payload. An empty payload gives a bare 8-byte header. */
export function encodeFrame(stream: StreamId, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const header = Buffer.alloc(FRAME_HEADER_SIZE);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/**
 * Split as many whole frames as `buf` holds. Returns the frames and the
 * unconsumed tail (a partial header or payload) to prepend to the next chunk.
 * Throws on an unknown stream byte: the input is not a multiplexed stream.
 */
export function decodeFrames(buf: Buffer): { frames: StdFrame[]; rest: Buffer } {
  const frames: StdFrame[] = [];
  let off = 0;
  while (buf.length - off >= FRAME_HEADER_SIZE) {
    const stream = buf[off];
    if (stream > SYSTEMERR) throw new Error(`stdcopy: unrecognized stream: ${stream}`);
    const size = buf.readUInt32BE(off + 4);
    if (buf.length - off - FRAME_HEADER_SIZE < size) break;
    const start = off + FRAME_HEADER_SIZE;
    frames.push({ stream: stream as StreamId, data: buf.subarray(start, start + size) });
    off = start + size;
  }
  return { frames, rest: buf.subarray(off) };
}

/**
 * Object-mode Transform: bytes in, StdFrame objects out. Frames may straddle
 * chunk boundaries; zero-length frames are dropped. A truncated final frame
 * is an error at end of stream.
 */
export class StdDemuxer extends Transform {
  #pending: Buffer = Buffer.alloc(0);

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      const buf = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
      const { frames, rest } = decodeFrames(buf);
      for (const f of frames) if (f.data.length > 0) this.push(f);
      // Copy the tail so the big chunk it came from can be collected.
      this.#pending = Buffer.from(rest);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.#pending.length) cb(new Error(`stdcopy: stream ended inside a frame (${this.#pending.length} bytes left)`));
    else cb();
  }
}

/** Byte-mode Transform: payloads in, frames for one fixed stream out (the daemon side of attach/logs). */
export class StdMuxer extends Transform {
  readonly #stream: StreamId;
  constructor(stream: StreamId) {
    super();
    this.#stream = stream;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (chunk.length) this.push(encodeFrame(this.#stream, chunk));
    cb();
  }
}
