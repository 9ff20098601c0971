/**
 * server/wire-schemas — the Go types dockerd decodes each JSON body into,
 * as data for server/wire-decode: field names as on the wire, Go type
 * names as dockerd 20.10's decoder messages print them (its struct names:
 * runconfig.ContainerConfigWrapper, types.ExecConfig, …), plus the fields
 * later API versions added (HostConfig.Annotations, Mount.ImageOptions,
 * EndpointSettings.GwPriority, ExecConfig.ConsoleSize, …) so clients up to
 * API 1.50 are checked too. Written from moby's api/types (read, not
 * copied); a field missing here is simply not type-checked.
 *
 * May import: nothing but server/wire-decode.
 */
import { anyJson, arrayOf, bool, embedding, goInt, int64, mapOf, sliceOf, str, strSlice, struct, uint, uint16, uint32, uint64, type WireType } from './wire-decode.js';

const strings = sliceOf(str());
const stringMap = mapOf(str());
const duration = int64('time.Duration');

export const HEALTH_CONFIG = struct('container.HealthConfig', {
  Test: strings, Interval: duration, Timeout: duration, StartPeriod: duration, StartInterval: duration, Retries: goInt,
});

const portSet = mapOf(struct('struct {}', {}), { name: 'nat.PortSet' });

/** container.Config (embedded in the create and commit bodies). */
export const CONTAINER_CONFIG = struct('container.Config', {
  Hostname: str(), Domainname: str(), User: str(),
  AttachStdin: bool, AttachStdout: bool, AttachStderr: bool,
  ExposedPorts: portSet, Tty: bool, OpenStdin: bool, StdinOnce: bool,
  Env: strings, Cmd: strSlice, Healthcheck: HEALTH_CONFIG, ArgsEscaped: bool, Image: str(),
  Volumes: mapOf(struct('struct {}', {})), WorkingDir: str(), Entrypoint: strSlice,
  NetworkDisabled: bool, MacAddress: str(), OnBuild: strings, Labels: stringMap,
  StopSignal: str(), StopTimeout: goInt, Shell: strSlice,
});

const weightDevice = struct('blkiodev.WeightDevice', { Path: str(), Weight: uint16 });
const throttleDevice = struct('blkiodev.ThrottleDevice', { Path: str(), Rate: uint64 });
const deviceMapping = struct('container.DeviceMapping', { PathOnHost: str(), PathInContainer: str(), CgroupPermissions: str() });
const deviceRequest = struct('container.DeviceRequest', { Driver: str(), Count: goInt, DeviceIDs: strings, Capabilities: sliceOf(strings), Options: stringMap });
const ulimit = struct('units.Ulimit', { Name: str(), Hard: int64(), Soft: int64() });

/** container.Resources: embedded in HostConfig and UpdateConfig. */
export const RESOURCES = struct('container.Resources', {
  CpuShares: int64(), Memory: int64(), NanoCpus: int64(), CgroupParent: str(), BlkioWeight: uint16,
  BlkioWeightDevice: sliceOf(weightDevice, { ptr: true }),
  BlkioDeviceReadBps: sliceOf(throttleDevice, { ptr: true }), BlkioDeviceWriteBps: sliceOf(throttleDevice, { ptr: true }),
  BlkioDeviceReadIOps: sliceOf(throttleDevice, { ptr: true }), BlkioDeviceWriteIOps: sliceOf(throttleDevice, { ptr: true }),
  CpuPeriod: int64(), CpuQuota: int64(), CpuRealtimePeriod: int64(), CpuRealtimeRuntime: int64(),
  CpusetCpus: str(), CpusetMems: str(), Devices: sliceOf(deviceMapping), DeviceCgroupRules: strings,
  DeviceRequests: sliceOf(deviceRequest), KernelMemory: int64(), KernelMemoryTCP: int64(),
  MemoryReservation: int64(), MemorySwap: int64(), MemorySwappiness: int64(), OomKillDisable: bool,
  PidsLimit: int64(), Ulimits: sliceOf(ulimit, { ptr: true }), CpuCount: int64(), CpuPercent: int64(),
  IOMaximumIOps: uint64, IOMaximumBandwidth: uint64,
});

export const RESTART_POLICY = struct('container.RestartPolicy', { Name: str(), MaximumRetryCount: goInt });
const logConfig = struct('container.LogConfig', { Type: str(), Config: stringMap });
const portBinding = struct('nat.PortBinding', { HostIp: str(), HostPort: str() });

const mount = struct('mount.Mount', {
  Type: str('mount.Type'), Source: str(), Target: str(), ReadOnly: bool, Consistency: str('mount.Consistency'),
  BindOptions: struct('mount.BindOptions', { Propagation: str('mount.Propagation'), NonRecursive: bool, CreateMountpoint: bool, ReadOnlyNonRecursive: bool, ReadOnlyForceRecursive: bool }),
  VolumeOptions: struct('mount.VolumeOptions', { NoCopy: bool, Labels: stringMap, Subpath: str(), DriverConfig: struct('mount.Driver', { Name: str(), Options: stringMap }) }),
  ImageOptions: struct('mount.ImageOptions', { Subpath: str() }),
  TmpfsOptions: struct('mount.TmpfsOptions', { SizeBytes: int64(), Mode: { ...uint32, name: 'os.FileMode' }, Options: sliceOf(strings) }),
  ClusterOptions: struct('mount.ClusterOptions', {}),
});

