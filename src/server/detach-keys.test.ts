import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDetachKeys, DetachScanner } from './detach-keys.js';

test('parseDetachKeys: Docker key names', () => {
  const cases: [string | undefined, number[]][] = [
    [undefined, [16, 17]],
    ['', [16, 17]],
    ['ctrl-p,ctrl-q', [16, 17]],
    ['ctrl-a', [1]],
    ['ctrl-z', [26]],
    ['ctrl-@', [0]],
    ['ctrl-[', [27]],
    ['ctrl-\\', [28]],
    ['ctrl-]', [29]],
    ['ctrl-^', [30]],
    ['ctrl-_', [31]],
    ['a,b', [97, 98]],
    ['ctrl-x,y', [24, 121]],
  ];
  for (const [spec, want] of cases) assert.deepEqual(parseDetachKeys(spec), want, String(spec));
  for (const bad of ['ctrl-', 'ctrl-1', 'foo', 'ctrl-pp']) assert.throws(() => parseDetachKeys(bad), /Invalid detach keys/, bad);
});

async function scan(keys: number[], chunks: string[]): Promise<{ out: string; detached: boolean }> {
  const s = new DetachScanner(keys);
  let detached = false;
  s.on('detach', () => { detached = true; });
  const got: Buffer[] = [];
  s.on('data', (d: Buffer) => got.push(d));
  const ended = new Promise((r) => s.on('end', r));
  for (const c of chunks) { if (s.writableEnded || detached) break; s.write(Buffer.from(c, 'latin1')); }
  if (!detached) s.end();
  await ended;
  return { out: Buffer.concat(got).toString('latin1'), detached };
}

test('DetachScanner: passes input, swallows the sequence, releases broken prefixes', async () => {
  const P = '\x10', Q = '\x11';
  const k = [16, 17];
  const cases: [string, string[], string, boolean][] = [
    ['plain', ['hello'], 'hello', false],
    ['sequence in one chunk', [`ab${P}${Q}cd`], 'ab', true],
    ['sequence across chunks', ['ab', P, `${Q}zz`], 'ab', true],
    ['broken prefix released', [`a${P}b`], `a${P}b`, false],
    ['double prefix then sequence', [`${P}${P}${Q}`], P, true],
    ['prefix at end released', [`x${P}`], `x${P}`, false],
  ];
  for (const [name, chunks, out, det] of cases) assert.deepEqual(await scan(k, chunks), { out, detached: det }, name);
  assert.deepEqual(await scan([], [`${P}${Q}`]), { out: `${P}${Q}`, detached: false }, 'no keys');
});

test('DetachScanner: input after the sequence is dropped, never an error (it crashed berthd: push after EOF)', async () => {
  const s = new DetachScanner([16, 17]);
  const errors: Error[] = [];
  s.on('error', (e) => errors.push(e));
  const got: Buffer[] = [];
  s.on('data', (d: Buffer) => got.push(d));
  const ended = new Promise((r) => s.on('end', r));
  s.write(Buffer.from('ok\x10\x11after'));
  for (let i = 0; i < 50; i++) s.write(Buffer.from(`more \x10\x11 ${i}`));
  s.end();
  await ended;
  await new Promise((r) => setImmediate(r));
  assert.equal(Buffer.concat(got).toString(), 'ok');
  assert.equal(s.detached, true);
  assert.deepEqual(errors, []);
});

test('DetachScanner: 5 MB of random bytes with the sequence only where it is whole', async () => {
  // every byte but the completed sequence comes through, in order
  const rnd = Buffer.alloc(5_000_000);
  for (let i = 0; i < rnd.length; i++) rnd[i] = (i * 2654435761) >>> 24;
  for (let i = 0; i + 1 < rnd.length; i++) if (rnd[i] === 16 && rnd[i + 1] === 17) rnd[i + 1] = 18;
  const s = new DetachScanner([16, 17]);
  const got: Buffer[] = [];
  s.on('data', (d: Buffer) => got.push(d));
  const ended = new Promise((r) => s.on('end', r));
  for (let at = 0; at < rnd.length; at += 65536) s.write(rnd.subarray(at, at + 65536));
  s.end();
  await ended;
  assert.ok(Buffer.concat(got).equals(rnd));
});
