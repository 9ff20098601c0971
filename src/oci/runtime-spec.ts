/** oci/runtime-spec — the subset of the OCI runtime spec (config.json) berth writes. Types only. */
export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface LinuxCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface DeviceCgroup {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}

export interface LinuxResources {
  devices?: DeviceCgroup[];
  memory?: { limit?: number; swap?: number; reservation?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight?: number };
}

/** One argument comparison of a seccomp rule (`SCMP_CMP_MASKED_EQ`: `value` is the mask, `valueTwo` the datum). */
export interface LinuxSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';
}

/** Rules for some syscalls: the comparisons of one rule are ANDed, rules for the same syscall ORed. */
export interface LinuxSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: LinuxSyscall[];
}

export interface RuntimeSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: LinuxCapabilities;
    noNewPrivileges?: boolean;
    oomScoreAdj?: number;
    apparmorProfile?: string;
    rlimits?: { type: string; hard: number; soft: number }[];
  };
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: Mount[];
  linux: {
    namespaces: { type: string; path?: string }[];
    resources?: LinuxResources;
    cgroupsPath?: string;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    sysctl?: Record<string, string>;
    devices?: { path: string; type: string; major: number; minor: number; fileMode?: number; uid?: number; gid?: number }[];
    seccomp?: LinuxSeccomp;
  };
  annotations?: Record<string, string>;
}
