/**
 * engine/container-types — the container record berth persists, in
 * Docker's vocabulary (Config, HostConfig, State), plus the create request.
 */
import type { HealthConfig } from '../oci/image.js';
import type { ContainerNetState } from './network-types.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Docker's container.Config as stored and as returned by inspect. */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Healthcheck?: HealthConfig;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  /** Deprecated container-wide MAC address (API < 1.44; newer clients set it per endpoint). */
  MacAddress?: string;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface RestartPolicy { Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure'; MaximumRetryCount?: number }

/** The subset of Docker's HostConfig berth honours (unknown fields are kept as given). */
export interface HostConfig {
  NetworkMode?: string;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpusetCpus?: string;
  PidsLimit?: number | null;
  OomKillDisable?: boolean;
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  GroupAdd?: string[] | null;
  Init?: boolean | null;
  ShmSize?: number;
  Sysctls?: Record<string, string>;
  ExtraHosts?: string[] | null;
  Dns?: string[] | null;
  DnsSearch?: string[] | null;
  DnsOptions?: string[] | null;
  Binds?: string[] | null;
  Mounts?: unknown[] | null;
  VolumesFrom?: string[] | null;
  VolumeDriver?: string;
  Tmpfs?: Record<string, string> | null;
  PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
  PublishAllPorts?: boolean;
  LogConfig?: { Type: string; Config: Record<string, string> };
  OomScoreAdj?: number;
  SecurityOpt?: string[] | null;
  /** /proc and /sys paths masked in the container; null/absent = the defaults (API ≥ 1.40). */
  MaskedPaths?: string[] | null;
  /** paths mounted read-only; null/absent = the defaults (API ≥ 1.40). */
  ReadonlyPaths?: string[] | null;
  [k: string]: unknown;
}

export interface ContainerState {
  Status: ContainerStatus;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  OOMKilled: boolean;
  /** conmon's PID while running (berth-specific, not in the API). */
  monitorPid?: number;
  /** set when a user stop/kill ended the container (restart policies skip it). */
  stoppedByUser?: boolean;
  /** The current (or last) run's ID, new at every start: timers and exit handling act on their own run only (engine/run-scopes). */
  runId?: string;
  /** HEALTHCHECK state while the container runs with one (engine/health.ts). */
  Health?: HealthState;
}

export interface HealthLogEntry { Start: string; End: string; ExitCode: number; Output: string }
export interface HealthState { Status: 'starting' | 'healthy' | 'unhealthy'; FailingStreak: number; Log: HealthLogEntry[] }

/**
 * A mount point as stored with the container: Docker's MountPoint fields
 * (shown by inspect) plus what berth needs to set it up at every start.
 */
export interface ContainerMount {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** volume name */
  Name?: string;
  /** host path: the bind source, or the volume's data directory; '' for tmpfs */
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** copy the image's content at Destination into the volume while it is empty (Docker's copy-up) */
  CopyData?: boolean;
  /** an anonymous volume: removed with the container by `rm -v` / `--rm` */
  Anonymous?: boolean;
  /** bind-nonrecursive */
  NonRecursive?: boolean;
  /** tmpfs mount data (size=…,mode=…) */
  TmpfsData?: string;
  /** `-v /host:/ctr`: a missing host directory is created at start (`--mount` refuses instead) */
  CreateHostPath?: boolean;
  /** from HostConfig.Tmpfs (`--tmpfs`): Docker does not list these in Mounts */
  Hidden?: boolean;
}

export interface ContainerRecord {
  id: string;
  name: string;
  imageId: string;
  created: string;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  restartCount: number;
  /** Chain IDs of the image's layers, lowest first, frozen at create. */
  layers: string[];
  runtime: string;
  /** volumes, binds and tmpfs mounts, resolved at create */
  mounts?: ContainerMount[];
  /** set while `rm` is in progress; reconcile finishes it. */
  removing?: boolean;
  /** `rm -v`: remove anonymous volumes when the removal finishes */
  removeVolumes?: boolean;
  /** Network attachments (configured at create/connect, live while running); see engine/network-types. */
  net?: ContainerNetState;
}

/** The body of POST /containers/create: Config fields plus HostConfig and NetworkingConfig. */
export interface CreateRequest extends Partial<Omit<ContainerConfig, 'Cmd' | 'Entrypoint' | 'Env' | 'Labels'>> {
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  Labels?: Record<string, string> | null;
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null; Links?: string[] | null; DriverOpts?: Record<string, string> | null; MacAddress?: string } | null> | null } | null;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
