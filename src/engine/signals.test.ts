import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { signalName, signalNumber } from './signals.js';

test('signalNumber accepts names with and without SIG, any case, and numbers', () => {
  const cases: [string, number][] = [
    ['KILL', 9], ['SIGKILL', 9], ['sigkill', 9], ['kill', 9], ['9', 9], [' TERM ', 15], ['SIGTERM', 15],
    ['HUP', 1], ['INT', 2], ['USR1', 10], ['SIGUSR2', 12], ['QUIT', 3], ['WINCH', 28], ['64', 64], ['1', 1],
    ['RTMIN', 34], ['SIGRTMIN+3', 37],
  ];
  for (const [input, want] of cases) assert.equal(signalNumber(input), want, input);
});

test('signalNumber rejects unknown signals with invalid-argument', () => {
  for (const input of ['0', '65', '-1', 'FOO', 'SIG', '', '9x']) {
    assert.throws(() => signalNumber(input), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && e.message === `Invalid signal: ${input}`, input);
  }
});

test('signalName gives the canonical SIG name', () => {
  const cases: [string, string][] = [['9', 'SIGKILL'], ['term', 'SIGTERM'], ['SIGHUP', 'SIGHUP'], ['usr1', 'SIGUSR1'], ['RTMIN+3', '37']];
  for (const [input, want] of cases) assert.equal(signalName(input), want, input);
});
