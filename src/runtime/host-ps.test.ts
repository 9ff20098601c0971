import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterPsOutput } from './host-ps.js';

test('filterPsOutput keeps the container rows and whole commands', () => {
  const out = 'UID          PID    PPID  C STIME TTY          TIME CMD\nroot         1       0  0 05:00 ?        00:00:01 /sbin/init\nroot       812     700  0 05:01 ?        00:00:00 sleep 300\nroot       813     812  0 05:01 ?        00:00:00 sh -c echo a b\n';
  const r = filterPsOutput(out, [812, 813]);
  assert.deepEqual(r.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(r.Processes.map((p) => p[7]), ['sleep 300', 'sh -c echo a b']);
  assert.deepEqual(filterPsOutput(out, []).Processes, []);
  assert.throws(() => filterPsOutput('USER COMMAND\nroot x\n', [1]), /PID field/);
});
