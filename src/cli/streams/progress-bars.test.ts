import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { JSONMessage } from '../../api/types.js';
import { printProgressBars } from './progress-bars.js';

function sink(tty: boolean) {
  let out = '';
  const w = new Writable({ write(c, _e, cb) { out += c.toString(); cb(); } }) as Writable & { isTTY?: boolean };
  w.isTTY = tty;
  return { w, text: () => out };
}

async function* gen(ms: JSONMessage[]) { for (const m of ms) yield m; }

const pull: JSONMessage[] = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', id: 'aaa', progressDetail: {} },
  { status: 'Pulling fs layer', id: 'bbb', progressDetail: {} },
  { status: 'Downloading', id: 'aaa', progressDetail: { current: 50, total: 100 } },
  { status: 'Pull complete', id: 'bbb', progressDetail: {} },
  { status: 'Digest: sha256:x' },
];

test('without a terminal: one line per state change, byte counters skipped', async () => {
  const s = sink(false);
  await printProgressBars(gen(pull), s.w);
  assert.equal(s.text(), 'latest: Pulling from library/busybox\naaa: Pulling fs layer\nbbb: Pulling fs layer\nbbb: Pull complete\nDigest: sha256:x\n');
});

test('on a terminal: each layer keeps its line, redrawn in place with a bar', async () => {
  const s = sink(true);
  await printProgressBars(gen(pull), s.w);
  const t = s.text();
  // aaa is 2 lines above the cursor once bbb exists; bbb is 1 above
  assert.ok(t.includes('\x1b[2A\x1b[2K\raaa: Downloading [=========================>                        ]'), JSON.stringify(t));
  assert.ok(t.includes('\x1b[1A\x1b[2K\rbbb: Pull complete\x1b[1B\r'));
  assert.ok(t.endsWith('Digest: sha256:x\n'));
});

test('an error message ends the stream as a failure; quiet prints nothing', async () => {
  const s = sink(false);
  await assert.rejects(printProgressBars(gen([{ status: 'x' }, { error: 'boom', errorDetail: { message: 'boom' } }]), s.w), /boom/);
  const q = sink(true);
  const all = await printProgressBars(gen(pull), q.w, { quiet: true });
  assert.equal(q.text(), '');
  assert.equal(all.length, pull.length);
});
