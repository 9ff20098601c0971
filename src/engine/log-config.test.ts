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
  // go-units' FromHumanSize, as dockerd's drivers: decimal
  assert.deepEqual(logPolicy({ Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '3' } }), { driver: 'json-file', maxSize: 1000, maxFile: 3, readable: true });
  assert.equal(logPolicy({ Type: 'json-file', Config: { 'max-size': '1.5k' } }).maxSize, 1500);
  assert.equal(logPolicy({ Type: 'json-file', Config: { 'max-size': '10 m' } }).maxSize, 10_000_000);
  // max-file without max-size: accepted (dockerd starts such a container), nothing rotates
  assert.deepEqual(logPolicy({ Type: 'json-file', Config: { 'max-file': '3' } }, { strict: true }), { driver: 'json-file', maxSize: undefined, maxFile: 1, readable: true });
  assert.deepEqual(logPolicy({ Type: 'local', Config: {} }), { driver: 'local', maxSize: 20 * 1024 * 1024, maxFile: 5, readable: true });
  assert.deepEqual(logPolicy({ Type: 'none', Config: {} }), { driver: 'none', maxSize: NONE_LOG_CAP, maxFile: 1, readable: false });
  // a record made when berth took max-size=-1 as "unlimited" still starts so
  assert.equal(logPolicy({ Type: 'json-file', Config: { 'max-size': '-1' } }).maxSize, undefined);
  // records made before log drivers existed
  assert.equal(logPolicy({ Type: 'k8s-file', Config: {} }).readable, true);
  assert.equal(logPolicy(undefined).driver, 'json-file');
});

test('bad log option values are refused at create with the message dockerd gives when the logger starts', () => {
  // dockerd 20.10 creates these containers and fails `start` with a 500 "failed to initialize logging driver: …"
  const init = (m: string) => new RegExp(`^failed to initialize logging driver: ${m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const cases: [object, string, RegExp][] = [
    [{ Type: 'syslog', Config: {} }, 'not-implemented', /syslog logging driver is not supported/],
    [{ Type: 'bogus', Config: {} }, 'invalid-argument', /no log driver named 'bogus'/],
    [{ Type: 'json-file', Config: { 'max-sise': '1m' } }, 'invalid-argument', /^unknown log opt 'max-sise' for json-file log driver$/],
    [{ Type: 'local', Config: { foo: 'bar' } }, 'invalid-argument', /^unknown log opt 'foo' for log driver local$/],
    [{ Type: 'none', Config: { 'max-size': '1m' } }, 'invalid-argument', /unknown log opt 'max-size' for none log driver/],
    [{ Type: 'json-file', Config: { 'max-size': '-1' } }, 'invalid-argument', init("invalid size: '-1'")],
    [{ Type: 'json-file', Config: { 'max-size': 'lots' } }, 'invalid-argument', init("invalid size: 'lots'")],
    [{ Type: 'json-file', Config: { 'max-size': '0' } }, 'invalid-argument', init('max-size must be a positive number')],
    [{ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '0' } }, 'invalid-argument', init('max-file cannot be less than 1')],
    [{ Type: 'json-file', Config: { 'max-file': '-1' } }, 'invalid-argument', init('max-file cannot be less than 1')],
    [{ Type: 'json-file', Config: { 'max-file': 'abc' } }, 'invalid-argument', init('strconv.Atoi: parsing "abc": invalid syntax')],
    [{ Type: 'json-file', Config: { compress: 'yes' } }, 'invalid-argument', init('strconv.ParseBool: parsing "yes": invalid syntax')],
    [{ Type: 'json-file', Config: { compress: 'true' } }, 'invalid-argument', init('compress cannot be true when max-file is less than 2 or max-size is not set')],
    [{ Type: 'local', Config: { 'max-size': '-1' } }, 'invalid-argument', init("invalid value for max-size: -1: invalid size: '-1'")],
    [{ Type: 'local', Config: { 'max-file': '0' } }, 'invalid-argument', init('compression cannot be enabled when max file count is 1')],
    [{ Type: 'local', Config: { 'max-file': '-1', compress: 'false' } }, 'invalid-argument', init('max file count cannot be less than 0')],
  ];
  for (const [lc, kind, re] of cases) {
    assert.throws(() => validateLogConfig(lc, DEF), (e: unknown) => e instanceof BerthError && e.kind === kind && re.test(e.message), JSON.stringify(lc));
  }
  assert.deepEqual(validateLogConfig({ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3', compress: 'true' } }, DEF).Config, { 'max-size': '10m', 'max-file': '3', compress: 'true' });
});
