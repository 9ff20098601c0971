/**
 * lib/tar-writer — writing a tar stream (tar-stream's pack) safely: every
 * entry's sink and body has its errors handled, an entry resolves when it
 * is written and rejects when the archive is destroyed (its reader went
 * away), so producers stop instead of waiting forever or emitting an
 * unhandled 'error'. tar-stream's streams are streamx streams: an 'error'
 * on any of them without a listener would end the process.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { guard } from './stream-guard.js';

export type TarHeader = Partial<tar.Header> & { name: string };

export interface TarWriter {
  /** The archive's bytes. Destroying it (or `destroy()`) fails the entry being written. */
  readonly stream: Readable;
  /** Add one entry: no body (directories, links, empty files), bytes, or a stream of exactly `header.size` bytes. */
  entry(header: TarHeader, body?: Buffer | string | Readable): Promise<void>;
  /** No more entries: the end-of-archive blocks follow the last entry. */
  finalize(): void;
  destroy(err?: Error): void;
}

export function tarWriter(): TarWriter {
  const pack = guard(tar.pack());
  const stream = pack as unknown as Readable;
  return {
    stream,
    entry(header, body) {
      return new Promise<void>((resolve, reject) => {
        if (pack.destroyed) { reject(new Error('archive stream destroyed')); return; }
        let sink: ReturnType<tar.Pack['entry']>;
        try {
          sink = body === undefined || typeof body === 'string' || Buffer.isBuffer(body)
            ? pack.entry(header as tar.Header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()))
            : pack.entry(header as tar.Header, (err) => (err ? reject(err) : resolve()));
        } catch (err) {
          reject(err);
          return;
        }
        guard(sink);
        if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
          guard(body);
          pipeline(body, sink as unknown as NodeJS.WritableStream).catch((err: Error) => { body.destroy(); sink.destroy(err); reject(err); });
        }
      });
    },
    finalize: () => pack.finalize(),
    destroy: (err) => pack.destroy(err),
  };
}
