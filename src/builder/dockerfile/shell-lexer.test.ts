import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandWord, expandWords, processWordFull } from './shell-lexer.js';
import { BerthError } from '../../errdefs/errors.js';

const ENV = { PWD: '/home', SHELL: 'bash', NULL: '', KOREAN: '한국어' };

// [word, expected expansion | Error]
const wordCases: Array<[string, string | typeof Error]> = [
  ['hello', 'hello'],
  ["he'll'o", 'hello'],
  ["he'llo", Error],
  ["he\\'llo", "he'llo"],
  ["he\\\\'llo", Error],
  ['abc\\tdef', 'abctdef'],
  ['"abc\\tdef"', 'abc\\tdef'],
  ['"abc\\\\tdef"', 'abc\\tdef'],
  ["'abc\\tdef'", 'abc\\tdef'],
  ['hello\\', 'hello'],
  ['hello\\\\', 'hello\\'],
  ['"hello', Error],
  ['"hello\\"', Error],
  ['"hel\'lo"', "hel'lo"],
  ["'hello\\'", 'hello\\'],
  ['"\'\'"', "''"],
  ['$.', '$.'],
  ['he$1x', 'hex'],
  ['he$.x', 'he$.x'],
  ['he$pwd.', 'he.'],
  ['he$PWD', 'he/home'],
  ['he\\$PWD', 'he$PWD'],
  ['he\\\\$PWD', 'he\\/home'],
  ['"he\\$PWD"', 'he$PWD'],
  ['"he\\\\$PWD"', 'he\\/home'],
  ['\\${}', '${}'],
  ['${}', Error],
  ['he${}xx', Error],
  ['he${hi}xx', 'hexx'],
  ['he${PWD}', 'he/home'],
  ['he${.}', Error],
  ['he${XXX:-000}xx', 'he000xx'],
  ['he${PWD:-000}xx', 'he/homexx'],
  ['he${XXX:-$PWD}xx', 'he/homexx'],
  ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
  ['he${XXX:YYY}', Error],
  ['he${XXX?}', Error],
  ['he${XXX:?}', Error],
  ['he${PWD?}', 'he/home'],
  ['he${NULL?}', 'he'],
  ['he${NULL:?}', Error],
  ['he${XXX:+${PWD}}xx', 'hexx'],
  ['he${PWD:+${SHELL}}xx', 'hebashxx'],
  ['he${PWD:+000}xx', 'he000xx'],
  ["'he${XX}'", 'he${XX}'],
  ['"he\'$PWD\'"', "he'/home'"],
  ["'$PWD'", '$PWD'],
  ["'\\$PWD'", '\\$PWD'],
  ['he${PWD', Error],
  ['he${PWD:=000}xx', Error],
  ['he${PWD:+${PWD}:}xx', 'he/home:xx'],
  ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ['he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
  ['안녕$KOREAN', '안녕한국어'],
  ["안'녕'하세요", '안녕하세요'],
  ['${aaa}}', '}'],
  ['${aaa:-bbb {foo}', 'bbb {foo'],
  ['${aaa:-bbb ${foo}', Error],
  ['${:-bbb}', Error],
  ['${1:-bbb}', 'bbb'],
  // `-` vs `:-`: set-but-empty only counts as unset with the colon.
  ['${NULL-def}', ''],
  ['${NULL:-def}', 'def'],
  ['${NULL+alt}', 'alt'],
  ['${NULL:+alt}', ''],
  ['${XXX-a b}', 'a b'],
  ['${XXX:-a b}', 'a b'],
  // $$ is the (never set) special parameter $, so it expands to "".
  ['$$', ''],
  ['a$$b', 'ab'],
  // Pattern modifiers.
  ['${PWD#/}', 'home'],
  ['${PWD%me}', '/ho'],
  ['${PWD/o/0}', '/h0me'],
  ['${KOREAN//국/X}', '한X어'],
];

for (const [word, want] of wordCases) {
  test(`expandWord ${JSON.stringify(word)}`, () => {
    if (want === Error) {
      assert.throws(() => expandWord(word, ENV), (err: unknown) => err instanceof BerthError && err.kind === 'invalid-argument');
    } else {
      assert.equal(expandWord(word, ENV), want);
    }
  });
}

test('expandWord with the backtick escape char', () => {
  const env = { HOME: '/root' };
  assert.equal(expandWord('`$HOME', env, '`'), '$HOME');
  assert.equal(expandWord('c:\\path\\$HOME', env, '`'), 'c:\\path\\/root');
  assert.equal(expandWord('"a`"b"', env, '`'), 'a"b');
});

const LEADING = '  ab c';
const wordsCases: Array<[string, Record<string, string>, string[]]> = [
  ['hello', {}, ['hello']],
  ['hello${hi}bye', {}, ['hellobye']],
  ['hello${space}bye', { space: 'abc  def' }, ['helloabc', 'defbye']],
  ['hello"${space}"bye', { space: 'abc  def' }, ['helloabc  defbye']],
  ['hello "${space}"bye', { space: 'abc  def' }, ['hello', 'abc  defbye']],
  ['hello${leading}def', { leading: LEADING }, ['hello', 'ab', 'cdef']],
  ['hello"${leading}" def', { leading: LEADING }, ['hello  ab c', 'def']],
  ['hello\\ there', {}, ['hello there']],
  ['hello\\" there', {}, ['hello"', 'there']],
  ['8080 ${PORTS}', { PORTS: '80/tcp 443/tcp' }, ['8080', '80/tcp', '443/tcp']],
];

for (const [word, env, want] of wordsCases) {
  test(`expandWords ${JSON.stringify(word)}`, () => {
    assert.deepEqual(expandWords(word, env), want);
  });
}

test('processWordFull reports matched and unmatched names', () => {
  const r = processWordFull('$A ${B:-x} $C', { A: '1', C: '3' });
  assert.equal(r.result, '1 x 3');
  assert.deepEqual([...r.matched].sort(), ['A', 'C']);
  assert.deepEqual([...r.unmatched], ['B']);
});

test('skipUnsetEnv leaves unset references as written', () => {
  const r = processWordFull('$A ${B} ${C:-d}', {}, { skipUnsetEnv: true });
  assert.equal(r.result, '$A ${B} ${C:-d}');
});

test('skipProcessQuotes keeps quotes as data (heredoc bodies)', () => {
  const r = processWordFull('"$A" \'$A\'\n', { A: 'x' }, { skipProcessQuotes: true });
  assert.equal(r.result, '"x" \'x\'\n');
});

test('env may be a Map or a function', () => {
  assert.equal(expandWord('$A', new Map([['A', 'm']])), 'm');
  assert.equal(expandWord('$A', (n) => (n === 'A' ? 'f' : undefined)), 'f');
});
