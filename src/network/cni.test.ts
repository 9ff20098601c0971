import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addNetworkList, delNetworkList, bridgeConfList, endpointFromResult, type NetworkConfList } from './cni.js';
import type { CniExecutor, CniCommand } from './cni-exec.js';
import { splitSpec } from './iptables.js';

function fakeExec(failOn?: string): CniExecutor & { calls: { type: string; cmd: CniCommand; conf: Record<string, unknown> }[] } {
  const calls: { type: string; cmd: CniCommand; conf: Record<string, unknown> }[] = [];
  return {
    calls,
    async exec(type, cmd, _rt, conf) {
      calls.push({ type, cmd, conf: conf as Record<string, unknown> });
      if (cmd === 'ADD' && type === failOn) throw new Error(`${type} failed`);
      return cmd === 'ADD' ? { cniVersion: '1.0.0', from: type } : undefined;
    },
  };
}

const list: NetworkConfList = { cniVersion: '1.0.0', name: 'n1', plugins: [{ type: 'bridge' }, { type: 'portmap', capabilities: { portMappings: true } }, { type: 'tuning' }] };
const rt = { containerId: 'c1', netns: '/x', ifname: 'eth0' };

test('ADD chains prevResult and hands runtime config only to plugins declaring the capability', async () => {
  const ex = fakeExec();
  const r = await addNetworkList(ex, list, rt, { portMappings: [{ hostPort: 1 }], ips: ['1.2.3.4'] });
  assert.deepEqual(r, { cniVersion: '1.0.0', from: 'tuning' });
  assert.deepEqual(ex.calls.map((c) => `${c.cmd} ${c.type}`), ['ADD bridge', 'ADD portmap', 'ADD tuning']);
  assert.equal(ex.calls[0].conf.prevResult, undefined);
  assert.deepEqual(ex.calls[1].conf.prevResult, { cniVersion: '1.0.0', from: 'bridge' });
  assert.deepEqual(ex.calls[1].conf.runtimeConfig, { portMappings: [{ hostPort: 1 }] });
  assert.equal(ex.calls[0].conf.runtimeConfig, undefined);
  assert.equal(ex.calls[2].conf.name, 'n1');
});

test('a failing ADD deletes what was added, including the failing plugin, in reverse', async () => {
  const ex = fakeExec('tuning');
  await assert.rejects(addNetworkList(ex, list, rt), /tuning failed/);
  assert.deepEqual(ex.calls.map((c) => `${c.cmd} ${c.type}`), ['ADD bridge', 'ADD portmap', 'ADD tuning', 'DEL portmap', 'DEL bridge', 'DEL tuning']);
});

test('DEL runs every plugin in reverse even when one fails', async () => {
  const calls: string[] = [];
  const ex: CniExecutor = { async exec(type, cmd) { calls.push(`${cmd} ${type}`); if (type === 'portmap') throw new Error('pm'); return undefined; } };
  await assert.rejects(delNetworkList(ex, list, rt, {}, { prev: 1 }), /pm/);
  assert.deepEqual(calls, ['DEL tuning', 'DEL portmap', 'DEL bridge']);
});

test('bridge conf list: host-local ranges, ip range bounds, internal without NAT or default route', () => {
  const c = bridgeConfList({ cniName: 'berth-abc', bridge: 'br1', subnet: '10.1.0.0/16', gateway: '10.1.0.1', ipRange: '10.1.5.0/24', ipamDir: '/d', internal: false });
  const bridge = c.plugins[0] as unknown as { ipMasq: boolean; isGateway: boolean; ipam: { ranges: Record<string, string>[][]; routes: unknown[]; dataDir: string } };
  assert.equal(c.name, 'berth-abc');
  assert.equal(bridge.ipMasq, false, 'outbound NAT is the per-network rule of bridge-firewall');
  assert.deepEqual(bridge.ipam.ranges, [[{ subnet: '10.1.0.0/16', gateway: '10.1.0.1', rangeStart: '10.1.5.0', rangeEnd: '10.1.5.254' }]]);
  assert.deepEqual(bridge.ipam.routes, [{ dst: '0.0.0.0/0' }]);
  assert.equal(c.plugins[1].type, 'portmap');
  const noPorts = bridgeConfList({ cniName: 'berth-abc', bridge: 'br1', subnet: '10.1.0.0/16', gateway: '10.1.0.1', ipamDir: '/d', internal: false, portmap: false });
  assert.deepEqual(noPorts.plugins.map((p) => p.type), ['bridge'], 'no published ports: no portmap in the chain');
  const i = bridgeConfList({ cniName: 'x', bridge: 'b', subnet: '10.2.0.0/24', gateway: '10.2.0.1', ipamDir: '/d', internal: true });
  const ib = i.plugins[0] as unknown as { ipMasq: boolean; ipam: { routes: unknown[] } };
  assert.equal(ib.ipMasq, false);
  assert.deepEqual(ib.ipam.routes, []);
});

test('auxiliary addresses are cut out of host-local\'s range set (disjoint ranges of one subnet)', () => {
  const ranges = (c: ReturnType<typeof bridgeConfList>) => (c.plugins[0] as unknown as { ipam: { ranges: Record<string, string>[][] } }).ipam.ranges;
  const base = { cniName: 'x', bridge: 'b', subnet: '172.28.0.0/16', gateway: '172.28.5.254', ipamDir: '/d', internal: false };
  const r = (from: string, to: string) => ({ subnet: '172.28.0.0/16', gateway: '172.28.5.254', rangeStart: from, rangeEnd: to });
  // in the --ip-range: split around it; outside it (172.28.1.5): nothing to cut
  assert.deepEqual(ranges(bridgeConfList({ ...base, ipRange: '172.28.5.0/24', exclude: ['172.28.1.5', '172.28.5.7', '172.28.5.8', '172.28.5.0'] })),
    [[r('172.28.5.1', '172.28.5.6'), r('172.28.5.9', '172.28.5.254')]]);
  assert.deepEqual(ranges(bridgeConfList({ ...base, exclude: ['172.28.1.5'] })), [[r('172.28.0.1', '172.28.1.4'), r('172.28.1.6', '172.28.255.254')]]);
  assert.deepEqual(ranges(bridgeConfList({ ...base })), [[{ subnet: '172.28.0.0/16', gateway: '172.28.5.254' }]]);
  assert.throws(() => bridgeConfList({ ...base, subnet: '10.0.0.0/30', gateway: '10.0.0.1', exclude: ['10.0.0.1', '10.0.0.2'] }), /no address is left/);
});

test('endpoint from an ADD result', () => {
  const r = { interfaces: [{ name: 'br0', mac: 'aa' }, { name: 'veth1', mac: 'bb' }, { name: 'eth0', mac: 'cc', sandbox: '/ns' }], ips: [{ interface: 2, address: '10.1.0.5/16', gateway: '10.1.0.1' }] };
  assert.deepEqual(endpointFromResult(r, 'eth0'), { ip: '10.1.0.5', prefixLen: 16, gateway: '10.1.0.1', mac: 'cc' });
});

test('iptables -S lines split like a shell would', () => {
  assert.deepEqual(splitSpec('-A POSTROUTING -s 10.1.0.2/32 -m comment --comment "name: \\"n\\" id: \\"c\\"" -j CNI-abc'),
    ['-A', 'POSTROUTING', '-s', '10.1.0.2/32', '-m', 'comment', '--comment', 'name: "n" id: "c"', '-j', 'CNI-abc']);
});
