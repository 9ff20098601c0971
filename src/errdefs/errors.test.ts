import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { BerthError, ERROR_CODES, ERROR_KINDS, findBerthError, isKind, kindOf, notFound, type ErrorCode } from './errors.js';
import { STATUS_BY_KIND } from '../server/http-errors.js';

/** docs/errors.md from the repository root, whether run from src/ (ts) or dist/src/ (js). */
function readCatalogue(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try { return readFileSync(join(dir, 'docs', 'errors.md'), 'utf8'); } catch { dir = dirname(dir); }
  }
  throw new Error('docs/errors.md not found');
}

interface Row { code: string; kind: string; status: number; when: string }

function parseTable(md: string): Row[] {
  const rows: Row[] = [];
  for (const line of md.split('\n')) {
    const m = /^\|\s*`([A-Z_]+)`\s*\|\s*([a-z-]+)\s*\|\s*(\d{3})\s*\|(.*)\|\s*$/.exec(line);
    if (m) rows.push({ code: m[1], kind: m[2], status: Number(m[3]), when: m[4].trim() });
  }
  return rows;
}

test('docs/errors.md lists exactly the codes in ERROR_CODES, with their kinds and statuses', () => {
  const rows = parseTable(readCatalogue());
  const codes = rows.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length, 'a code is listed twice');
  assert.deepEqual([...codes].sort(), Object.keys(ERROR_CODES).sort());
  for (const r of rows) {
    const kind = ERROR_CODES[r.code as ErrorCode];
    assert.equal(r.kind, kind, `${r.code}: kind`);
    assert.equal(r.status, STATUS_BY_KIND[kind], `${r.code}: status`);
    assert.ok(r.when.length > 10, `${r.code}: say when it is used`);
  }
});

test('every kind has a status, and ERROR_KINDS is the kind vocabulary', () => {
  assert.deepEqual(Object.keys(STATUS_BY_KIND).sort(), [...ERROR_KINDS].sort());
  for (const k of ERROR_KINDS) assert.ok(Number.isInteger(STATUS_BY_KIND[k]) && STATUS_BY_KIND[k] >= 300, k);
  for (const kind of Object.values(ERROR_CODES)) assert.ok(ERROR_KINDS.includes(kind), kind);
});

test('BerthError takes its kind from its code and keeps the cause', () => {
  const cause = new Error('low');
  const e = new BerthError('NAME_IN_USE', 'taken', { cause });
  assert.equal(e.kind, 'conflict');
  assert.equal(e.code, 'NAME_IN_USE');
  assert.equal(e.cause, cause);
  assert.equal(e.name, 'BerthError');
  assert.ok(e instanceof Error);
});

test('findBerthError / kindOf / isKind walk the cause chain', () => {
  const inner = notFound('gone', 'NO_SUCH_IMAGE');
  const wrapped = new Error('a', { cause: new Error('b', { cause: inner }) });
  assert.equal(findBerthError(wrapped), inner);
  assert.equal(kindOf(wrapped), 'not-found');
  assert.ok(isKind(wrapped, 'not-found'));
  assert.equal(kindOf(new Error('plain')), 'system');
  assert.equal(kindOf(undefined), 'system');
  assert.equal(findBerthError('text'), undefined);
  // a cyclic cause chain terminates
  const a = new Error('a') as Error & { cause?: unknown };
  const b = new Error('b', { cause: a });
  a.cause = b;
  assert.equal(findBerthError(a), undefined);
});
