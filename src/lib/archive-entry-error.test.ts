import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError, invalidArgument, systemError } from '../errdefs/errors.js';
import { entryFailure } from './archive-entry-error.js';

const f = { paths: ['h'], prefix: 'invalid layer archive: ', code: 'INVALID_ARCHIVE' as const };
const fsError = (code: string, syscall: string, path: string) => Object.assign(new Error(`${code}: x, ${syscall} '${path}'`), { code, syscall, path });

test('fs errors and system errors quoting host paths become "<op> <entry>: <errno text>", the original kept as cause', () => {
  const raw = fsError('ENOENT', 'link', '/var/lib/berth/snapshots/tmp/1/nosuch');
  const e = entryFailure(raw, { ...f, op: 'link', paths: ['nosuch', './h'] });
  assert.equal(e.message, 'invalid layer archive: link /nosuch /h: no such file or directory');
  assert.equal(e.kind, 'invalid-argument');
  assert.equal(e.cause, raw);
  const tool = systemError('mknod -m 644 /var/lib/berth/snapshots/tmp/1/dev c 1 3: Operation not permitted');
  const t = entryFailure(tool, { ...f, op: 'mknod', paths: ['dev'] });
  assert.equal(t.message, 'invalid layer archive: mknod /dev: failed');
  assert.ok(!t.message.includes('/var/lib'));
  assert.equal(entryFailure(fsError('EEXIST', 'mkdir', '/var/lib/x'), { ...f, paths: ['a/b/'] }).message, 'invalid layer archive: mkdir /a/b: file exists');
});

test("the archive's own refusals pass unchanged; a full disk is the host's fault (500, no blame on the archive)", () => {
  const own = invalidArgument('layer entry escapes the root: ../x', 'INVALID_ARCHIVE');
  assert.equal(entryFailure(own, f), own);
  const full = entryFailure(fsError('ENOSPC', 'write', '/var/lib/berth/content/ingest/1'), { ...f, op: 'write' });
  assert.ok(full instanceof BerthError);
  assert.equal(full.kind, 'system');
  assert.equal(full.message, 'write /h: no space left on device');
});
