/**
 * daemon/config — berthd's configuration from flags (dockerd's names) and a
 * JSON file with dockerd's daemon.json keys. A key given both ways is an
 * error, as in dockerd. The only module that reads configuration.
 */
import { parseArgs } from 'node:util';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { invalidArgument } from '../errdefs/errors.js';
import { isLogLevel, type LogLevel } from '../lib/log.js';
import { normalizeMirror } from '../distribution/registry-hosts.js';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  logLevel: LogLevel;
  defaultRuntime: string;
  runtimes: Record<string, { path: string }>;
  cgroupParent: string;
  configFile: string;
  conmonPath?: string;
  /** Pull-through mirrors of Docker Hub, tried before it (dockerd's registry-mirrors). */
  registryMirrors: string[];
  /** Registries reached without TLS verification / over plain HTTP (host[:port] or CIDR). */
  insecureRegistries: string[];
  /** TLS for TCP hosts (dockerd's --tls, --tlsverify, --tlscacert, --tlscert, --tlskey); undefined = plain. */
  tls?: { cert: string; key: string; ca?: string; verify: boolean };
  /** Log driver and options of containers that name none (dockerd's log-driver / log-opts). */
  logDriver: string;
  logOpts: Record<string, string>;
  /** Default seccomp profile of containers: "builtin" (berth's), "unconfined", or a Docker-format JSON file (dockerd's --seccomp-profile). */
  seccompProfile: string;
  network: NetworkConfig;
}

/** Networking flags (dockerd's names, plus berth's --network-prefix and --cni-path). */
export interface NetworkConfig {
  /** Linux bridge of the default `bridge` network (-b/--bridge). */
  bridge: string;
  /** The default bridge's own address and prefix (--bip). */
  bip: string;
  /** Sub-range containers on the default bridge get addresses from (--fixed-cidr). */
  fixedCidr?: string;
  /** Pools user-defined networks get subnets from (--default-address-pool base=CIDR,size=N). */
  defaultAddressPools: { base: string; size: number }[];
  /** Prefix of user network bridges, iptables chains and CNI network names (≤ 10 letters/digits). */
  prefix: string;
  /** Directories holding the CNI plugins. */
  cniPath: string[];
}

export const DEFAULTS = {
  host: 'unix:///run/berth/berth.sock',
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  configFile: '/etc/berth/daemon.json',
  cgroupParent: 'berth',
  bridge: 'berth0',
  bip: '10.209.0.1/16',
  defaultAddressPool: { base: '10.210.0.0/15', size: 24 },
  networkPrefix: 'berth',
  cniPath: ['/usr/lib/cni', '/opt/cni/bin'],
};

export const USAGE = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, speaking the Docker Engine API.

Options:
      --config-file string       Daemon configuration file (default "${DEFAULTS.configFile}")
      --data-root string         Root directory of persistent berth state (default "${DEFAULTS.dataRoot}")
      --exec-root string         Root directory for execution state files (default "${DEFAULTS.execRoot}")
  -H, --host list                Daemon socket(s) to connect to (default ${DEFAULTS.host})
      --tls                      Use TLS on TCP hosts; implied by --tlsverify (--tls=false: plain TCP even off loopback)
      --tlsverify                Use TLS and require clients to present a certificate signed by --tlscacert
      --tlscacert string         Trust certs signed only by this CA
      --tlscert string           Path to the TLS certificate file
      --tlskey string            Path to the TLS key file
  -l, --log-level string         Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -D, --debug                    Enable debug mode
  -p, --pidfile string           Path to use for daemon PID file (default "<exec-root>/berthd.pid")
      --default-runtime string   Default OCI runtime for containers (default "runc")
      --add-runtime name=path    Register an additional OCI runtime
      --cgroup-parent string     Parent cgroup for all containers (default "${DEFAULTS.cgroupParent}")
      --conmon string            Path of the conmon container monitor (default: found in PATH)
      --registry-mirror list     Preferred Docker Hub mirror (repeatable)
      --insecure-registry list   Registry to reach without TLS checks / over HTTP (host[:port] or CIDR; repeatable)
      --seccomp-profile string   Path to a seccomp profile; "unconfined" disables the default one (default "builtin")
      --log-driver string        Default driver for container logs (default "json-file")
      --log-opt map              Default log driver options for containers (key=value; repeatable)
  -b, --bridge string            Linux bridge of the default "bridge" network (default "${DEFAULTS.bridge}")
      --bip string               The default bridge's address and prefix (default "${DEFAULTS.bip}")
      --fixed-cidr string        IPv4 sub-range of --bip for container addresses
      --default-address-pool     Pool for user-defined networks: base=CIDR,size=N (repeatable; default base=${DEFAULTS.defaultAddressPool.base},size=${DEFAULTS.defaultAddressPool.size})
      --network-prefix string    Prefix of berth's bridges, iptables chains and CNI network names (default "${DEFAULTS.networkPrefix}")
      --cni-path string          Directories of the CNI plugins, colon-separated (default "${DEFAULTS.cniPath.join(':')}")
  -v, --version                  Print version information and quit
