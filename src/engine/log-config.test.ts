import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { logPolicy, validateLogConfig, NONE_LOG_CAP } from './log-config.js';

const DEF = { Type: 'json-file', Config: {} };

test("log configs as dockerd merges them, and what they ask of the file", () => {
  assert.deepEqual(validateLogConfig(undefined, DEF), { Type: 'json-file', Config: {} });
  assert.deepEqual(validateLogConfig({ Type: '', Config: { 'max-size': '1m' } }, DEF), { Type: 'json-file', Config: { 'max-size': '1m' } });
  // the daemon's options fill in for its own driver only
  const daemon = { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } };
  assert.deepEqual(validateLogConfig({ Type: 'json-file', Config: { 'max-file': '2' } }, daemon).Config, { 'max-size': '10m', 'max-file': '2' });
  assert.deepEqual(validateLogConfig({ Type: 'local', Config: {} }, daemon).Config, {});
  assert.deepEqual(logPolicy({ Type: 'json-file', Config: {} }), { driver: 'json-file', maxSize: undefined, maxFile: 1, readable: true });
  assert.deepEqual(logPolicy({ Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '3' } }), { driver: 'json-file', maxSize: 1024, maxFile: 3, readable: true });
  assert.deepEqual(logPolicy({ Type: 'local', Config: {} }), { driver: 'local', maxSize: 20 * 1024 * 1024, maxFile: 5, readable: true });
  assert.deepEqual(logPolicy({ Type: 'none', Config: {} }), { driver: 'none', maxSize: NONE_LOG_CAP, maxFile: 1, readable: false });
  assert.equal(logPolicy({ Type: 'json-file', Config: { 'max-size': '-1' } }).maxSize, undefined);
  // records made before log drivers existed
  assert.equal(logPolicy({ Type: 'k8s-file', Config: {} }).readable, true);
  assert.equal(logPolicy(undefined).driver, 'json-file');
});

test('bad log configs are refused with dockerd-like messages and the right kind', () => {
  const cases: [object, string, RegExp][] = [
    [{ Type: 'syslog', Config: {} }, 'not-implemented', /syslog logging driver is not supported/],
    [{ Type: 'bogus', Config: {} }, 'invalid-argument', /no log driver named 'bogus'/],
    [{ Type: 'json-file', Config: { 'max-sise': '1m' } }, 'invalid-argument', /unknown log opt 'max-sise' for json-file log driver/],
    [{ Type: 'none', Config: { 'max-size': '1m' } }, 'invalid-argument', /unknown log opt 'max-size' for none log driver/],
    [{ Type: 'json-file', Config: { 'max-size': 'lots' } }, 'invalid-argument', /max-size/],
    [{ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '0' } }, 'invalid-argument', /max-file/],
    [{ Type: 'json-file', Config: { 'max-file': '3' } }, 'invalid-argument', /max-file cannot be greater than 1 when max-size is not set/],
    [{ Type: 'json-file', Config: { compress: 'yes' } }, 'invalid-argument', /compress/],
  ];
  for (const [lc, kind, re] of cases) {
    assert.throws(() => validateLogConfig(lc, DEF), (e: unknown) => e instanceof BerthError && e.kind === kind && re.test(e.message), JSON.stringify(lc));
  }
});
