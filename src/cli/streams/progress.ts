/**
 * cli/streams/progress — print a JSON-lines progress stream (load, import)
 * the way docker's jsonmessage does without a terminal: `stream` text as is,
 * `status` lines (with their id), and the first `error` ends it as a failure.
 * Imports api types, errdefs.
 */
import type { Writable } from 'node:stream';
import type { JSONMessage } from '../../api/types.js';
import { systemError } from '../../errdefs/errors.js';

export async function printProgress(messages: AsyncIterable<JSONMessage>, out: Writable): Promise<void> {
  for await (const m of messages) {
    if (m.error || m.errorDetail) throw systemError(m.errorDetail?.message ?? m.error ?? 'unknown error');
    if (m.stream) out.write(m.stream);
    else if (m.status) out.write(`${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`);
  }
}
