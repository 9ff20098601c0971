/**
 * engine/container-config — turn a create request and the image's config
 * into the stored container config, the way Docker merges them: Env merged
 * by key over the image's (PATH defaulted), Entrypoint + Cmd (a given
 * Entrypoint drops the image's Cmd), WorkingDir, User, Labels, StopSignal,
 * ExposedPorts, Volumes, Healthcheck. Also validates HostConfig resources
 * with Docker's messages. Pure.
 */
import { invalidArgument } from '../errdefs/errors.js';
import type { ImageRunConfig } from '../oci/image.js';
import type { ContainerConfig, CreateRequest, HostConfig } from './container-types.js';
import { validateLogConfig, type LogConfig } from './log-config.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validateName(name: string): string {
  if (!NAME_RE.test(name)) throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 'INVALID_NAME');
  return name.replace(/^\//, '');
}

function strList(v: string[] | string | null | undefined): string[] | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  return typeof v === 'string' ? [v] : v;
}

export function mergeEnv(base: string[], over: string[]): string[] {
  const out = [...base];
  for (const e of over) {
    const key = e.split('=')[0];
    if (!key) throw invalidArgument(`invalid environment variable: ${e}`);
    const i = out.findIndex((x) => x.split('=')[0] === key);
    // "FOO" without a value (a client's `-e FOO` with FOO unset) is recorded as given too, as dockerd
    // does: it replaces the image's FOO, and the process gets no FOO at all (see processEnv)
    if (i >= 0) out[i] = e; else out.push(e);
  }
  return out;
}

/** The environment a container's process gets: entries without a value are left out (dockerd's ReplaceOrAppendEnvValues). */
export function processEnv(env: readonly string[]): string[] {
  return env.filter((e) => e.includes('='));
}

export interface MergedConfig {
  config: ContainerConfig;
  path: string;
  args: string[];
}

