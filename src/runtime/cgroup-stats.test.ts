import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcCgroup, parseBlkio, parseKeyValues, parseNetDev, parseSystemCpu } from './cgroup-stats.js';

test('stats parsers', () => {
  assert.deepEqual(parseKeyValues('cache 10\nrss 20\n\nbad x\n'), { cache: 10, rss: 20 });
  assert.equal(parseSystemCpu('cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3\n'), 10 * 1e9);
  const dev = 'Inter-|   Receive\n face |bytes packets\n    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  eth0: 2048 10 1 2 0 0 0 0 4096 20 3 4 0 0 0 0\n';
  assert.deepEqual(parseNetDev(dev), { eth0: { rx_bytes: 2048, rx_packets: 10, rx_errors: 1, rx_dropped: 2, tx_bytes: 4096, tx_packets: 20, tx_errors: 3, tx_dropped: 4 } });
  assert.deepEqual(parseBlkio('8:0 Read 4096\n8:0 Write 512\n8:0 Sync 1\nTotal 4608\n', false).map((e) => `${e.op}=${e.value}`), ['read=4096', 'write=512', 'sync=1']);
  assert.deepEqual(parseBlkio('8:0 rbytes=100 wbytes=200 rios=1 wios=2\n', true).map((e) => `${e.major}:${e.minor} ${e.op}=${e.value}`), ['8:0 read=100', '8:0 write=200']);
});

test('parseProcCgroup maps v1 controllers to paths', () => {
  assert.deepEqual(parseProcCgroup('4:memory:/x/berth/c1\n2:cpu,cpuacct:/berth/c1\n9:name=systemd:/berth/c1\n0::/berth/c1\n'), { memory: '/x/berth/c1', cpu: '/berth/c1', cpuacct: '/berth/c1', systemd: '/berth/c1' });
});

test('system_cpu_usage is a whole number of nanoseconds (the docker CLI decodes a uint64)', () => {
  // 3452327 ticks: (3452327 / 100) * 1e9 is 34523269999999.996 in floating point
  const v = parseSystemCpu('cpu  3000000 0 452327 0 0 0 0 0 0 0\ncpu0 1 2 3\n');
  assert.equal(v, 34523270000000);
  assert.ok(Number.isInteger(v));
});
