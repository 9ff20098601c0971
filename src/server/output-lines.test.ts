import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesce, wireChunk } from './output-lines.js';
import type { LogLine } from './backend.js';

const line = (text: string, stream: 'stdout' | 'stderr' = 'stdout', partial = false): LogLine => ({ stream, data: Buffer.from(text), partial, timestamp: 't' });

async function collect(it: AsyncIterable<LogLine>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(`${l.stream}:${l.data.toString()}${l.partial ? '' : '\n'}`);
  return out;
}

test('coalesce: lines at hand join into one chunk per stream, as the process wrote them (dockerode expects one frame for cat of "echo\\nall\\nof\\nme\\n")', async () => {
  async function* src() { yield line('echo'); yield line('all'); yield line('of'); yield line('me'); }
  assert.deepEqual(await collect(coalesce(src())), ['stdout:echo\nall\nof\nme\n']);
  const frame = wireChunk((await coalesce(src()).next()).value as LogLine, { tty: false, timestamps: false });
  assert.equal(frame.readUInt32BE(4), 15);
});

test('coalesce: a change of stream, a partial line, and output that comes later end a chunk', async () => {
  async function* src() {
    yield line('a'); yield line('b', 'stderr'); yield line('c', 'stderr'); yield line('par', 'stdout', true); yield line('tial');
    await new Promise((r) => setTimeout(r, 20));
    yield line('later');
  }
  assert.deepEqual(await collect(coalesce(src())), ['stdout:a\n', 'stderr:b\nc\n', 'stdout:partial\n', 'stdout:later\n']);
});

test('coalesce: chunks stay within 64 KiB and keep every byte', async () => {
  const big = 'x'.repeat(30_000);
  async function* src() { for (let i = 0; i < 10; i++) yield line(big); }
  const got: LogLine[] = [];
  for await (const l of coalesce(src())) got.push(l);
  assert.ok(got.every((l) => l.data.length <= 64 * 1024));
  assert.equal(Buffer.concat(got.map((l) => l.data)).length, 10 * 30_001);
});
