/**
 * test/integration/dockerd-harness — a throwaway real dockerd (Debian's
 * docker.io 20.10) beside berth, for the side-by-side test and the benches.
 *
 * It runs on its own temp `--data-root`, `--exec-root`, `--pidfile`, unix
 * socket, `--cgroup-parent` and Linux bridge (made here with its address, and
 * given as `-b`: dockerd takes `-b` or `--bip`, not both), with the
 * containerd that dockerd starts and supervises itself (it does so when no
 * `--containerd` is given and no system containerd listens on
 * /run/containerd/containerd.sock — refused here otherwise) and the default
 * userland proxy. Its names carry the test marker (`NET_MARK`, `TEST_PREFIX`),
 * so the suite's leftover check sees them like a test berthd's.
 *
 * What dockerd leaves on the host after SIGTERM, and `cleanup()` removes:
 * its iptables chains (filter DOCKER, DOCKER-ISOLATION-STAGE-1/2,
 * DOCKER-USER; nat DOCKER) and its rules in FORWARD, PREROUTING, OUTPUT and
 * POSTROUTING; the bridge; a bind mount of the data root onto itself; the
 * cgroup parent in every hierarchy; /run/docker/plugins, /run/containerd/s
 * (containerd 1.6 puts shim sockets there whatever its --state) and
 * /etc/docker/key.json, each only if it was not there before; the FORWARD
 * policy as it was before start. Those chains have fixed names, so one
 * throwaway dockerd runs on the host at a time: a claim file records the
 * owner and what was there before, and a claim whose owner died is cleaned
 * up by the next one.
 *
 * dockerd sets FORWARD's policy to DROP only when it has to turn
 * net.ipv4.ip_forward on itself. On a host where berth (CNI's bridge plugin)
 * already did, it leaves the policy alone; `forwardPolicy: 'DROP'` sets it as
 * dockerd would on a host where dockerd came first.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DOCKER, NET_MARK, TEST_PREFIX, api, busyboxRootfs, cgroupsNamed, hostRoutes, mountsUnder, overlapsRoute, processesMentioning, run, sleep, type RunResult } from './harness.js';

/** dockerd's path (`command -v dockerd`), or undefined when the engine is not installed. */
export const DOCKERD_PATH: string | undefined = (() => {
  try { return execFileSync('sh', ['-c', 'command -v dockerd'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined; } catch { return undefined; }
})();

/** The one throwaway dockerd of the host: owner, names and what the host had before. */
export const DOCKERD_CLAIM = '/run/berth-test-dockerd.json';

/** dockerd's iptables chains (fixed names in 20.10). */
export const DOCKER_CHAINS: Record<'filter' | 'nat', string[]> = {
  filter: ['DOCKER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'DOCKER-USER'],
  nat: ['DOCKER'],
};

/** Host paths dockerd 20.10 / containerd 1.6 create outside the roots given to them. */
export const DOCKERD_HOST_PATHS = ['/run/docker', '/run/containerd', '/etc/docker/key.json'];

/** Throwaway dockerds take their /24 from here: clear of berth (10.209/16, 10.210/15) and the test daemons (10.96–10.119). */
const SUBNET_BASE = [10, 120];

/**
 * What the host looked like before the first throwaway dockerd of this test
 * run (prefix): zz-no-leftovers compares the end state with it.
 */
export const HOST_BEFORE_DOCKERD = join(tmpdir(), `${TEST_PREFIX}fixtures`, 'host-before-dockerd.json');

interface Claim {
  owner: number;
  prefix: string;
  root: string;
  bridge: string;
  subnet: string;
  cgroupParent: string;
  /** `-P FORWARD ACCEPT` as `iptables -S FORWARD` prints it */
  forwardPolicy: string;
  /** which of DOCKERD_HOST_PATHS existed before start */
  existed: Record<string, boolean>;
}

export interface HostBefore { forwardPolicy: string; existed: Record<string, boolean> }

/** FORWARD's policy word (ACCEPT or DROP). */
export function forwardPolicy(): string {
  const first = execFileSync('iptables', ['-w', '-S', 'FORWARD']).toString().split('\n')[0];
  const m = /^-P FORWARD (\S+)/.exec(first);
  if (!m) throw new Error(`unexpected iptables -S FORWARD: ${first}`);
  return m[1];
}

/** Which of dockerd's chains exist now, as "table chain". */
export function dockerChainsPresent(): string[] {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const text = execFileSync('iptables', ['-w', '-t', table, '-S']).toString();
    for (const chain of DOCKER_CHAINS[table]) if (text.split('\n').includes(`-N ${chain}`)) out.push(`${table} ${chain}`);
  }
  return out;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function splitRule(rule: string): string[] {
  return (rule.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []).map((a) => (a.startsWith('"') ? a.slice(1, -1).replace(/\\(.)/g, '$1') : a));
}

/**
 * dockerd's rules outside its own chains: those jumping to a DOCKER chain,
 * naming its bridge, or naming an address of its subnet (a /24).
 */
export function dockerdRules(bridge: string, subnet: string): { table: string; args: string[] }[] {
  const net = subnet.split('/')[0].split('.').slice(0, 3).join('.');
  const addr = new RegExp(`(^|[\\s!])${net.replace(/\./g, '\\.')}\\.\\d+([/:\\s]|$)`);
  const out: { table: string; args: string[] }[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const mine = new Set(DOCKER_CHAINS[table]);
    for (const line of execFileSync('iptables', ['-w', '-t', table, '-S']).toString().split('\n')) {
      if (!line.startsWith('-A ')) continue;
      const args = splitRule(line);
      if (mine.has(args[1])) continue; // goes with its chain
      const jump = args[args.indexOf('-j') + 1];
      if (mine.has(jump) || args.includes(bridge) || addr.test(line)) out.push({ table, args });
    }
  }
  return out;
}

/** Kill what is left of a dockerd and remove every trace it leaves on the host (see the header). */
function hostCleanup(c: Claim, extraPids: number[] = []): string[] {
  const problems: string[] = [];
  const tryRun = (cmd: string, args: string[]) => { try { execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] }); return true; } catch (e) { problems.push(`${cmd} ${args.join(' ')}: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`); return false; } };
  // processes: dockerd, containerd, shims (their argv names the root), docker-proxy children, container processes (in its cgroups)
  const pids = new Set<number>([...processesMentioning(c.root), ...extraPids.filter((p) => cmdline(p).includes('docker-proxy'))]);
  for (const dir of cgroupsNamed(c.cgroupParent)) for (const p of cgroupProcs(dir)) pids.add(p);
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const m of mountsUnder(c.root)) { try { execFileSync('umount', [m]); } catch { tryRun('umount', ['-l', m]); } }
  for (const dir of cgroupsNamed(c.cgroupParent)) rmdirTree(dir, problems);
  for (const { table, args } of dockerdRules(c.bridge, c.subnet)) tryRun('iptables', ['-w', '-t', table, '-D', ...args.slice(1)]);
  for (const table of ['filter', 'nat'] as const) {
    const present = dockerChainsPresent().filter((x) => x.startsWith(`${table} `)).map((x) => x.split(' ')[1]);
    for (const chain of present) tryRun('iptables', ['-w', '-t', table, '-F', chain]);
    for (const chain of present) tryRun('iptables', ['-w', '-t', table, '-X', chain]);
  }
  if (existsSync(`/sys/class/net/${c.bridge}`)) tryRun('ip', ['link', 'del', c.bridge]);
  if (forwardPolicy() !== c.forwardPolicy) tryRun('iptables', ['-w', '-P', 'FORWARD', c.forwardPolicy]);
  for (const p of DOCKERD_HOST_PATHS) if (!c.existed[p]) rmSync(p, { recursive: true, force: true });
  rmSync(c.root, { recursive: true, force: true });
  return problems;
}

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; }
}

