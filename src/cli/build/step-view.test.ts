/** cli/build/step-view tests — the legacy stream rendered as steps with timing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepView } from './step-view.js';

test('steps, cache hits, RUN output and timing', () => {
  let out = '';
  let t = 0;
  const v = new StepView({ write: (s) => { out += s; }, now: () => t });
  v.push('Step 1/3 : FROM busybox\n ---> 0123456789ab\n');
  t = 10;
  v.push('Step 2/3 : WORKDIR /x\n ---> Using cache\n ---> 1123456789ab\n');
  t = 20;
  v.push('Step 3/3 : RUN echo hi\n ---> Running in 2223456789ab\nh');
  v.push('i\n');
  t = 1270;
  v.push(' ---> Removed intermediate container 2223456789ab\n ---> 3323456789ab\nSuccessfully built 3323456789ab\n');
  v.end();
  assert.equal(out, [
    '[1/3] FROM busybox', '  => 0123456789ab  0.00s',
    '[2/3] WORKDIR /x', '  => 1123456789ab  cached  0.00s',
    '[3/3] RUN echo hi', '  | hi', '  => 3323456789ab  1.25s',
    'Successfully built 3323456789ab', '',
  ].join('\n'));
});
