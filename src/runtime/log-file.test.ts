import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile, readdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTimestamp, parseLogLine, readLog, rotateLogFiles, rotatedLogs, type LogRecord } from './log-file.js';

test('parseLogLine: k8s-file lines', () => {
  const T = '2024-01-02T03:04:05.123456789Z';
  const cases: { line: string; want: (Partial<Omit<LogRecord, 'data'>> & { text?: string }) | undefined }[] = [
    { line: `${T} stdout F hello world`, want: { time: T, stream: 'stdout', partial: false, text: 'hello world' } },
    { line: `${T} stderr F oops`, want: { stream: 'stderr', partial: false, text: 'oops' } },
    { line: `${T} stdout P part`, want: { stream: 'stdout', partial: true, text: 'part' } },
    { line: `${T} stdout F   leading spaces  `, want: { text: '  leading spaces  ' } },
    { line: `${T} stdout F `, want: { text: '', partial: false } },
    { line: `${T} stdout F`, want: { text: '', partial: false } },
    { line: `${T} stdout P:1 x`, want: { partial: true, text: 'x' } },
    { line: '2024-01-02T03:04:05.5+02:00 stdout F tz', want: { timeMs: Date.UTC(2024, 0, 2, 1, 4, 5, 500), text: 'tz' } },
    { line: 'garbage', want: undefined },
    { line: `${T} stdin F x`, want: undefined },
    { line: 'not-a-time stdout F x', want: undefined },
    { line: `${T}`, want: undefined },
    { line: '', want: undefined },
  ];
  for (const c of cases) {
    const got = parseLogLine(c.line);
    if (c.want === undefined) { assert.equal(got, undefined, c.line); continue; }
    assert.ok(got, c.line);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(k === 'text' ? got.data.toString() : got[k as keyof LogRecord], v, `${c.line}: ${k}`);
  }
  assert.equal(parseLogLine(`${T} stdout F x`)?.timeMs, Date.UTC(2024, 0, 2, 3, 4, 5, 123));
});

test('dockerTimestamp: UTC RFC 3339 with 9 fraction digits', () => {
  const cases: [string, string][] = [
    ['2024-01-02T03:04:05.123456789Z', '2024-01-02T03:04:05.123456789Z'],
    ['2024-01-02T03:04:05.123456789+00:00', '2024-01-02T03:04:05.123456789Z'],
    ['2024-01-02T03:04:05.123456789+02:00', '2024-01-02T01:04:05.123456789Z'],
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000000000Z'],
    ['2024-01-02T03:04:05.5Z', '2024-01-02T03:04:05.500000000Z'],
  ];
  for (const [time, want] of cases) {
    const rec = parseLogLine(`${time} stdout F x`)!;
    assert.equal(dockerTimestamp(rec), want, time);
  }
});

async function collect(it: AsyncIterable<LogRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of it) out.push(r.data.toString());
  return out;
}

const line = (sec: number, text: string, stream = 'stdout', tag = 'F') => `2024-01-02T03:04:${String(sec).padStart(2, '0')}.000000000Z ${stream} ${tag} ${text}\n`;

test('readLog: tail, since, until on a file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  await writeFile(path, line(1, 'one') + line(2, 'two', 'stderr') + 'junk line\n' + line(3, 'thr', 'stdout', 'P') + line(4, 'four') + line(5, 'five') + '2024-01-02T03:04:06.0Z stdout F unterminated');
  const at = (s: number) => Date.UTC(2024, 0, 2, 3, 4, s);
  const cases: { name: string; o: Parameters<typeof readLog>[1]; want: string[] }[] = [
    { name: 'all (incomplete last line held back)', o: {}, want: ['one', 'two', 'thr', 'four', 'five'] },
    { name: 'tail 2', o: { tail: 2 }, want: ['four', 'five'] },
    { name: 'tail 0', o: { tail: 0 }, want: [] },
    { name: 'tail larger than file', o: { tail: 100 }, want: ['one', 'two', 'thr', 'four', 'five'] },
    { name: 'since', o: { sinceMs: at(4) }, want: ['four', 'five'] },
    { name: 'until', o: { untilMs: at(2) }, want: ['one', 'two'] },
    { name: 'since + until', o: { sinceMs: at(2), untilMs: at(4) }, want: ['two', 'thr', 'four'] },
    { name: 'since + tail counts after filtering', o: { sinceMs: at(2), tail: 1 }, want: ['five'] },
    { name: 'from end', o: { fromEnd: true }, want: [] },
  ];
  for (const c of cases) assert.deepEqual(await collect(readLog(path, c.o)), c.want, c.name);
  assert.deepEqual(await collect(readLog(join(dir, 'missing.log'))), []);
});

