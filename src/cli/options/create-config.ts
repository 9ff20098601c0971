/**
 * cli/options/create-config — `run`/`create` flags + IMAGE [COMMAND] [ARG...]
 * into the POST /containers/create body, as docker's cli/command/container/
 * opts.go does: env files then -e (later wins in the daemon), label files then
 * -l, memory units base 1024, --cpus to NanoCpus (exact decimal), restart
 * policies, ports, volumes. Pure: the environment and file reader are passed in.
 * Imports api types, errdefs, lib/units, cli/options/*.
 */
import type { ContainerCreateConfig, HostConfig, RestartPolicy } from '../../api/types.js';
import { invalidArgument } from '../../errdefs/errors.js';
import { parseRamSize, parseGoDuration } from '../../lib/units.js';
import type { CreateFlags } from './create-flags.js';
import { expandEnvFlag, kvListToMap, parseKvFile } from './kv-file.js';
import { parsePortSpecs } from './port-specs.js';
import { absolutizeVolumeFlag, parseMountFlag } from './mount-spec.js';

export interface CreateInputs {
  flags: CreateFlags;
  image: string;
  args: string[];
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
  /** for `-v ./rel:/ctr` (defaults to process.cwd()) */
  cwd?: string;
}

export interface CreateRequest {
  config: ContainerCreateConfig;
  name?: string;
  platform?: string;
}

/** pflag-style message for a bad flag value. */
function badFlag(flag: string, value: string, why: string): Error {
  return invalidArgument(`invalid argument "${value}" for "${flag}" flag: ${why}`);
}

function parseIntFlag(flag: string, value: string): number {
  if (!/^[-+]?\d+$/.test(value.trim())) throw badFlag(flag, value, `strconv.ParseInt: parsing "${value}": invalid syntax`);
  return parseInt(value, 10);
}

function parseBytes(flag: string, value: string): number {
  try {
    return parseRamSize(value);
  } catch (err) {
    throw badFlag(flag, value, (err as Error).message);
  }
}

/** "1.5" → 1500000000 exactly; more than 9 decimals is "too precise" (docker's NanoCPUs). */
export function parseNanoCpus(value: string): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || (m[1] === '' && !m[2])) throw badFlag('--cpus', value, `failed to parse ${value} as a rational number`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 9) throw badFlag('--cpus', value, 'value is too precise');
  return Number(m[1] || '0') * 1e9 + Number(frac.padEnd(9, '0') || '0');
}