export function mergeConfig(req: CreateRequest, image: ImageRunConfig, imageRef: string): MergedConfig {
  const userEntrypoint = strList(req.Entrypoint);
  const userCmd = strList(req.Cmd);
  let entrypoint: string[] | null;
  let cmd: string[] | null;
  if (userEntrypoint !== undefined && userEntrypoint !== null) {
    // `--entrypoint ""` resets the image's entrypoint
    entrypoint = userEntrypoint.length === 1 && userEntrypoint[0] === '' ? null : userEntrypoint;
    cmd = userCmd && userCmd.length ? userCmd : null;
  } else {
    entrypoint = image.Entrypoint && image.Entrypoint.length ? image.Entrypoint : null;
    cmd = userCmd && userCmd.length ? userCmd : image.Cmd && image.Cmd.length ? image.Cmd : null;
  }
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (argv.length === 0) throw invalidArgument('no command specified');

  let env = mergeEnv(image.Env ?? [], req.Env ?? []);
  if (!env.some((e) => e.startsWith('PATH='))) env = [`PATH=${DEFAULT_PATH}`, ...env];

  const config: ContainerConfig = {
    Hostname: req.Hostname ?? '',
    Domainname: req.Domainname ?? '',
    User: req.User || image.User || '',
    AttachStdin: !!req.AttachStdin,
    AttachStdout: req.AttachStdout ?? false,
    AttachStderr: req.AttachStderr ?? false,
    ExposedPorts: { ...(image.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) },
    Tty: !!req.Tty,
    OpenStdin: !!req.OpenStdin,
    StdinOnce: !!req.StdinOnce,
    Env: env,
    Cmd: cmd,
    Healthcheck: req.Healthcheck ?? image.Healthcheck,
    Image: imageRef,
    Volumes: req.Volumes || image.Volumes ? { ...(image.Volumes ?? {}), ...(req.Volumes ?? {}) } : null,
    WorkingDir: req.WorkingDir || image.WorkingDir || '',
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: { ...(image.Labels ?? {}), ...(req.Labels ?? {}) },
    StopSignal: req.StopSignal || image.StopSignal || undefined,
    StopTimeout: req.StopTimeout ?? undefined,
  };
  if (config.WorkingDir && !config.WorkingDir.startsWith('/')) {
    throw invalidArgument(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  if (!Object.keys(config.ExposedPorts ?? {}).length) delete config.ExposedPorts;
  return { config, path: argv[0], args: argv.slice(1) };
}

const MIN_MEMORY = 6 * 1024 * 1024;

/** Docker's HostConfig checks (daemon/daemon_unix.go verifyPlatformContainerResources and friends). */
/**
 * The logging driver clients see for records made before log drivers
 * (engine/log-config) existed, stored as k8s-file: conmon writes CRI's
 * k8s-file format, but to the API it is Docker's default `json-file` (logs
 * can be read back): docker-py's containers.run and docker-compose only read
 * logs for json-file/journald.
 */
export const LOG_DRIVER = 'json-file';

/**
 * The container ports of Config.ExposedPorts ("80/tcp", "53/udp"): each must
 * be a port number, as dockerd's verifyContainerSettings checks with
 * nat.ParsePort ("abc/xyz" is 'invalid port specification: "abc"').
 */
export function validateExposedPorts(exposed: Record<string, unknown> | undefined): void {
  for (const key of Object.keys(exposed ?? {})) {
    const port = key.includes('/') ? key.slice(0, key.indexOf('/')) : key;
    if (port !== '' && (!/^\d+$/.test(port) || Number(port) > 65535)) throw invalidArgument(`invalid port specification: ${JSON.stringify(port)}`);
  }
}

export function validateHostConfig(hc: HostConfig, opts: { ncpu: number; logDefault?: LogConfig }): HostConfig {
  const out: HostConfig = { ...hc };
  const num = (v: unknown, field: string) => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isInteger(v)) throw invalidArgument(`invalid value for ${field}: ${JSON.stringify(v)}`);
    return v;
  };
  const mem = num(hc.Memory, 'Memory') ?? 0;
  if (mem < 0) throw invalidArgument('invalid memory limit: must be a positive number');
  if (mem > 0 && mem < MIN_MEMORY) throw invalidArgument('Minimum memory limit allowed is 6MB');
  const swap = num(hc.MemorySwap, 'MemorySwap') ?? 0;
  if (swap > 0 && mem === 0) throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (swap > 0 && swap < mem) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  const nano = num(hc.NanoCpus, 'NanoCpus') ?? 0;
  if (nano < 0 || nano > opts.ncpu * 1e9) {
    throw invalidArgument(`Range of CPUs is from 0.01 to ${opts.ncpu.toFixed(2)}, as there are only ${opts.ncpu} CPUs available`);
  }
  if (nano > 0 && nano < 1e7) throw invalidArgument(`Range of CPUs is from 0.01 to ${opts.ncpu.toFixed(2)}, as there are only ${opts.ncpu} CPUs available`);
  if (nano > 0 && (hc.CpuPeriod ?? 0) > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && (hc.CpuQuota ?? 0) > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  const cq = num(hc.CpuQuota, 'CpuQuota') ?? 0;
  if (cq !== 0 && cq < 1000) throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  num(hc.CpuShares, 'CpuShares');
  // 0 and any negative PidsLimit mean "unlimited" (dockerd, API ≥ 1.40): none is recorded
  const pids = num(hc.PidsLimit, 'PidsLimit');
  if (pids !== undefined && pids <= 0) out.PidsLimit = null;
  const rp = hc.RestartPolicy?.Name ?? '';
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(rp)) throw invalidArgument(`invalid restart policy '${rp}'`);
  if ((hc.RestartPolicy?.MaximumRetryCount ?? 0) < 0) throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (rp !== 'on-failure' && (hc.RestartPolicy?.MaximumRetryCount ?? 0) > 0) throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (hc.AutoRemove && rp && rp !== 'no') throw invalidArgument(`can't create 'AutoRemove' container with restart policy`);
  const nm = hc.NetworkMode ?? '';
  if (typeof nm !== 'string') throw invalidArgument('invalid NetworkMode: must be a string');
  out.NetworkMode = nm === '' || nm === 'default' ? 'bridge' : nm;
  out.RestartPolicy = { Name: (rp || 'no') as 'no', MaximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0 };
  out.LogConfig = validateLogConfig(hc.LogConfig, opts.logDefault ?? { Type: 'json-file', Config: {} });
  return out;
}
