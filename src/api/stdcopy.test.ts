import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { decodeFrames, encodeFrame, StdDemuxer, StdMuxer, type StdFrame, type StreamId } from './stdcopy.js';

test('encodeFrame writes the 8-byte header', () => {
  const cases: { stream: StreamId; data: string; header: number[] }[] = [
    { stream: 1, data: 'hi', header: [1, 0, 0, 0, 0, 0, 0, 2] },
    { stream: 2, data: '', header: [2, 0, 0, 0, 0, 0, 0, 0] },
    { stream: 1, data: 'x'.repeat(258), header: [1, 0, 0, 0, 0, 0, 1, 2] },
  ];
  for (const c of cases) {
    const f = encodeFrame(c.stream, c.data);
    assert.deepEqual([...f.subarray(0, 8)], c.header);
    assert.equal(f.subarray(8).toString(), c.data);
  }
});

test('decodeFrames splits whole frames and keeps the tail', () => {
  const a = encodeFrame(1, 'out');
  const b = encodeFrame(2, 'err');
  const cases: { name: string; input: Buffer; frames: [number, string][]; rest: number }[] = [
    { name: 'empty', input: Buffer.alloc(0), frames: [], rest: 0 },
    { name: 'two frames', input: Buffer.concat([a, b]), frames: [[1, 'out'], [2, 'err']], rest: 0 },
    { name: 'partial header', input: Buffer.concat([a, b.subarray(0, 5)]), frames: [[1, 'out']], rest: 5 },
    { name: 'partial payload', input: Buffer.concat([a, b.subarray(0, 9)]), frames: [[1, 'out']], rest: 9 },
  ];
  for (const c of cases) {
    const { frames, rest } = decodeFrames(c.input);
    assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), c.frames, c.name);
    assert.equal(rest.length, c.rest, c.name);
  }
});

test('decodeFrames rejects an unknown stream byte', () => {
  assert.throws(() => decodeFrames(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0])), /unrecognized stream/);
});

async function demux(chunks: Buffer[]): Promise<StdFrame[]> {
  const out: StdFrame[] = [];
  for await (const f of Readable.from(chunks).pipe(new StdDemuxer())) out.push(f as StdFrame);
  return out;
}

test('StdDemuxer reassembles frames split at every byte boundary', async () => {
  const whole = Buffer.concat([encodeFrame(1, 'hello '), encodeFrame(2, 'oops'), encodeFrame(1, ''), encodeFrame(1, 'world')]);
  for (let cut = 0; cut <= whole.length; cut++) {
    const frames = await demux([whole.subarray(0, cut), whole.subarray(cut)]);
    assert.deepEqual(frames.map((f) => `${f.stream}:${f.data}`), ['1:hello ', '2:oops', '1:world'], `cut at ${cut}`);
  }
  const bytewise = await demux([...whole].map((b) => Buffer.from([b])));
  assert.equal(bytewise.length, 3);
});

test('StdDemuxer errors on a truncated stream', async () => {
  await assert.rejects(demux([encodeFrame(1, 'abc').subarray(0, 10)]), /ended inside a frame/);
});

test('StdMuxer frames each chunk for its stream', async () => {
  const chunks: Buffer[] = [];
  for await (const c of Readable.from([Buffer.from('a'), Buffer.from('bc')]).pipe(new StdMuxer(2))) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), Buffer.concat([encodeFrame(2, 'a'), encodeFrame(2, 'bc')]));
});
