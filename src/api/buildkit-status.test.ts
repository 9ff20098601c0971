import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeStatus, decodeStatus } from './buildkit-status.js';
import { BuildkitTrace } from './buildkit-trace.js';
import type { BkStatus } from './buildkit-status.js';

test('StatusResponse: protobuf wire bytes as protoc lays them out', () => {
  // vertexes[0] = { digest: "d", name: "n", cached: true }: field 1 (len 8) → 0a 01 'd', 1a 01 'n', 20 01
  assert.equal(encodeStatus({ vertexes: [{ digest: 'd', name: 'n', cached: true }] }).toString('hex'), '0a080a01641a016e2001');
  // logs[0] = { vertex: "v", timestamp: 1.5 s (seconds 1, nanos 500000000 = varint 80 ca b5 ee 01), stream: 2, msg: "hi" }
  const log = encodeStatus({ logs: [{ vertex: 'v', timestamp: new Date(1500), stream: 2, msg: Buffer.from('hi') }] });
  assert.equal(log.toString('hex'), '1a13' + '0a0176' + '1208080110' + '80cab5ee01' + '1802' + '22026869');
  // a timestamp of whole seconds has no nanos field; 300 needs a two-byte varint (ac 02)
  assert.equal(encodeStatus({ vertexes: [{ digest: '', name: '', started: new Date(300000) }] }).toString('hex'), '0a052a0308ac02');
});

test('StatusResponse: what is encoded decodes back (vertexes with inputs, errors and times; statuses; logs)', () => {
  const s: BkStatus = {
    vertexes: [{ digest: 'sha256:aa', inputs: ['sha256:bb', 'sha256:cc'], name: '[2/3] RUN echo hi', cached: false, started: new Date(1700000000123), completed: new Date(1700000001456), error: 'exit code: 1' }],
    statuses: [{ id: 'pull', vertex: 'sha256:aa', name: 'layer', current: 5 * 2 ** 32, total: 10 * 2 ** 32, timestamp: new Date(1700000000000) }],
    logs: [{ vertex: 'sha256:aa', timestamp: new Date(1700000000999), stream: 1, msg: Buffer.from([0, 1, 255]) }],
  };
  const d = decodeStatus(encodeStatus(s));
  assert.deepEqual(d.vertexes[0], s.vertexes![0]);
  assert.deepEqual(d.statuses[0], { ...s.statuses![0], started: undefined, completed: undefined });
  assert.deepEqual(d.logs[0], s.logs![0]);
  assert.deepEqual(decodeStatus(Buffer.alloc(0)), { vertexes: [], statuses: [], logs: [] });
  assert.throws(() => decodeStatus(Buffer.from([0x0a, 0x05, 0x01])), /truncated/);
});

test('trace: one vertex per step, chained, named as BuildKit names them; cached steps, logs, the export and a failure', () => {
  const seen: BkStatus[] = [];
  let t = 0;
  const tr = new BuildkitTrace((s) => seen.push(s), () => new Date(++t * 1000));
  tr.begin();
  tr.step({ stage: 0, stages: 1, pos: 1, count: 2, text: 'FROM busybox' });
  tr.cached();
  tr.step({ stage: 0, stages: 1, pos: 2, count: 2, text: 'RUN echo hi' });
  tr.log('hi\n', 'stdout');
  tr.log('oops\n', 'stderr');
  tr.done('sha256:1234', ['app:1.0']);
  const vertexes = seen.flatMap((s) => s.vertexes ?? []);
  const final = new Map(vertexes.map((v) => [v.digest, v]));
  assert.deepEqual([...final.values()].map((v) => [v.name, !!v.cached, !!v.completed]), [
    ['[internal] load remote build context', false, true],
    ['[1/2] FROM busybox', true, true],
    ['[2/2] RUN echo hi', false, true],
    ['exporting to image', false, true],
  ]);
  const ids = [...final.keys()];
  assert.deepEqual([...final.values()].map((v) => v.inputs), [undefined, [ids[0]], [ids[1]], [ids[2]]]);
  // each step is first sent started, then completed
  assert.equal(vertexes.filter((v) => v.digest === ids[2]).length, 2);
  assert.ok(!vertexes.find((v) => v.digest === ids[2])!.completed);
  const logs = seen.flatMap((s) => s.logs ?? []);
  assert.deepEqual(logs.map((l) => [l.vertex === ids[2] ? 'run' : l.vertex === ids[3] ? 'export' : '?', l.stream, l.msg.toString()]), [
    ['run', 1, 'hi\n'], ['run', 2, 'oops\n'], ['export', 1, 'writing image sha256:1234 done\n'], ['export', 1, 'naming to app:1.0 done\n'],
  ]);

  const failed: BkStatus[] = [];
  const tf = new BuildkitTrace((s) => failed.push(s));
  tf.step({ stage: 1, stageName: 'build', stages: 2, pos: 3, count: 4, text: 'RUN false' });
  tf.fail('exit code: 1');
  const last = failed[failed.length - 1].vertexes![0];
  assert.equal(last.name, '[build 3/4] RUN false');
  assert.equal(last.error, 'exit code: 1');
  assert.ok(last.completed);
});
