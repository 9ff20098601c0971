/**
 * client/json-lines — iterate a JSON-lines progress stream (load, import,
 * pull) as JSONMessage objects. A line carrying `error` is yielded like any
 * other; the consumer decides whether it is fatal. Imports api types.
 */
import type { Readable } from 'node:stream';
import type { JSONMessage } from '../api/types.js';

export async function* readJsonMessages(stream: Readable): AsyncGenerator<JSONMessage> {
  let pending = '';
  const parse = (line: string): JSONMessage | undefined => {
    const t = line.trim();
    if (!t) return undefined;
    try {
      return JSON.parse(t) as JSONMessage;
    } catch {
      // A daemon that streams plain text: pass it on as a stream line.
      return { stream: line + '\n' };
    }
  };
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const msg = parse(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      if (msg) yield msg;
    }
  }
  const last = parse(pending);
  if (last) yield last;
}