`;

const FILE_KEYS: Record<string, keyof DaemonConfig | 'debug'> = {
  hosts: 'hosts',
  'data-root': 'dataRoot',
  'exec-root': 'execRoot',
  pidfile: 'pidfile',
  'log-level': 'logLevel',
  debug: 'debug',
  'default-runtime': 'defaultRuntime',
  runtimes: 'runtimes',
  'cgroup-parent': 'cgroupParent',
  'registry-mirrors': 'registryMirrors',
  'insecure-registries': 'insecureRegistries',
  'seccomp-profile': 'seccompProfile',
  tls: 'tls',
  tlsverify: 'tls',
  tlscacert: 'tls',
  tlscert: 'tls',
  tlskey: 'tls',
  'log-driver': 'logDriver',
  'log-opts': 'logOpts',
  bridge: 'network',
  bip: 'network',
  'fixed-cidr': 'network',
  'default-address-pools': 'network',
  'network-prefix': 'network',
  'cni-path': 'network',
};

/** Keys dockerd accepts that berth reads but does not act on yet; anything else is an error. */
const ACCEPTED_UNUSED = new Set(['storage-driver', 'live-restore', 'experimental', 'features', 'max-concurrent-downloads', 'max-concurrent-uploads', 'shutdown-timeout']);

export function findInPath(name: string, extra: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', ...extra];
  for (const d of dirs) if (d && existsSync(join(d, name))) return join(d, name);
  return undefined;
}

export type ParsedArgs = { config: DaemonConfig; help?: boolean; version?: boolean };

export function parseDaemonArgs(argv: string[], readFile: (p: string) => string | undefined = (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined)): ParsedArgs {
  // dockerd's booleans take `=true|false`; node's parseArgs does not: --tls=false is kept aside
  let tlsOff = false;
  argv = argv.filter((a) => a !== '--tlsverify=false' && !(a === '--tls=false' && (tlsOff = true))).map((a) => (a === '--tls=true' ? '--tls' : a === '--tlsverify=true' ? '--tlsverify' : a));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', short: 'H', multiple: true },
        'data-root': { type: 'string' },
        'exec-root': { type: 'string' },
        pidfile: { type: 'string', short: 'p' },
        'log-level': { type: 'string', short: 'l' },
        debug: { type: 'boolean', short: 'D' },
        'default-runtime': { type: 'string' },
        'add-runtime': { type: 'string', multiple: true },
        'cgroup-parent': { type: 'string' },
        'config-file': { type: 'string' },
        conmon: { type: 'string' },
        'registry-mirror': { type: 'string', multiple: true },
        'insecure-registry': { type: 'string', multiple: true },
        'seccomp-profile': { type: 'string' },
        tls: { type: 'boolean' },
        tlsverify: { type: 'boolean' },
        tlscacert: { type: 'string' },
        tlscert: { type: 'string' },
        tlskey: { type: 'string' },
        'log-driver': { type: 'string' },
        'log-opt': { type: 'string', multiple: true },
        bridge: { type: 'string', short: 'b' },
        bip: { type: 'string' },
        'fixed-cidr': { type: 'string' },
        'default-address-pool': { type: 'string', multiple: true },
        'network-prefix': { type: 'string' },
        'cni-path': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw invalidArgument((err as Error).message.replace(/^Unknown option '(.*)'.*$/s, 'unknown flag: $1'));
  }
  const v: typeof parsed.values & { tls?: boolean } = { ...parsed.values, ...(tlsOff ? { tls: false } : {}) };
  const configFile = v['config-file'] ?? DEFAULTS.configFile;
  const text = readFile(configFile);
  if (v['config-file'] && text === undefined) throw invalidArgument(`unable to configure the berth daemon with file ${configFile}: open ${configFile}: no such file or directory`);
  let file: Record<string, unknown> = {};
  if (text !== undefined && text.trim()) {
    try { file = JSON.parse(text) as Record<string, unknown>; } catch (err) { throw invalidArgument(`unable to configure the berth daemon with file ${configFile}: ${(err as Error).message}`); }
  }
  const unknown = Object.keys(file).filter((k) => !(k in FILE_KEYS) && !ACCEPTED_UNUSED.has(k));
  if (unknown.length) throw invalidArgument(`unable to configure the berth daemon with file ${configFile}: the following directives don't match any configuration option: ${unknown.join(', ')}`);
  const flagFor: Record<string, unknown> = { hosts: v.host, 'data-root': v['data-root'], 'exec-root': v['exec-root'], pidfile: v.pidfile, 'log-level': v['log-level'], debug: v.debug, 'default-runtime': v['default-runtime'], 'cgroup-parent': v['cgroup-parent'], 'registry-mirrors': v['registry-mirror'], 'insecure-registries': v['insecure-registry'], 'seccomp-profile': v['seccomp-profile'], tls: v.tls, tlsverify: v.tlsverify, tlscacert: v.tlscacert, tlscert: v.tlscert, tlskey: v.tlskey, 'log-driver': v['log-driver'], 'log-opts': v['log-opt'], bridge: v.bridge, bip: v.bip, 'fixed-cidr': v['fixed-cidr'], 'default-address-pools': v['default-address-pool'], 'network-prefix': v['network-prefix'], 'cni-path': v['cni-path'] };
  const both = Object.keys(file).filter((k) => flagFor[k] !== undefined);
  if (both.length) throw invalidArgument(`unable to configure the berth daemon with file ${configFile}: the following directives are specified both as a flag and in the configuration file: ${both.map((k) => `${k}: (from flag: ${JSON.stringify(flagFor[k])}, from file: ${JSON.stringify(file[k])})`).join(', ')}`);

  const pick = <T>(flag: T | undefined, key: string, dflt: T): T => (flag !== undefined ? flag : (file[key] as T | undefined) ?? dflt);
  const execRoot = pick(v['exec-root'], 'exec-root', DEFAULTS.execRoot);
  const debug = pick(v.debug, 'debug', false);
  const logLevel = pick(v['log-level'], 'log-level', debug ? 'debug' : 'info');
  if (!isLogLevel(logLevel)) throw invalidArgument(`unable to parse logging level: ${logLevel}`);
  const runtimes: Record<string, { path: string }> = {};
  const runc = findInPath('runc');
  if (runc) runtimes.runc = { path: runc };
  const crun = findInPath('crun');
  if (crun) runtimes.crun = { path: crun };
  for (const [k, r] of Object.entries((file.runtimes as Record<string, { path: string }>) ?? {})) runtimes[k] = { path: r.path };
  for (const spec of v['add-runtime'] ?? []) {
    const i = spec.indexOf('=');
    if (i <= 0) throw invalidArgument(`invalid --add-runtime value: ${spec} (expected name=path)`);
    runtimes[spec.slice(0, i)] = { path: spec.slice(i + 1) };
  }
  const defaultRuntime = pick(v['default-runtime'], 'default-runtime', 'runc');
  if (!runtimes[defaultRuntime]) throw invalidArgument(`default runtime ${defaultRuntime} is not configured (found: ${Object.keys(runtimes).join(', ') || 'none'}); install runc or pass --add-runtime`);
  const hosts = pick(v.host, 'hosts', [DEFAULTS.host]);
  for (const h of hosts) if (!/^(unix:\/\/\/.+|tcp:\/\/.*:\d+)$/.test(h)) throw invalidArgument(`invalid host: ${h} (use unix:///path or tcp://host:port)`);
  const cgroupParent = pick(v['cgroup-parent'], 'cgroup-parent', DEFAULTS.cgroupParent);
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(cgroupParent)) throw invalidArgument(`invalid cgroup parent: ${cgroupParent}`);
  const registryMirrors = pick(v['registry-mirror'], 'registry-mirrors', [] as string[]);
  if (!Array.isArray(registryMirrors)) throw invalidArgument('registry-mirrors must be a list of URLs');
  for (const m of registryMirrors) {
    try { normalizeMirror(m); } catch (err) { throw invalidArgument(`unable to configure the berth daemon: ${(err as Error).message}`); }
  }
  const insecureRegistries = pick(v['insecure-registry'], 'insecure-registries', [] as string[]);
  if (!Array.isArray(insecureRegistries)) throw invalidArgument('insecure-registries must be a list');
  for (const r of insecureRegistries) if (/^[a-z]+:\/\//i.test(r)) throw invalidArgument(`insecure registry ${r} should not contain '://'`);
  const logDriver = pick(v['log-driver'], 'log-driver', 'json-file');
  if (typeof logDriver !== 'string' || !logDriver) throw invalidArgument('log-driver must be a driver name');
  let logOpts: Record<string, string> = {};
  if (v['log-opt'] !== undefined) {
    for (const kv of v['log-opt']) {
      const i = kv.indexOf('=');
      if (i <= 0) throw invalidArgument(`invalid --log-opt ${kv} (expected key=value)`);
      logOpts[kv.slice(0, i)] = kv.slice(i + 1);
    }
  } else if (file['log-opts'] !== undefined) {
    if (!file['log-opts'] || typeof file['log-opts'] !== 'object' || Array.isArray(file['log-opts'])) throw invalidArgument('log-opts must be an object of strings');
    logOpts = file['log-opts'] as Record<string, string>;
  }
  const tls = tlsConfig(v, file, hosts);
  const seccompProfile = pick(v['seccomp-profile'], 'seccomp-profile', 'builtin');
  if (typeof seccompProfile !== 'string' || !seccompProfile) throw invalidArgument('seccomp-profile must be a path, "builtin" or "unconfined"');
  return {
    help: v.help,
    version: v.version,
    config: {
      hosts,
      dataRoot: pick(v['data-root'], 'data-root', DEFAULTS.dataRoot),
      execRoot,
      pidfile: pick(v.pidfile, 'pidfile', join(execRoot, 'berthd.pid')),
      logLevel,
      defaultRuntime,
      runtimes,
      cgroupParent,
      configFile,
      conmonPath: v.conmon ?? findInPath('conmon', ['/usr/libexec/podman', '/usr/lib/podman']),
      registryMirrors,
      insecureRegistries,
      seccompProfile,
      tls,
      logDriver,
      logOpts,
      network: networkConfig(v, file),
    },
  };
}