export const HOST_CONFIG = embedding('container.HostConfig', [RESOURCES], {
  Binds: strings, ContainerIDFile: str(), LogConfig: logConfig, NetworkMode: str('container.NetworkMode'),
  PortBindings: mapOf(sliceOf(portBinding), { name: 'nat.PortMap' }), RestartPolicy: RESTART_POLICY,
  AutoRemove: bool, VolumeDriver: str(), VolumesFrom: strings, ConsoleSize: arrayOf(uint, 2), Annotations: stringMap,
  CapAdd: strSlice, CapDrop: strSlice, CgroupnsMode: str('container.CgroupnsMode'),
  Dns: strings, DnsOptions: strings, DnsSearch: strings, ExtraHosts: strings, GroupAdd: strings,
  IpcMode: str('container.IpcMode'), Cgroup: str('container.CgroupSpec'), Links: strings, OomScoreAdj: goInt,
  PidMode: str('container.PidMode'), Privileged: bool, PublishAllPorts: bool, ReadonlyRootfs: bool,
  SecurityOpt: strings, StorageOpt: stringMap, Tmpfs: stringMap, UTSMode: str('container.UTSMode'),
  UsernsMode: str('container.UsernsMode'), ShmSize: int64(), Sysctls: stringMap, Runtime: str(),
  Isolation: str('container.Isolation'), Mounts: sliceOf(mount), MaskedPaths: strings, ReadonlyPaths: strings, Init: bool,
});

const endpointIpam = struct('network.EndpointIPAMConfig', { IPv4Address: str(), IPv6Address: str(), LinkLocalIPs: strings });

export const ENDPOINT_SETTINGS = struct('network.EndpointSettings', {
  IPAMConfig: endpointIpam, Links: strings, Aliases: strings, DriverOpts: stringMap, GwPriority: goInt,
  NetworkID: str(), EndpointID: str(), Gateway: str(), IPAddress: str(), IPPrefixLen: goInt,
  IPv6Gateway: str(), GlobalIPv6Address: str(), GlobalIPv6PrefixLen: goInt, MacAddress: str(), DNSNames: strings,
});

export const NETWORKING_CONFIG = struct('network.NetworkingConfig', { EndpointsConfig: mapOf(ENDPOINT_SETTINGS, { ptr: true }) });

/** POST /containers/create: container.Config with HostConfig and NetworkingConfig beside it. */
export const CREATE_REQUEST = embedding('runconfig.ContainerConfigWrapper', [CONTAINER_CONFIG], { HostConfig: HOST_CONFIG, NetworkingConfig: NETWORKING_CONFIG });

/** POST /commit: dockerd decodes the config with the same wrapper. */
export const COMMIT_CONFIG = CREATE_REQUEST;

/** POST /containers/{id}/update */
export const UPDATE_CONFIG = embedding('container.UpdateConfig', [RESOURCES], { RestartPolicy: RESTART_POLICY });

/** POST /containers/{id}/exec */
export const EXEC_CONFIG = struct('types.ExecConfig', {
  User: str(), Privileged: bool, Tty: bool, ConsoleSize: arrayOf(uint, 2), AttachStdin: bool, AttachStderr: bool, AttachStdout: bool,
  Detach: bool, DetachKeys: str(), Env: strings, WorkingDir: str(), Cmd: strings,
});

/** POST /exec/{id}/start */
export const EXEC_START = struct('types.ExecStartCheck', { Detach: bool, Tty: bool, ConsoleSize: arrayOf(uint, 2) });

const ipamConfig = struct('network.IPAMConfig', { Subnet: str(), IPRange: str(), Gateway: str(), AuxiliaryAddresses: stringMap });
const ipam = struct('network.IPAM', { Driver: str(), Options: stringMap, Config: sliceOf(ipamConfig) });

/** POST /networks/create */
export const NETWORK_CREATE = struct('types.NetworkCreateRequest', {
  Name: str(), CheckDuplicate: bool, Driver: str(), Scope: str(), EnableIPv4: bool, EnableIPv6: bool, IPAM: ipam,
  Internal: bool, Attachable: bool, Ingress: bool, ConfigOnly: bool, ConfigFrom: struct('network.ConfigReference', { Network: str() }),
  Options: stringMap, Labels: stringMap,
});

/** POST /networks/{id}/connect */
export const NETWORK_CONNECT = struct('types.NetworkConnect', { Container: str(), EndpointConfig: ENDPOINT_SETTINGS });

/** POST /networks/{id}/disconnect */
export const NETWORK_DISCONNECT = struct('types.NetworkDisconnect', { Container: str(), Force: bool });

/** POST /volumes/create */
export const VOLUME_CREATE = struct('volume.VolumeCreateBody', { Name: str(), Driver: str(), DriverOpts: stringMap, Labels: stringMap, ClusterVolumeSpec: anyJson });

/** POST /auth and the X-Registry-Auth header (lower-case JSON names, as Docker's AuthConfig). */
export const AUTH_CONFIG = struct('types.AuthConfig', {
  username: str(), password: str(), auth: str(), email: str(), serveraddress: str(), identitytoken: str(), registrytoken: str(),
});

/** POST /build query parameters that carry JSON. */
export const BUILD_ARGS: WireType = mapOf(str(), { ptr: true });
export const BUILD_LABELS: WireType = stringMap;
export const BUILD_CACHE_FROM: WireType = strings;
export const BUILD_ULIMITS: WireType = sliceOf(ulimit, { ptr: true });
