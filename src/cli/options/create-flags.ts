/**
 * cli/options/create-flags — the flags `run` and `create` share, registered
 * on a commander Command, and the shape commander hands back. Values stay
 * strings here; create-config.ts validates and converts them.
 * Imports commander only.
 */
import type { Command } from 'commander';

export interface CreateFlags {
  detach?: boolean;
  rm?: boolean;
  name?: string;
  env: string[];
  envFile: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  label: string[];
  labelFile: string[];
  hostname?: string;
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  pidsLimit?: string;
  restart?: string;
  logDriver?: string;
  logOpt: string[];
  stopSignal?: string;
  stopTimeout?: string;
  network?: string;
  init?: boolean;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthcheck?: boolean;
  detachKeys?: string;
  sigProxy?: boolean;
  privileged?: boolean;
  capAdd: string[];
  securityOpt: string[];
  capDrop: string[];
  publish: string[];
  expose: string[];
  volume: string[];
  mount: string[];
  volumesFrom: string[];
  volumeDriver?: string;
  interactive?: boolean;
  tty?: boolean;
  platform?: string;
  /** missing (default), always, never — when to pull the image before creating */
  pull?: string;
  readOnly?: boolean;
  tmpfs: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOption: string[];
  addHost: string[];
  publishAll?: boolean;
  ip?: string;
  ip6?: string;
  linkLocalIp: string[];
  macAddress?: string;
  networkAlias: string[];
  shmSize?: string;
  pid?: string;
  ipc?: string;
  uts?: string;
  userns?: string;
  cgroupns?: string;
  device: string[];
  deviceCgroupRule: string[];
  ulimit: string[];
  sysctl: string[];
  groupAdd: string[];
  runtime?: string;
  oomScoreAdj?: string;
  oomKillDisable?: boolean;
  cpuShares?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  cpuQuota?: string;
  cpuPeriod?: string;
  memoryReservation?: string;
  domainname?: string;
  link: string[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Register the shared flags. `run` also gets -d/--rm semantics; create accepts them too (as docker does for --rm). */
export function addCreateFlags(cmd: Command, opts: { run: boolean }): Command {
  if (opts.run) cmd.option('-d, --detach', 'Run container in background and print container ID');
  cmd
    .option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits')
    .option('--name <string>', 'Assign a name to the container')
    .option('-e, --env <list>', 'Set environment variables', collect, [])
    .option('--env-file <list>', 'Read in a file of environment variables', collect, [])
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-l, --label <list>', 'Set meta data on a container', collect, [])
    .option('--label-file <list>', 'Read in a line delimited file of labels', collect, [])
    .option('-h, --hostname <string>', 'Container host name')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--restart <string>', 'Restart policy to apply when a container exits')
    .option('--log-driver <string>', 'Logging driver for the container')
    .option('--log-opt <list>', 'Log driver options', collect, [])
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('--stop-timeout <int>', 'Timeout (in seconds) to stop a container')
    .option('--network <network>', 'Connect a container to a network')
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('--health-cmd <string>', 'Command to run to check health')
    .option('--health-interval <duration>', 'Time between running the check (ms|s|m|h)')
    .option('--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h)')
    .option('--health-retries <int>', 'Consecutive failures needed to report unhealthy')
    .option('--health-start-period <duration>', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)')
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--sig-proxy [bool]', 'Proxy received signals to the process', (v: string) => v !== 'false', true)
    .option('--privileged', 'Give extended privileges to this container')
    .option('--cap-add <list>', 'Add Linux capabilities', collect, [])
    .option('--cap-drop <list>', 'Drop Linux capabilities', collect, [])
    .option('--security-opt <list>', 'Security Options', collect, [])
    .option('-p, --publish <list>', "Publish a container's port(s) to the host", collect, [])
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--ip <string>', 'IPv4 address (e.g., 172.30.100.104)')
    .option('--ip6 <string>', 'IPv6 address (e.g., 2001:db8::33)')
    .option('--link-local-ip <list>', 'Container IPv4/IPv6 link-local addresses', collect, [])
    .option('--mac-address <string>', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)')
    .option('--network-alias <list>', 'Add network-scoped alias for the container', collect, [])
    .option('--expose <list>', 'Expose a port or a range of ports', collect, [])
    .option('-v, --volume <list>', 'Bind mount a volume', collect, [])
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect, [])
    .option('--volumes-from <list>', 'Mount volumes from the specified container(s)', collect, [])
    .option('--volume-driver <string>', 'Optional volume driver for the container')
    .option('--tmpfs <list>', 'Mount a tmpfs directory', collect, [])
    .option('--dns <list>', 'Set custom DNS servers', collect, [])
    .option('--dns-search <list>', 'Set custom DNS search domains', collect, [])
    .option('--dns-option <list>', 'Set DNS options', collect, [])
    .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', collect, [])
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--pid <string>', 'PID namespace to use')
    .option('--ipc <string>', 'IPC mode to use')
    .option('--uts <string>', 'UTS namespace to use')
    .option('--userns <string>', 'User namespace to use')
    .option('--cgroupns <string>', 'Cgroup namespace to use (host|private)')
    .option('--device <list>', 'Add a host device to the container', collect, [])
    .option('--device-cgroup-rule <list>', 'Add a rule to the cgroup allowed devices list', collect, [])
    .option('--ulimit <ulimit>', 'Ulimit options', collect, [])
    .option('--sysctl <map>', 'Sysctl options', collect, [])
    .option('--group-add <list>', 'Add additional groups to join', collect, [])
    .option('--runtime <string>', 'Runtime to use for this container')
    .option('--oom-score-adj <int>', "Tune host's OOM preferences (-1000 to 1000)")
    .option('--oom-kill-disable', 'Disable OOM Killer')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--domainname <string>', 'Container NIS domain name')
    .option('--link <list>', 'Add link to another container', collect, [])
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--pull <string>', 'Pull image before running ("always", "missing", "never")', 'missing')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY');
  return cmd;
}
