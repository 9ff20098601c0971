import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portMappings, portMap, portList, parsePortKey } from './port-bindings.js';

test('port keys', () => {
  assert.deepEqual(parsePortKey('80'), { port: 80, protocol: 'tcp' });
  assert.deepEqual(parsePortKey('53/udp'), { port: 53, protocol: 'udp' });
  assert.deepEqual(parsePortKey('53/UDP'), { port: 53, protocol: 'udp' });
  for (const bad of ['0/tcp', '65536', 'abc', '80/icmp', '80/tcp/x', '']) assert.throws(() => parsePortKey(bad), /invalid/, bad);
  assert.throws(() => parsePortKey('80/sctp'), /not supported/);
});

test('bindings expand to mappings', () => {
  const cases: [Parameters<typeof portMappings>[0], Parameters<typeof portMappings>[1], ReturnType<typeof portMappings>][] = [
    [{ '3000/tcp': [{ HostIp: '', HostPort: '8000' }] }, {}, [{ containerPort: 3000, protocol: 'tcp', hostIp: '', hostPort: 8000, hostPortEnd: 8000 }]],
    [{ '3000/tcp': [{ HostIp: '0.0.0.0', HostPort: '' }] }, {}, [{ containerPort: 3000, protocol: 'tcp', hostIp: '', hostPort: 0, hostPortEnd: 0 }]],
    [{ '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] }, {}, [{ containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353, hostPortEnd: 5353 }]],
    [{ '80/tcp': [{ HostPort: '8000-8010' }] }, {}, [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8000, hostPortEnd: 8010 }]],
    [{ '80/tcp': [{ HostPort: '1' }, { HostIp: '127.0.0.1', HostPort: '1' }] }, {}, [
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 1, hostPortEnd: 1 }, { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 1, hostPortEnd: 1 }]],
    [{}, { exposed: { '443/tcp': {}, '80/tcp': {} }, publishAll: true }, [
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 0, hostPortEnd: 0 }, { containerPort: 443, protocol: 'tcp', hostIp: '', hostPort: 0, hostPortEnd: 0 }]],
    [{ '80/tcp': [{ HostPort: '9000' }] }, { exposed: { '80/tcp': {} }, publishAll: true }, [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 9000, hostPortEnd: 9000 }]],
    [{ '80/tcp': null, '81/tcp': [] }, {}, []],
    [null, {}, []],
  ];
  for (const [b, o, want] of cases) assert.deepEqual(portMappings(b, o), want, JSON.stringify(b));
});

test('bad bindings are refused', () => {
  const bad: [Parameters<typeof portMappings>[0], RegExp][] = [
    [{ 'x/tcp': [{ HostPort: '80' }] }, /invalid port specification/],
    [{ '80/tcp': [{ HostPort: 'abc' }] }, /invalid port specification/],
    [{ '80/tcp': [{ HostPort: '70000' }] }, /invalid port specification/],
    [{ '80/tcp': [{ HostPort: '9-8' }] }, /invalid port specification/],
    [{ '80/tcp': [{ HostIp: '1.2.3', HostPort: '80' }] }, /invalid host IP/],
    [{ '80/tcp': [{ HostPort: '8080' }], '81/tcp': [{ HostPort: '8080' }] }, /already allocated/],
  ];
  for (const [b, re] of bad) assert.throws(() => portMappings(b), re, JSON.stringify(b));
});

test('Docker port map and port list', () => {
  const bound = [{ containerPort: 3000, protocol: 'tcp' as const, hostIp: '', hostPort: 8000 }];
  assert.deepEqual(portMap({ '3000/tcp': {}, '22/tcp': {} }, bound), { '3000/tcp': [{ HostIp: '0.0.0.0', HostPort: '8000' }], '22/tcp': null });
  assert.deepEqual(portList({ '3000/tcp': {}, '22/tcp': {} }, bound), [{ IP: '0.0.0.0', PrivatePort: 3000, PublicPort: 8000, Type: 'tcp' }, { PrivatePort: 22, Type: 'tcp' }]);
});
