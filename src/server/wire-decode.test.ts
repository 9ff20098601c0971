import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireTypeError, decodeWire, struct, str, bool, strSlice } from './wire-decode.js';
import { AUTH_CONFIG, BUILD_ARGS, CREATE_REQUEST, EXEC_CONFIG, EXEC_START, NETWORK_CONNECT, NETWORK_CREATE, UPDATE_CONFIG, VOLUME_CREATE } from './wire-schemas.js';

// Each message below is what dockerd 20.10's decoder answered for the same body (probed side by side).
const cases: [string, unknown, Parameters<typeof wireTypeError>[1], string][] = [
  ['Image number', { Image: 123 }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Image of type string'],
  ['Image list', { Image: ['busybox'] }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field ContainerConfigWrapper.Image of type string'],
  ['Cmd number (StrSlice)', { Cmd: 123 }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string'],
  ['Cmd list of numbers (StrSlice)', { Cmd: [1, 2] }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field ContainerConfigWrapper.Cmd of type string'],
  ['Env string', { Env: 'A=1' }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Env of type []string'],
  ['Env element', { Env: [1] }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Env of type string'],
  ['Labels value', { Labels: { a: 1 } }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Labels of type string'],
  ['ExposedPorts list', { ExposedPorts: ['80/tcp'] }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field ContainerConfigWrapper.ExposedPorts of type nat.PortSet'],
  ['Volumes list', { Volumes: ['/x'] }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field ContainerConfigWrapper.Volumes of type map[string]struct {}'],
  ['StopTimeout fraction', { StopTimeout: 1.5 }, CREATE_REQUEST, 'json: cannot unmarshal number 1.5 into Go struct field ContainerConfigWrapper.StopTimeout of type int'],
  ['Healthcheck string', { Healthcheck: 'x' }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.Healthcheck of type container.HealthConfig'],
  ['Healthcheck.Interval string', { Healthcheck: { Interval: '1s' } }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field HealthConfig.Healthcheck.Interval of type time.Duration'],
  ['HostConfig string', { HostConfig: 'x' }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.HostConfig of type container.HostConfig'],
  ['Binds string', { HostConfig: { Binds: '/a:/b' } }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Binds of type []string'],
  ['PortBindings list', { HostConfig: { PortBindings: [] } }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field HostConfig.HostConfig.PortBindings of type nat.PortMap'],
  ['PortBindings value string', { HostConfig: { PortBindings: { '80/tcp': '8080' } } }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.PortBindings of type []nat.PortBinding'],
  ['HostPort number', { HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 8080 }] } } }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field PortBinding.HostConfig.PortBindings.HostPort of type string'],
  ['RestartPolicy.MaximumRetryCount string', { HostConfig: { RestartPolicy: { MaximumRetryCount: '3' } } }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field RestartPolicy.HostConfig.RestartPolicy.MaximumRetryCount of type int'],
  ['CapAdd element', { HostConfig: { CapAdd: [1] } }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field HostConfig.HostConfig.CapAdd of type string'],
  ['Mounts object', { HostConfig: { Mounts: {} } }, CREATE_REQUEST, 'json: cannot unmarshal object into Go struct field HostConfig.HostConfig.Mounts of type []mount.Mount'],
  ['Mounts Type number', { HostConfig: { Mounts: [{ Type: 1 }] } }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field Mount.HostConfig.Mounts.Type of type mount.Type'],
  ['LogConfig.Config value', { HostConfig: { LogConfig: { Config: { 'max-size': 5 } } } }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field LogConfig.HostConfig.LogConfig.Config of type string'],
  ['Memory fraction', { HostConfig: { Memory: 1.5 } }, CREATE_REQUEST, 'json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.Memory of type int64'],
  ['Ulimits object', { HostConfig: { Ulimits: {} } }, CREATE_REQUEST, 'json: cannot unmarshal object into Go struct field HostConfig.HostConfig.Ulimits of type []*units.Ulimit'],
  ['ConsoleSize element', { HostConfig: { ConsoleSize: [1, 'x'] } }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.ConsoleSize of type uint'],
  ['BlkioWeight string', { HostConfig: { BlkioWeight: 'x' } }, CREATE_REQUEST, 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16'],
  ['NetworkMode number', { HostConfig: { NetworkMode: 1 } }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field HostConfig.HostConfig.NetworkMode of type container.NetworkMode'],
  ['EndpointsConfig list', { NetworkingConfig: { EndpointsConfig: [] } }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field NetworkingConfig.NetworkingConfig.EndpointsConfig of type map[string]*network.EndpointSettings'],
  ['endpoint list', { NetworkingConfig: { EndpointsConfig: { bridge: [] } } }, CREATE_REQUEST, 'json: cannot unmarshal array into Go struct field NetworkingConfig.NetworkingConfig.EndpointsConfig of type network.EndpointSettings'],
  ['IPv4Address number', { NetworkingConfig: { EndpointsConfig: { bridge: { IPAMConfig: { IPv4Address: 1 } } } } }, CREATE_REQUEST, 'json: cannot unmarshal number into Go struct field EndpointIPAMConfig.NetworkingConfig.EndpointsConfig.IPAMConfig.IPv4Address of type string'],
  ['create body a list', [1, 2], CREATE_REQUEST, 'json: cannot unmarshal array into Go value of type runconfig.ContainerConfigWrapper'],
  ['exec Cmd string', { Cmd: 'ls' }, EXEC_CONFIG, 'json: cannot unmarshal string into Go struct field ExecConfig.Cmd of type []string'],
  ['exec body a list', [], EXEC_CONFIG, 'json: cannot unmarshal array into Go value of type types.ExecConfig'],
  ['exec start Detach string', { Detach: 'yes' }, EXEC_START, 'json: cannot unmarshal string into Go struct field ExecStartCheck.Detach of type bool'],
  ['network IPAM.Config object', { IPAM: { Config: {} } }, NETWORK_CREATE, 'json: cannot unmarshal object into Go struct field IPAM.IPAM.Config of type []network.IPAMConfig'],
  ['network Subnet number', { IPAM: { Config: [{ Subnet: 1 }] } }, NETWORK_CREATE, 'json: cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string'],
  ['connect Container list', { Container: [] }, NETWORK_CONNECT, 'json: cannot unmarshal array into Go struct field NetworkConnect.Container of type string'],
  ['connect Aliases string', { EndpointConfig: { Aliases: 'x' } }, NETWORK_CONNECT, 'json: cannot unmarshal string into Go struct field EndpointSettings.EndpointConfig.Aliases of type []string'],
  ['volume DriverOpts value', { DriverOpts: { a: 1 } }, VOLUME_CREATE, 'json: cannot unmarshal number into Go struct field VolumeCreateBody.DriverOpts of type string'],
  ['update RestartPolicy.Name', { RestartPolicy: { Name: 1 } }, UPDATE_CONFIG, 'json: cannot unmarshal number into Go struct field RestartPolicy.RestartPolicy.Name of type string'],
  ['auth username number', { username: 123 }, AUTH_CONFIG, 'json: cannot unmarshal number into Go struct field AuthConfig.username of type string'],
  ['build args a list', [1], BUILD_ARGS, 'json: cannot unmarshal array into Go value of type map[string]*string'],
  ['build arg value number', { a: 1 }, BUILD_ARGS, 'json: cannot unmarshal number into Go value of type string'],
];

test("wrong JSON types get dockerd's decoder message", () => {
  for (const [name, body, type, msg] of cases) assert.equal(wireTypeError(body, type), msg, name);
});

test('what Go accepts passes: null anywhere, unknown fields, StrSlice as a string, integers in range', () => {
  const ok: [unknown, Parameters<typeof wireTypeError>[1]][] = [
    [{ Image: 'busybox', Cmd: 'sh', Entrypoint: ['a', 'b'], Junk: { deep: [1, 'x'] }, HostConfig: null, NetworkingConfig: { EndpointsConfig: { bridge: null } } }, CREATE_REQUEST],
    [{ Image: null, Env: null, Labels: null, Healthcheck: { Test: null, Interval: 1e9 }, HostConfig: { Memory: 2 ** 40, PidsLimit: -1, ConsoleSize: [24, 80, 'extra'], Init: null } }, CREATE_REQUEST],
    [null, CREATE_REQUEST],
    [{ Detach: true }, EXEC_START],
  ];
  for (const [body, type] of ok) assert.equal(wireTypeError(body, type), undefined, JSON.stringify(body));
  // out of range for the Go type
  assert.equal(wireTypeError({ BlkioWeight: 70000 }, UPDATE_CONFIG), 'json: cannot unmarshal number 70000 into Go struct field UpdateConfig.BlkioWeight of type uint16');
  assert.equal(wireTypeError({ ConsoleSize: [-1, 80] }, EXEC_CONFIG), 'json: cannot unmarshal number -1 into Go struct field ExecConfig.ConsoleSize of type uint');
});

test('the first error in document order is reported', () => {
  assert.match(wireTypeError({ Tty: 'x', Image: 1 }, CREATE_REQUEST)!, /ContainerConfigWrapper\.Tty of type bool/);
  assert.match(wireTypeError({ Image: 1, Tty: 'x' }, CREATE_REQUEST)!, /ContainerConfigWrapper\.Image of type string/);
});

test('a StrSlice given as a string is a one-element list after the edge (CapAdd "ALL" was a 500: add.map is not a function)', () => {
  const body = decodeWire<{ Cmd: unknown; Entrypoint: unknown; HostConfig: { CapAdd: unknown; CapDrop: unknown } }>({ Cmd: 'sh', Entrypoint: ['a'], HostConfig: { CapAdd: 'ALL', CapDrop: null } }, CREATE_REQUEST);
  assert.deepEqual(body.Cmd, ['sh']);
  assert.deepEqual(body.Entrypoint, ['a']);
  assert.deepEqual(body.HostConfig.CapAdd, ['ALL']);
  assert.equal(body.HostConfig.CapDrop, null);
});

test('null elements become Go zero values, except behind pointers', () => {
  const body = decodeWire<{ Env: unknown[]; Cmd: unknown[]; HostConfig: { PortBindings: Record<string, unknown[]>; Ulimits: unknown[] }; Labels: Record<string, unknown> }>(
    { Env: [null, 'A=1'], Cmd: ['sh', null], Labels: { a: null }, HostConfig: { PortBindings: { '80/tcp': [null] }, Ulimits: [null] } }, CREATE_REQUEST);
  assert.deepEqual(body.Env, ['', 'A=1']);
  assert.deepEqual(body.Cmd, ['sh', '']);
  assert.deepEqual(body.Labels, { a: '' });
  assert.deepEqual(body.HostConfig.PortBindings, { '80/tcp': [{}] });
  assert.deepEqual(body.HostConfig.Ulimits, [null]);
  assert.deepEqual(decodeWire({ A: null, B: 'x' }, BUILD_ARGS), { A: null, B: 'x' });
});

test('decodeWire throws a 400-kind INVALID_JSON with the "invalid JSON: " prefix (dockerd >= 23 wording)', () => {
  assert.throws(() => decodeWire({ Image: 123 }, CREATE_REQUEST), (e: unknown) => {
    const err = e as { code: string; kind: string; message: string };
    return err.code === 'INVALID_JSON' && err.kind === 'invalid-argument' && err.message === 'invalid JSON: json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Image of type string';
  });
});

test('field names match in any case, as Go\'s: renamed to the field\'s own name, the exact one winning', () => {
  const T = struct('types.ExecConfig', { DetachKeys: str(), Tty: bool, Cmd: strSlice });
  const v: Record<string, unknown> = { detachKeys: 'ctrl-p', TTY: true, cmd: 'sh', other: 1 };
  assert.equal(wireTypeError(v, T), undefined);
  assert.deepEqual(v, { other: 1, DetachKeys: 'ctrl-p', Tty: true, Cmd: ['sh'] });
  const both: Record<string, unknown> = { detachkeys: 'a', DetachKeys: 'b' };
  assert.equal(wireTypeError(both, T), undefined);
  assert.deepEqual(both, { DetachKeys: 'b' });
  assert.equal(wireTypeError({ tty: 'yes' }, T), 'json: cannot unmarshal string into Go struct field ExecConfig.Tty of type bool');
});