function networkConfig(v: Record<string, unknown>, file: Record<string, unknown>): NetworkConfig {
  const str = (flag: unknown, key: string): string | undefined => {
    const val = flag !== undefined ? flag : file[key];
    if (val !== undefined && typeof val !== 'string') throw invalidArgument(`invalid ${key}: must be a string`);
    return val as string | undefined;
  };
  const bridge = str(v.bridge, 'bridge') ?? DEFAULTS.bridge;
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(bridge)) throw invalidArgument(`invalid bridge name ${bridge}: at most 15 characters of [a-zA-Z0-9_.-]`);
  const prefix = str(v['network-prefix'], 'network-prefix') ?? DEFAULTS.networkPrefix;
  if (!/^[a-zA-Z][a-zA-Z0-9]{0,9}$/.test(prefix)) throw invalidArgument(`invalid network prefix ${prefix}: 1 to 10 letters and digits, starting with a letter`);
  let pools: { base: string; size: number }[] = [DEFAULTS.defaultAddressPool];
  if (v['default-address-pool'] !== undefined) {
    pools = (v['default-address-pool'] as string[]).map((s) => {
      const kv = Object.fromEntries(s.split(',').map((p) => p.split('=').map((x) => x.trim())));
      if (!kv.base || !/^\d+$/.test(kv.size ?? '')) throw invalidArgument(`invalid default address pool: ${s} (expected base=CIDR,size=N)`);
      return { base: kv.base, size: Number(kv.size) };
    });
  } else if (file['default-address-pools'] !== undefined) {
    const fp = file['default-address-pools'];
    if (!Array.isArray(fp) || fp.some((p) => !p || typeof p.base !== 'string' || typeof p.size !== 'number')) throw invalidArgument('invalid default-address-pools: expected [{"base": "CIDR", "size": N}]');
    pools = fp as { base: string; size: number }[];
  }
  const cniPath = str(v['cni-path'], 'cni-path');
  return {
    bridge,
    bip: str(v.bip, 'bip') ?? DEFAULTS.bip,
    fixedCidr: str(v['fixed-cidr'], 'fixed-cidr'),
    defaultAddressPools: pools,
    prefix,
    cniPath: cniPath ? cniPath.split(':').filter(Boolean) : DEFAULTS.cniPath,
  };
}