function cgroupProcs(dir: string): number[] {
  const out: number[] = [];
  try {
    for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (/^\d+$/.test(l)) out.push(Number(l));
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...cgroupProcs(join(dir, e.name)));
  } catch { /* gone */ }
  return out;
}

function rmdirTree(dir: string, problems: string[]): void {
  try { for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirTree(join(dir, e.name), problems); } catch { return; }
  try { execFileSync('rmdir', [dir], { stdio: 'ignore' }); } catch { problems.push(`rmdir ${dir}`); }
}

function readClaim(): Claim | undefined {
  try { return JSON.parse(readFileSync(DOCKERD_CLAIM, 'utf8')) as Claim; } catch { return undefined; }
}

/** A free /24 in 10.120.0.0/16 (not routed on the host now), as [gateway/24, network/24]. */
function pickSubnet(): { gateway: string; subnet: string } {
  const routes = hostRoutes();
  for (let i = 0; i < 200; i++) {
    const third = Math.floor(Math.random() * 256);
    const net = ((SUBNET_BASE[0] << 24) >>> 0) + (SUBNET_BASE[1] << 16) + third * 256;
    if (overlapsRoute(net, 24, routes)) continue;
    const base = `${SUBNET_BASE.join('.')}.${third}`;
    return { gateway: `${base}.1/24`, subnet: `${base}.0/24` };
  }
  throw new Error('no free subnet for a throwaway dockerd');
}