export function parseRestartPolicy(value: string | undefined): RestartPolicy {
  if (value === undefined || value === '' || value === 'no') return { Name: 'no' };
  const [name, count, ...extra] = value.split(':');
  if (extra.length) throw invalidArgument(`invalid restart policy format: maximum retry count must be an integer`);
  switch (name) {
    case 'always':
    case 'unless-stopped':
      if (count !== undefined) throw invalidArgument(`invalid restart policy format: maximum retry count can only be used with 'on-failure'`);
      return { Name: name };
    case 'on-failure': {
      if (count === undefined) return { Name: 'on-failure' };
      if (!/^\d+$/.test(count)) throw invalidArgument(`invalid restart policy format: maximum retry count must be an integer`);
      return { Name: 'on-failure', MaximumRetryCount: Number(count) };
    }
    default:
      throw invalidArgument(`invalid restart policy format: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
}

/** Build the create request. Throws invalid-argument BerthErrors worded like docker's. */
/** `--device HOST[:CONTAINER][:PERMS]`, as docker's parseDevice. */
export function parseDeviceFlag(v: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = v.split(':');
  let perms = 'rwm';
  let src = parts[0];
  let dst = '';
  if (parts.length === 3) { dst = parts[1]; perms = parts[2]; }
  else if (parts.length === 2) { if (/^[rwm]{1,3}$/.test(parts[1])) perms = parts[1]; else dst = parts[1]; }
  else if (parts.length !== 1) throw badFlag('--device', v, `invalid device specification: ${v}`);
  if (!/^[rwm]{1,3}$/.test(perms)) throw badFlag('--device', v, `invalid device mode: ${perms}`);
  if (!src.startsWith('/')) throw badFlag('--device', v, `${src} is not an absolute path`);
  src = src.replace(/\/+$/, '') || '/';
  return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: perms };
}

/** `--ulimit NAME=SOFT[:HARD]` (-1 = unlimited), as docker's units.ParseUlimit. */
export function parseUlimitFlag(v: string): { Name: string; Soft: number; Hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(v);
  if (!m) throw badFlag('--ulimit', v, `invalid ulimit argument: ${v}`);
  const soft = Number(m[2]);
  const hard = m[3] !== undefined ? Number(m[3]) : soft;
  if (soft > hard && hard !== -1) throw badFlag('--ulimit', v, `ulimit soft limit must be less than hard limit: ${soft} > ${hard}`);
  return { Name: m[1], Soft: soft, Hard: hard };
}

/** `--security-opt seccomp=FILE` sends the profile's content, as the docker CLI does; other options go as given. */
export function securityOpt(opt: string, readFile: (path: string) => string): string {
  const at = opt.search(/[=:]/);
  if (at < 0 || opt.slice(0, at) !== 'seccomp') return opt;
  const v = opt.slice(at + 1);
  if (v === 'unconfined' || v === 'builtin') return `seccomp=${v}`;
  let text: string;
  try { text = readFile(v); } catch (err) { throw invalidArgument(`opening seccomp profile (${v}) failed: ${(err as Error).message}`); }
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) { throw invalidArgument(`compacting json for seccomp profile (${v}) failed: ${(err as Error).message}`); }
  return `seccomp=${JSON.stringify(json)}`;
}

export function buildCreateRequest(inp: CreateInputs): CreateRequest {
  const f = inp.flags;
  const lookup = (k: string) => inp.env[k];

  const env = [
    ...f.envFile.flatMap((file) => parseKvFile(inp.readFile(file), file, lookup)),
    ...f.env.map((e) => expandEnvFlag(e, lookup)),
  ];
  const labels = kvListToMap([
    ...f.labelFile.flatMap((file) => parseKvFile(inp.readFile(file), file)),
    ...f.label,
  ]);

  const restart = parseRestartPolicy(f.restart);
  if (f.rm && restart.Name !== 'no') throw invalidArgument('conflicting options: cannot specify both --restart and --rm');

  const ports = parsePortSpecs(f.publish);
  for (const e of f.expose) {
    const [p, proto = 'tcp'] = e.split('/');
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (!m) throw invalidArgument(`invalid range format for --expose: ${e}`);
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) ports.exposed[`${n}/${proto}`] = {};
  }

  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const v of f.volume) {
    if (v.includes(':')) binds.push(absolutizeVolumeFlag(v, inp.cwd ?? process.cwd()));
    else volumes[v] = {};
  }
  const mounts = (f.mount ?? []).map((v) => {
    try { return parseMountFlag(v); } catch (err) { throw badFlag('--mount', v, (err as Error).message); }
  });

  const host: HostConfig = {
    Binds: binds.length ? binds : null,
    ...(mounts.length ? { Mounts: mounts } : {}),
    ...(f.volumesFrom?.length ? { VolumesFrom: f.volumesFrom } : {}),
    ...(f.volumeDriver ? { VolumeDriver: f.volumeDriver } : {}),
    NetworkMode: f.network ?? 'default',
    PortBindings: Object.keys(ports.bindings).length ? ports.bindings : {},
    RestartPolicy: restart,
    ...(f.logDriver || f.logOpt.length ? { LogConfig: { Type: f.logDriver ?? '', Config: kvListToMap(f.logOpt) } } : {}),
    AutoRemove: !!f.rm,
    Privileged: !!f.privileged,
    CapAdd: f.capAdd.length ? f.capAdd : null,
    CapDrop: f.capDrop.length ? f.capDrop : null,
    SecurityOpt: f.securityOpt.length ? f.securityOpt.map((o) => securityOpt(o, inp.readFile)) : null,
    ReadonlyRootfs: !!f.readOnly,
    Dns: f.dns.length ? f.dns : null,
    DnsSearch: f.dnsSearch.length ? f.dnsSearch : null,
    DnsOptions: f.dnsOption.length ? f.dnsOption : null,
    PublishAllPorts: !!f.publishAll,
    ExtraHosts: f.addHost.length ? f.addHost : null,
  };
  if (f.memory !== undefined) host.Memory = parseBytes('-m, --memory', f.memory);
  if (f.memorySwap !== undefined) host.MemorySwap = f.memorySwap.trim() === '-1' ? -1 : parseBytes('--memory-swap', f.memorySwap);
  if (f.cpus !== undefined) host.NanoCpus = parseNanoCpus(f.cpus);
  if (f.pidsLimit !== undefined) host.PidsLimit = parseIntFlag('--pids-limit', f.pidsLimit);
  if (f.shmSize !== undefined) host.ShmSize = parseBytes('--shm-size', f.shmSize);
  if (f.init) host.Init = true;
  if (f.pid) host.PidMode = f.pid;
  if (f.link.length) host.Links = f.link;
  if (f.ipc) host.IpcMode = f.ipc;
  if (f.uts) host.UTSMode = f.uts;
  if (f.userns) host.UsernsMode = f.userns;
  if (f.cgroupns) host.CgroupnsMode = f.cgroupns as HostConfig['CgroupnsMode'];
  if (f.device.length) host.Devices = f.device.map(parseDeviceFlag);
  if (f.deviceCgroupRule.length) host.DeviceCgroupRules = f.deviceCgroupRule;
  if (f.ulimit.length) host.Ulimits = f.ulimit.map(parseUlimitFlag);
  if (f.sysctl.length) host.Sysctls = kvListToMap(f.sysctl);
  if (f.groupAdd.length) host.GroupAdd = f.groupAdd;
  if (f.runtime) host.Runtime = f.runtime;
  if (f.oomScoreAdj !== undefined) host.OomScoreAdj = parseIntFlag('--oom-score-adj', f.oomScoreAdj);
  if (f.oomKillDisable) host.OomKillDisable = true;
  if (f.cpuShares !== undefined) host.CpuShares = parseIntFlag('-c, --cpu-shares', f.cpuShares);
  if (f.cpusetCpus !== undefined) host.CpusetCpus = f.cpusetCpus;
  if (f.cpusetMems !== undefined) host.CpusetMems = f.cpusetMems;
  if (f.cpuQuota !== undefined) host.CpuQuota = parseIntFlag('--cpu-quota', f.cpuQuota);
  if (f.cpuPeriod !== undefined) host.CpuPeriod = parseIntFlag('--cpu-period', f.cpuPeriod);
  if (f.memoryReservation !== undefined) host.MemoryReservation = parseBytes('--memory-reservation', f.memoryReservation);
  if (f.tmpfs.length) {
    host.Tmpfs = {};
    for (const t of f.tmpfs) {
      const i = t.indexOf(':');
      host.Tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
    }
  }

  const attach = !f.detach;
  const config: ContainerCreateConfig = {
    Hostname: f.hostname ?? '',
    ...(f.domainname ? { Domainname: f.domainname } : {}),
    User: f.user ?? '',
    AttachStdin: attach && !!f.interactive,
    AttachStdout: attach,
    AttachStderr: attach,
    ExposedPorts: Object.keys(ports.exposed).length ? ports.exposed : {},
    Tty: !!f.tty,
    OpenStdin: !!f.interactive,
    StdinOnce: attach && !!f.interactive,
    Env: env,
    Cmd: inp.args.length ? inp.args : null,
    Image: inp.image,
    Volumes: Object.keys(volumes).length ? volumes : {},
    WorkingDir: f.workdir ?? '',
    // `--entrypoint ""` resets the image's entrypoint: docker sends [""].
    Entrypoint: f.entrypoint !== undefined ? [f.entrypoint] : null,
    Labels: labels,
    HostConfig: host,
    NetworkingConfig: { EndpointsConfig: endpointsConfig(f) },
  };
  const health = healthConfig(f);
  if (health) config.Healthcheck = health;
  if (f.stopSignal !== undefined) config.StopSignal = f.stopSignal;
  if (f.stopTimeout !== undefined) config.StopTimeout = parseIntFlag('--stop-timeout', f.stopTimeout);

  return { config, name: f.name, platform: f.platform };
}

/** --ip, --ip6, --link-local-ip, --network-alias and --mac-address configure the endpoint on the --network network (docker's opts.go parseNetworkOpts). */
function endpointsConfig(f: CreateFlags): Record<string, { IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] }; Aliases?: string[]; MacAddress?: string; Links?: string[] }> {
  const net = f.network ?? 'default';
  const predefined = ['default', 'bridge', 'host', 'none'].includes(net) || net.startsWith('container:');
  // as the docker CLI: --link also goes to a user-defined network's endpoint, where links are DNS aliases
  const links = !predefined && f.link.length ? f.link : [];
  const linkLocal = f.linkLocalIp ?? [];
  if (!f.ip && !f.ip6 && !linkLocal.length && !f.networkAlias.length && !f.macAddress && !links.length) return {};
  if (predefined && f.networkAlias.length) throw invalidArgument('network-scoped aliases are only supported for user-defined networks');
  return { [net]: { ...(f.ip || f.ip6 || linkLocal.length ? { IPAMConfig: { ...(f.ip ? { IPv4Address: f.ip } : {}), ...(f.ip6 ? { IPv6Address: f.ip6 } : {}), ...(linkLocal.length ? { LinkLocalIPs: linkLocal } : {}) } } : {}), ...(f.networkAlias.length ? { Aliases: f.networkAlias } : {}), ...(f.macAddress ? { MacAddress: f.macAddress } : {}), ...(links.length ? { Links: links } : {}) } };
}

/** --health-* and --no-healthcheck into Config.Healthcheck (durations in nanoseconds), with docker's conflicts. */
export function healthConfig(f: CreateFlags): ContainerCreateConfig['Healthcheck'] | undefined {
  const dur = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const ms = parseGoDuration(v);
    if (!Number.isFinite(ms) || ms < 0) throw invalidArgument(`${flag} cannot be negative`);
    return Math.round(ms * 1e6);
  };
  const any = f.healthCmd !== undefined || f.healthInterval !== undefined || f.healthTimeout !== undefined || f.healthRetries !== undefined || f.healthStartPeriod !== undefined;
  if (f.healthcheck === false) {
    if (any) throw invalidArgument('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  const retries = f.healthRetries !== undefined ? parseIntFlag('--health-retries', f.healthRetries) : undefined;
  if (retries !== undefined && retries < 0) throw invalidArgument('--health-retries cannot be negative');
  return {
    ...(f.healthCmd !== undefined ? { Test: ['CMD-SHELL', f.healthCmd] } : {}),
    Interval: dur('--health-interval', f.healthInterval), Timeout: dur('--health-timeout', f.healthTimeout),
    StartPeriod: dur('--health-start-period', f.healthStartPeriod), Retries: retries,
  };
}
