/** test/peers/peers-daemon — the suite-output parsers behind scripts/peers.sh's per-run report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJunit, parseMocha } from './peers-daemon.js';

test('parseJunit: one result per test; a teardown error after a failed call keeps the call failure; entities decoded', () => {
  const xml = '<testsuites><testsuite name="docker-py" tests="4">'
    + '<testcase classname="tests.integration.api_a_test.ATest" name="test_ok" time="0.1" />'
    + '<testcase classname="tests.integration.api_a_test.ATest" name="test_skip" time="0"><skipped type="pytest.skip" message="needs &quot;x&quot;">...</skipped></testcase>'
    + '<testcase classname="tests.integration.api_a_test.ATest" name="test_bad" time="1"><failure message="assert \'Foo\' in [&#10;...]">tb</failure></testcase>'
    + '<testcase classname="tests.integration.api_a_test.ATest" name="test_bad" time="0"><error message="failed on teardown with &lt;x&gt;">tb</error></testcase>'
    + '<testcase classname="tests.integration.api_a_test.ATest" name="test_teardown_only" time="0" />'
    + '<testcase classname="tests.integration.api_a_test.ATest" name="test_teardown_only" time="0"><error message="failed on teardown">tb</error></testcase>'
    + '</testsuite></testsuites>';
  assert.deepEqual(parseJunit(xml), [
    { id: 'tests/integration/api_a_test.py::ATest::test_ok', outcome: 'passed', reason: '' },
    { id: 'tests/integration/api_a_test.py::ATest::test_skip', outcome: 'skipped', reason: 'needs "x"' },
    { id: 'tests/integration/api_a_test.py::ATest::test_bad', outcome: 'failed', reason: "assert 'Foo' in [" },
    { id: 'tests/integration/api_a_test.py::ATest::test_teardown_only', outcome: 'failed', reason: 'error: failed on teardown' },
  ]);
});

test('parseMocha: numbered failure blocks → suite path and first message line; counts from the summary', () => {
  const log = [
    '  ✔ passes', '', '  2 passing (3s)', '  1 pending', '  2 failing', '',
    '  1) #docker', '       #pull', '         should pull image:', '     Error: (HTTP code 500) server error - nope', '      at x (y.js:1:1)', '',
    '  2) #container', '       #stop', '         should stop a container:', '', '      Uncaught AssertionError: expected +0 to equal 2', '      + expected - actual', '',
  ].join('\n');
  assert.deepEqual(parseMocha(log), {
    passed: 2, pending: 1, failed: [
      { id: '#docker > #pull > should pull image', outcome: 'failed', reason: 'Error: (HTTP code 500) server error - nope' },
      { id: '#container > #stop > should stop a container', outcome: 'failed', reason: 'Uncaught AssertionError: expected +0 to equal 2' },
    ],
  });
});