test('readLog follow: yields appended lines and ends when stopped resolves', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  await writeFile(path, line(1, 'before'));
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const got: string[] = [];
  const done = (async () => { for await (const r of readLog(path, { follow: true, stopped })) got.push(r.data.toString()); })();
  await new Promise((r) => setTimeout(r, 100));
  await appendFile(path, line(2, 'during'));
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(got, ['before', 'during']);
  await appendFile(path, line(3, 'last'));
  stop();
  const timeout = new Promise((_r, rej) => setTimeout(() => rej(new Error('follow did not end after stopped resolved')), 3000).unref());
  await Promise.race([done, timeout]);
  assert.deepEqual(got, ['before', 'during', 'last']);
});

test('readLog follow: ends when the signal aborts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  await writeFile(path, line(1, 'x'));
  const ac = new AbortController();
  const done = collect(readLog(path, { follow: true, signal: ac.signal }));
  setTimeout(() => ac.abort(), 100);
  const timeout = new Promise((_r, rej) => setTimeout(() => rej(new Error('follow did not end on abort')), 3000).unref());
  assert.deepEqual(await Promise.race([done, timeout]), ['x']);
});

const logLine = (n: number) => `2024-01-02T03:04:${String(n).padStart(2, '0')}.000000000Z stdout F line ${n}\n`;

test('rotateLogFiles keeps maxFile files in all, the current one included; readLog reads them oldest first', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logrot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'container.log');
  for (let n = 1; n <= 5; n++) {
    await writeFile(log, logLine(n));
    if (n < 5) await rotateLogFiles(log, 3);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['container.log', 'container.log.1', 'container.log.2']);
  assert.deepEqual((await rotatedLogs(log)).map((p) => p.slice(dir.length + 1)), ['container.log.2', 'container.log.1']);
  const texts: string[] = [];
  for await (const r of readLog(log)) texts.push(r.data.toString());
  assert.deepEqual(texts, ['line 3', 'line 4', 'line 5']);
  const tail: string[] = [];
  for await (const r of readLog(log, { tail: 2 })) tail.push(r.data.toString());
  assert.deepEqual(tail, ['line 4', 'line 5']);
  // one file: the current one is dropped (the writer starts over)
  await rotateLogFiles(log, 1);
  assert.deepEqual((await readdir(dir)).sort(), []);
});

test('readLog follow goes on across a rotation: drains the renamed file, then reads the new one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logrot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'container.log');
  await writeFile(log, logLine(1));
  let stop!: () => void;
  const stopped = new Promise<void>((r) => { stop = r; });
  const got: string[] = [];
  const reader = (async () => { for await (const r of readLog(log, { follow: true, stopped })) got.push(r.data.toString()); })();
  await new Promise((r) => setTimeout(r, 100));
  await appendFile(log, logLine(2));
  // the writer renames the file away, keeps writing a moment into the old one, then reopens a new one
  await rename(log, `${log}.1`);
  await appendFile(`${log}.1`, logLine(3));
  await writeFile(log, logLine(4));
  await new Promise((r) => setTimeout(r, 400));
  await appendFile(log, logLine(5));
  await new Promise((r) => setTimeout(r, 400));
  stop();
  await reader;
  assert.deepEqual(got, ['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
});

test('readLog: output bytes come back exactly, binary included (no text decoding)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  // what conmon does: each chunk of output split at newlines; P for a piece without one
  const payload = Buffer.from(Array.from({ length: 3 * 256 * 1024 + 77 }, (_v, i) => (i * 7919 + (i >> 9)) & 255));
  const parts: Buffer[] = [];
  for (let at = 0; at < payload.length;) {
    const nl = payload.indexOf(10, at);
    const end = nl < 0 ? Math.min(payload.length, at + 8192) : Math.min(nl, at + 8192);
    const full = nl >= 0 && end === nl;
    parts.push(Buffer.from(`2024-01-02T03:04:05.000000000Z stdout ${full ? 'F' : 'P'} `), payload.subarray(at, end), Buffer.from('\n'));
    at = full ? end + 1 : end;
  }
  await writeFile(path, Buffer.concat(parts));
  const got: Buffer[] = [];
  for await (const r of readLog(path)) got.push(r.data, r.partial ? Buffer.alloc(0) : Buffer.from('\n'));
  const back = Buffer.concat(got);
  // the last piece is partial or ends the payload: compare what was written
  assert.equal(back.length, payload.length);
  assert.ok(back.equals(payload), 'bytes differ');
});

test('readLog tail: the last N records of a log larger than a read chunk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ctr.log');
  await writeFile(path, Array.from({ length: 20000 }, (_v, i) => `2024-01-02T03:04:05.000000000Z stdout F line ${i}\n`).join(''));
  const got: string[] = [];
  for await (const r of readLog(path, { tail: 3 })) got.push(r.data.toString());
  assert.deepEqual(got, ['line 19997', 'line 19998', 'line 19999']);
});
