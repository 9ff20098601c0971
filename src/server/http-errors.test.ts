import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError, ERROR_CODES, ERROR_KINDS, type ErrorCode, type ErrorKind } from '../errdefs/errors.js';
import { STATUS_BY_KIND, messageOf, statusOf } from './http-errors.js';

test('every kind maps to its HTTP status', () => {
  const want: Record<ErrorKind, number> = {
    'not-found': 404, 'invalid-argument': 400, conflict: 409, 'not-modified': 304, unauthorized: 401,
    forbidden: 403, unavailable: 503, 'not-implemented': 501, system: 500, cancelled: 499,
  };
  assert.deepEqual(Object.keys(STATUS_BY_KIND).sort(), [...ERROR_KINDS].sort());
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const kind = ERROR_CODES[code];
    assert.equal(statusOf(new BerthError(code, 'x')), want[kind], code);
  }
});

test('statusOf walks the cause chain; anything else is 500', () => {
  const inner = new BerthError('NAME_IN_USE', 'name in use');
  const cases: [unknown, number][] = [
    [inner, 409],
    [new Error('wrapped', { cause: inner }), 409],
    [new Error('twice', { cause: new Error('once', { cause: new BerthError('NO_SUCH_CONTAINER', 'gone') }) }), 404],
    [new Error('plain'), 500],
    ['a string', 500],
    [undefined, 500],
    [{ code: 'ENOENT' }, 500],
  ];
  for (const [err, status] of cases) assert.equal(statusOf(err), status, String(err));
});

test('messageOf prefers the BerthError message', () => {
  assert.equal(messageOf(new Error('outer', { cause: new BerthError('CONFLICT', 'inner') })), 'inner');
  assert.equal(messageOf(new Error('plain')), 'plain');
  assert.equal(messageOf('text'), 'text');
});
