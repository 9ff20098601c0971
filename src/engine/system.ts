/**
 * engine/system — version and info, in Docker's shapes, from facts about
 * this host and daemon.
 */
import { release, arch as osArch, totalmem, cpus, hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { ContainerService } from './containers.js';
import type { ImageStore } from '../images/image-store.js';

export const BERTH_VERSION = '0.1.0';

export interface SystemInfoOptions {
  apiVersion: string;
  minApiVersion: string;
  dataRoot: string;
  execRoot: string;
  cgroupVersion: 1 | 2;
  /** the daemon's default log driver (`info`'s LoggingDriver) */
  logDriver?: string;
  /** dockerd's --seccomp-profile: "builtin", "unconfined" or a path (shown in `info`). */
  seccompProfile?: string;
  defaultRuntime: string;
  runtimes: Record<string, { path: string }>;
  daemonId: string;
  containers: ContainerService;
  images: ImageStore;
  debug: boolean;
  /** registry-mirrors and insecure-registries, as configured (for /info RegistryConfig) */
  registry?: { mirrors: string[]; insecureRegistries: string[] };
}

/** dockerd's /info RegistryConfig: loopback is always insecure; CIDR entries and hosts as given. */
export function registryConfig(r: { mirrors: string[]; insecureRegistries: string[] } | undefined) {
  const mirrors = (r?.mirrors ?? []).map((m) => m.replace(/\/*$/, '/'));
  const cidrs = ['127.0.0.0/8', ...(r?.insecureRegistries ?? []).filter((x) => x.includes('/') && x !== '127.0.0.0/8')];
  const indexConfigs: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }> = {
    'docker.io': { Name: 'docker.io', Mirrors: mirrors, Secure: true, Official: true },
  };
  for (const h of (r?.insecureRegistries ?? []).filter((x) => !x.includes('/'))) indexConfigs[h] = { Name: h, Mirrors: [], Secure: false, Official: false };
  return { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, InsecureRegistryCIDRs: cidrs, IndexConfigs: indexConfigs, Mirrors: mirrors.length ? mirrors : null };
}

function goArch(): string {
  const a = osArch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m ? m[1] : 'Linux';
  } catch {
    return 'Linux';
  }
}

export class SystemService {
  constructor(private readonly o: SystemInfoOptions) {}

  version() {
    const details = {
      ApiVersion: this.o.apiVersion,
      MinAPIVersion: this.o.minApiVersion,
      GitCommit: 'berth',
      GoVersion: `node ${process.version}`,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: release(),
      BuildTime: '',
    };
    return {
      Platform: { Name: 'berth' },
      Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: details }],
      Version: BERTH_VERSION,
      ...details,
    };
  }

  info() {
    const recs = this.o.containers.list();
    const count = (s: string) => recs.filter((r) => r.state.Status === s).length;
    return {
      ID: this.o.daemonId,
      Containers: recs.length,
      ContainersRunning: count('running'),
      ContainersPaused: count('paused'),
      ContainersStopped: recs.length - count('running') - count('paused'),
      Images: this.o.images.list().length,
      Driver: 'overlay',
      DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['json-file', 'k8s-file', 'local', 'none'] },
      MemoryLimit: true,
      SwapLimit: true,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      Debug: this.o.debug,
      NFd: 0,
      OomKillDisable: this.o.cgroupVersion === 1,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: this.o.logDriver ?? 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: String(this.o.cgroupVersion),
      NEventsListener: 0,
      KernelVersion: release(),
      OperatingSystem: osName(),
      OSVersion: '',
      OSType: 'linux',
      Architecture: osArch() === 'x64' ? 'x86_64' : osArch(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: registryConfig(this.o.registry),
      NCPU: cpus().length,
      MemTotal: totalmem(),
      GenericResources: null,
      DockerRootDir: this.o.dataRoot,
      HttpProxy: process.env.HTTP_PROXY ?? '',
      HttpsProxy: process.env.HTTPS_PROXY ?? '',
      NoProxy: process.env.NO_PROXY ?? '',
      Name: hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: BERTH_VERSION,
      Runtimes: Object.fromEntries(Object.entries(this.o.runtimes).map(([k, v]) => [k, { path: v.path }])),
      DefaultRuntime: this.o.defaultRuntime,
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: '',
      ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: '', Expected: '' },
      InitCommit: { ID: '', Expected: '' },
      SecurityOptions: [
        `name=seccomp,profile=${this.o.seccompProfile ?? 'builtin'}`,
        ...(this.o.cgroupVersion === 2 ? ['name=cgroupns'] : []),
      ],
      Warnings: [],
    };
  }
}