export interface ThrowawayDockerdOptions {
  /** Set FORWARD's policy after start, as dockerd does on a host where it turned ip_forward on itself. */
  forwardPolicy?: 'DROP';
}

export class ThrowawayDockerd {
  readonly root: string;
  readonly sock: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidfile: string;
  readonly bridge: string;
  readonly cgroupParent: string;
  readonly gateway: string;
  readonly subnet: string;
  private child?: ChildProcess;
  private claim?: Claim;

  constructor(private readonly opts: ThrowawayDockerdOptions = {}) {
    if (!DOCKERD_PATH) throw new Error('dockerd is not installed (apt-get install docker.io)');
    this.root = mkdtempSync(join(tmpdir(), `${TEST_PREFIX}dockerd-`));
    const suffix = this.root.slice(-6).replace(/[^a-zA-Z0-9]/g, '0');
    this.sock = join(this.root, 'docker.sock');
    this.dataRoot = join(this.root, 'data');
    this.execRoot = join(this.root, 'exec');
    this.pidfile = join(this.root, 'dockerd.pid');
    // NET_MARK + '-': no berth test daemon's name starts so (theirs have 5 alphanumerics after the mark)
    this.bridge = `${NET_MARK}-d${suffix}`.slice(0, 15);
    this.cgroupParent = `${TEST_PREFIX}dockerd-${suffix}`;
    const { gateway, subnet } = pickSubnet();
    this.gateway = gateway;
    this.subnet = subnet;
  }

  get host(): string { return `unix://${this.sock}`; }
  /** Environment for the docker CLI (the unmodified CLI 28 negotiates down to dockerd 20.10's API 1.41). */
  get env(): Record<string, string> { return { DOCKER_HOST: this.host, DOCKER_CONFIG: join(this.root, 'docker-config') }; }
  get pid(): number | undefined { return this.child?.pid; }
  get log(): string { try { return readFileSync(join(this.root, 'dockerd.log'), 'utf8'); } catch { return ''; } }

  docker(args: string[], opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> { return run(DOCKER, args, { env: this.env, ...opts }); }
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>) { return api(this.sock, method, path, body, headers); }

