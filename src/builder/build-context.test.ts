/** builder/build-context tests — context tars: Dockerfile lookup, .dockerignore on the daemon side, escaping entries refused. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { openContext } from './build-context.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-ctx-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = tar.pack();
  for (const [name, body] of Object.entries(files)) p.entry({ name }, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let n = 0;
const dir = () => join(tmp, `c${n++}`);

test('reads the Dockerfile (or -f, or lowercase dockerfile) and applies .dockerignore', async () => {
  const ctx = await openContext(Readable.from(await tarOf({ Dockerfile: 'FROM a\n', '.dockerignore': '*.log\nsecret/\n', 'app.js': 'x', 'x.log': 'l', 'secret/k': 'k' })), { dir: dir() });
  assert.equal(ctx.dockerfile, 'FROM a\n');
  assert.deepEqual(readdirSync(ctx.dir).sort(), ['.dockerignore', 'Dockerfile', 'app.js']);
  await ctx.close();
  assert.equal(existsSync(ctx.dir), false);

  const gz = gzipSync(await tarOf({ 'build/Other': 'FROM b\n' }));
  const other = await openContext(Readable.from(gz), { dir: dir(), dockerfile: 'build/Other' });
  assert.equal(other.dockerfile, 'FROM b\n');
  await other.close();

  const lower = await openContext(Readable.from(await tarOf({ dockerfile: 'FROM c\n' })), { dir: dir() });
  assert.equal(lower.dockerfilePath, 'dockerfile');
  await lower.close();
});

test('bad contexts: no Dockerfile, a Dockerfile outside; entries climbing out are cleaned into the context, as dockerd\'s chrooted untar does', async () => {
  const d1 = dir();
  await assert.rejects(openContext(Readable.from(await tarOf({ 'a': 'x' })), { dir: d1 }), /Cannot locate specified Dockerfile: Dockerfile/);
  assert.equal(existsSync(d1), false, 'nothing left behind');
  await assert.rejects(openContext(Readable.from(await tarOf({ Dockerfile: 'FROM a' })), { dir: dir(), dockerfile: '../Dockerfile' }), /must be within the build context/);
  const d3 = join(dir(), 'ctx');
  const ctx = await openContext(Readable.from(await tarOf({ '../escape': 'x', './a': 'a', 'x/../b': 'b', 'd/./e': 'e', '../../../up/f': 'f', Dockerfile: 'FROM a' })), { dir: d3 });
  assert.equal(existsSync(join(d3, '..', 'escape')), false, 'nothing written outside the context');
  assert.equal(existsSync(join(d3, '..', '..', 'up')), false);
  for (const [name, text] of [['escape', 'x'], ['a', 'a'], ['b', 'b'], ['d/e', 'e'], ['up/f', 'f']]) assert.equal(readFileSync(join(d3, name), 'utf8'), text, name);
  await ctx.close();
});

test('a context entry that cannot be placed is named as in the archive, never by the context directory', async () => {
  const p = tar.pack();
  p.entry({ name: 'Dockerfile' }, 'FROM a\n');
  p.entry({ name: 'h', type: 'link', linkname: '../../../../etc/passwd' });
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c as Buffer);
  const d = dir();
  // secureJoin keeps the target inside the context, where nothing is: dockerd says the same from its chroot
  await assert.rejects(openContext(Readable.from(Buffer.concat(chunks)), { dir: d }), (e: Error) => {
    assert.equal(e.message, 'invalid build context: link /etc/passwd /h: no such file or directory');
    assert.ok(!e.message.includes(tmp));
    return true;
  });
  assert.equal(existsSync(d), false);
});