/**
 * dockerd's TLS flags. `--tlsverify` implies `--tls`; both need a certificate
 * and key (and verify a CA). A TCP host off loopback without TLS is refused
 * unless `--tls=false` says so explicitly: the API is root on this machine.
 */
function tlsConfig(v: Record<string, unknown>, file: Record<string, unknown>, hosts: string[]): DaemonConfig['tls'] {
  const flagOrFile = (k: string) => (v[k] !== undefined ? v[k] : file[k]);
  const rawTls = flagOrFile('tls');
  const tlsOff = rawTls === false || rawTls === 'false';
  const verify = flagOrFile('tlsverify') === true || flagOrFile('tlsverify') === 'true';
  const on = verify || rawTls === true || rawTls === '' || rawTls === 'true';
  if (rawTls !== undefined && !['', 'true', 'false', true, false].includes(rawTls as string | boolean)) throw invalidArgument(`invalid --tls value ${JSON.stringify(rawTls)} (true or false)`);
  const tcp = hosts.filter((h) => h.startsWith('tcp://'));
  if (!on) {
    const exposed = tcp.filter((h) => !/^tcp:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(h));
    if (exposed.length && !tlsOff) {
      throw invalidArgument(`refusing to serve the API on ${exposed.join(', ')} without TLS: anyone who reaches it is root here; use --tlsverify with --tlscacert/--tlscert/--tlskey (or --tls=false to accept the risk)`);
    }
    return undefined;
  }
  const path = (k: string) => { const p = flagOrFile(k); if (p !== undefined && typeof p !== 'string') throw invalidArgument(`${k} must be a path`); return p as string | undefined; };
  const cert = path('tlscert');
  const key = path('tlskey');
  const ca = path('tlscacert');
  if (!cert || !key) throw invalidArgument('TLS needs --tlscert and --tlskey');
  if (verify && !ca) throw invalidArgument('--tlsverify needs --tlscacert: the CA that signs client certificates');
  if (!tcp.length) throw invalidArgument('TLS options need a tcp:// host (-H tcp://ADDRESS:PORT)');
  return { cert, key, ca, verify };
}