  /** Take the host's claim, make the bridge, start dockerd and wait for /_ping. */
  async start(): Promise<void> {
    try { this.takeClaim(); } catch (e) { rmSync(this.root, { recursive: true, force: true }); throw e; }
    try {
      execFileSync('ip', ['link', 'add', 'name', this.bridge, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', this.gateway, 'dev', this.bridge]);
      execFileSync('ip', ['link', 'set', this.bridge, 'up']);
      // 20.10 keeps a trust key at /etc/docker/key.json unless told otherwise (a daemon.json key only, no flag)
      writeFileSync(join(this.root, 'daemon.json'), `${JSON.stringify({ 'deprecated-key-path': join(this.root, 'key.json') })}\n`);
      const logFd = openSync(join(this.root, 'dockerd.log'), 'a');
      this.child = spawn(DOCKERD_PATH!, [
        '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--pidfile', this.pidfile,
        '-H', this.host, '--config-file', join(this.root, 'daemon.json'),
        '-b', this.bridge, '--cgroup-parent', this.cgroupParent,
      ], { stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      const deadline = Date.now() + 30000;
      for (;;) {
        if (this.child.exitCode !== null) throw new Error(`dockerd exited ${this.child.exitCode}: ${this.log.split('\n').slice(-5).join('\n')}`);
        try { if ((await this.api('GET', '/_ping')).status === 200) break; } catch { /* not yet */ }
        if (Date.now() > deadline) throw new Error(`dockerd did not come up: ${this.log.split('\n').slice(-5).join('\n')}`);
        await sleep(100);
      }
      if (this.opts.forwardPolicy) execFileSync('iptables', ['-w', '-P', 'FORWARD', this.opts.forwardPolicy]);
    } catch (e) {
      await this.cleanup();
      throw e;
    }
  }

  private takeClaim(): void {
    const stale = readClaim();
    if (stale) {
      if (alive(stale.owner)) throw new Error(`another throwaway dockerd runs on this host (prefix ${stale.prefix}, owner pid ${stale.owner}, ${DOCKERD_CLAIM})`);
      hostCleanup(stale);
      rmSync(DOCKERD_CLAIM, { force: true });
    }
    const chains = dockerChainsPresent();
    if (chains.length) throw new Error(`dockerd's chains exist already (${chains.join(', ')}): another dockerd runs on this host; its chains have fixed names, so a second one cannot be cleaned up apart from it`);
    if (existsSync('/run/containerd/containerd.sock')) throw new Error('a system containerd listens on /run/containerd/containerd.sock: dockerd 20.10 would use it instead of starting its own');
    const existed = Object.fromEntries(DOCKERD_HOST_PATHS.map((p) => [p, existsSync(p)]));
    const claim: Claim = { owner: process.pid, prefix: TEST_PREFIX, root: this.root, bridge: this.bridge, subnet: this.subnet, cgroupParent: this.cgroupParent, forwardPolicy: forwardPolicy(), existed };
    try {
      writeFileSync(DOCKERD_CLAIM, JSON.stringify(claim), { flag: 'wx' });
    } catch (e) {
      throw new Error(`cannot claim ${DOCKERD_CLAIM} (another throwaway dockerd starting?)`, { cause: e });
    }
    this.claim = claim;
    if (!existsSync(HOST_BEFORE_DOCKERD)) {
      mkdirSync(join(tmpdir(), `${TEST_PREFIX}fixtures`), { recursive: true });
      writeFileSync(HOST_BEFORE_DOCKERD, JSON.stringify({ forwardPolicy: claim.forwardPolicy, existed } satisfies HostBefore));
    }
  }

  /** Import the busybox fixture (test/fixtures/make-busybox-rootfs.sh) with `docker import`, CMD ["sh"]. */
  async importBusybox(ref = 'busybox:latest'): Promise<void> {
    const r = await this.docker(['import', '--change', 'CMD ["sh"]', busyboxRootfs(), ref], { timeoutMs: 120000 });
    if (r.code !== 0) throw new Error(`docker import into dockerd: ${r.stderr}`);
  }

  /** `docker import` of a rootfs tarball with Dockerfile `changes`. */
  async importTar(tarball: string, ref: string, changes: string[]): Promise<void> {
    const r = await this.docker(['import', ...changes.flatMap((c) => ['--change', c]), tarball, ref], { timeoutMs: 300000 });
    if (r.code !== 0) throw new Error(`docker import into dockerd: ${r.stderr}`);
  }

  /**
   * Remove every container, SIGTERM dockerd (SIGKILL after 20 s), then
   * remove what it leaves on the host. Returns what could not be removed
   * (empty when all went well).
   */
  async cleanup(): Promise<string[]> {
    const c = this.child;
    let proxies: number[] = [];
    if (c && c.exitCode === null && c.signalCode === null) {
      try {
        const list = await this.api('GET', '/containers/json?all=1');
        for (const x of list.json<{ Id: string }[]>()) await this.api('DELETE', `/containers/${x.Id}?force=1&v=1`);
      } catch { /* not answering */ }
      proxies = childrenOf(c.pid!); // docker-proxy processes would outlive a dockerd that had to be killed
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      if (await Promise.race([done.then(() => true), sleep(20000).then(() => false)]) === false) { c.kill('SIGKILL'); await done; }
    }
    const problems = this.claim ? hostCleanup(this.claim, proxies) : [];
    if (this.claim && readClaim()?.owner === process.pid) rmSync(DOCKERD_CLAIM, { force: true });
    this.claim = undefined;
    rmSync(this.root, { recursive: true, force: true });
    return problems;
  }
}

/** Direct children of a process (docker-proxy of dockerd). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}
