import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountCall, validateLocalOptions } from './local-driver.js';


/** The error's own message matches (assert.throws' RegExp form tests "Name: message"). */
function throwsMsg(fn: () => unknown, re: RegExp, what?: string): void {
  assert.throws(fn, (e: Error) => { assert.match(e.message, re, what); return true; });
}

test('validateLocalOptions: Docker local driver keys and required companions', () => {
  validateLocalOptions(undefined);
  validateLocalOptions({});
  validateLocalOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  const bad: [Record<string, string>, RegExp][] = [
    [{ colour: 'red' }, /^invalid option: "colour"$/],
    [{ type: 'tmpfs' }, /^missing required option: "device"$/],
    [{ device: '/x' }, /^missing required option: "type"$/],
    [{ o: 'bind' }, /missing required option: "device"/],
    [{ size: '10g' }, /quota size requested but no quota support/],
  ];
  for (const [o, re] of bad) throwsMsg(() => validateLocalOptions(o), re, JSON.stringify(o));
});

test('mountCall: the mount(8) call a volume with options makes', () => {
  assert.equal(mountCall(null, '/t'), undefined);
  assert.equal(mountCall({}, '/t'), undefined);
  assert.deepEqual(mountCall({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' }, '/t'), { type: 'tmpfs', source: 'tmpfs', target: '/t', options: ['size=1m', 'uid=1000'] });
  assert.deepEqual(mountCall({ type: 'none', device: '/src', o: 'bind' }, '/t'), { type: 'none', source: '/src', target: '/t', options: ['bind'] });
  assert.deepEqual(mountCall({ type: 'bind', device: '/src', o: 'ro' }, '/t'), { type: 'none', source: '/src', target: '/t', options: ['bind', 'ro'] });
});
