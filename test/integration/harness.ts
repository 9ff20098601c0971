/**
 * test/integration/harness — start a real berthd on a temporary socket,
 * data root, exec root and cgroup parent; run the docker and berth CLIs
 * against it; clean up everything it created (containers, mounts, monitor
 * processes, runtime state, cgroups, temp dirs).
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync, mkdirSync, readdirSync, writeFileSync, renameSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root (dist/test/integration → ../../..). */
export const REPO = resolve(here, '..', '..', '..');
export const BERTHD = join(REPO, 'dist', 'bin', 'berthd.js');
export const BERTH = join(REPO, 'dist', 'bin', 'berth.js');
export const DOCKER = process.env.DOCKER_CLI ?? 'docker';
/**
 * Prefix of everything the tests create (temp roots, cgroup parents, the
 * fixture cache). BERTH_TEST_PREFIX lets two checkouts run their suites at
 * once without each one's leftover check seeing the other's live daemons.
 */
export const TEST_PREFIX = process.env.BERTH_TEST_PREFIX ?? 'berth-test-';

/**
 * Marker at the start of every network name a test daemon creates (bridges,
 * iptables chains, CNI network names in rule comments): 'b' + up to 3
 * letters of the test prefix + 'x' ("berth-tn-" → "btnx"), so the leftover
 * checks of two prefixes never match each other's.
 */
export const NET_MARK = `b${TEST_PREFIX.replace(/^berth-?/, '').replace(/[^a-zA-Z0-9]/g, '').slice(0, 3)}x`;

export interface RunResult { code: number; stdout: string; stderr: string }

export function run(cmd: string, args: string[], opts: { env?: Record<string, string>; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout: ${cmd} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`)); }, opts.timeoutMs ?? 60000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr }); });
    if (opts.input !== undefined) child.stdin.end(opts.input); else child.stdin.end();
  });
}

export interface ApiResponse { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json<T = any>(): T }

export function api(socketPath: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return new Promise((resolvePromise, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
    // agent: false — a fresh connection per call: a pooled keep-alive socket the daemon closed while this process was blocked (execFileSync) would be reused and fail with EPIPE
    const req = request({ socketPath, method, path, agent: false, headers: { ...(data ? { 'Content-Type': 'application/json', 'Content-Length': String(data.length) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: b, json: () => JSON.parse(b.toString()) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60000, () => req.destroy(new Error(`API timeout ${method} ${path}`)));
    req.end(data);
  });
}

let busyboxTar: string | undefined;
/** Build (once per process) the busybox rootfs tarball from Debian's busybox-static. */
export function busyboxRootfs(): string {
  if (busyboxTar && existsSync(busyboxTar)) return busyboxTar;
  const dir = join(tmpdir(), `${TEST_PREFIX}fixtures`);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'busybox.tar');
  if (!existsSync(out)) {
    // made once per suite run; the rename makes concurrent makers safe
    const tmp = `${out}.${process.pid}`;
    execFileSync('sh', [join(REPO, 'test', 'fixtures', 'make-busybox-rootfs.sh'), tmp]);
    renameSync(tmp, out);
  }
  busyboxTar = out;
  return out;
}

export class TestDaemon {
  readonly root: string;
  readonly sock: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly cgroupParent: string;
  /** --network-prefix: NET_MARK + the root's random suffix (≤ 10 chars). */
  readonly netPrefix: string;
  /** --bip of the default bridge and the --default-address-pool for user networks: free on this host when picked. */
  readonly bip: string;
  readonly pool: string;
  private child?: ReturnType<typeof spawn>;
  stderr = '';

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), TEST_PREFIX));
    this.sock = join(this.root, 'berth.sock');
    this.dataRoot = join(this.root, 'data');
    this.execRoot = join(this.root, 'exec');
    this.cgroupParent = `${TEST_PREFIX}${this.root.slice(-6)}`;
    this.netPrefix = `${NET_MARK}${this.root.slice(-5).replace(/[^a-zA-Z0-9]/g, '0')}`;
    const { bip, pool } = pickSubnets();
    this.bip = bip;
    this.pool = pool;
  }

  /** The default bridge's Linux name. */
  get bridge(): string { return `${this.netPrefix}0`; }

  /** The n-th /24 of this daemon's address pool (for tests that give --subnet). */
  subnet(n: number): string {
    const [a, b, c] = this.pool.split('/')[0].split('.').map(Number);
    const third = c + n;
    return `${a}.${b + Math.floor(third / 256)}.${third % 256}.0/24`;
  }

  get host(): string { return `unix://${this.sock}`; }
  /** Environment for the docker and berth CLIs. */
  get env(): Record<string, string> { return { DOCKER_HOST: this.host, BERTH_HOST: this.host, DOCKER_CONFIG: join(this.root, 'docker-config') }; }

  /** The daemon.json this daemon reads (an empty object unless a test writes one). */
  get configFile(): string { return join(this.root, 'daemon.json'); }

  async start(extraArgs: string[] = []): Promise<void> {
    if (!existsSync(this.configFile)) writeFileSync(this.configFile, '{}\n');
    this.child = spawn(process.execPath, [BERTHD, '-H', this.host, '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--cgroup-parent', this.cgroupParent, '--config-file', join(this.root, 'daemon.json'),
      '--network-prefix', this.netPrefix, '--bridge', this.bridge, '--bip', this.bip, '--default-address-pool', `base=${this.pool},size=24`, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
    this.child.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`berthd exited ${this.child.exitCode}: ${this.stderr}`);
      try {
        const r = await api(this.sock, 'GET', '/_ping');
        if (r.status === 200) return;
      } catch { /* not yet */ }
      await sleep(50);
    }
    throw new Error(`berthd did not come up: ${this.stderr}`);
  }

  /** SIGTERM and wait for exit. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([done, sleep(10000)]);
  }

  /** kill -9 the daemon (crash). */
  async crash(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await done;
  }

  get pid(): number | undefined { return this.child?.pid; }
  /** The berthd process of the last start (the torture harness watches its exit). */
  get childProcess(): ReturnType<typeof spawn> | undefined { return this.child; }

  docker(args: string[], opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}) { return run(DOCKER, args, { env: this.env, ...opts }); }
  berth(args: string[], opts: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}) { return run(process.execPath, [BERTH, ...args], { env: this.env, ...opts }); }
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>) { return api(this.sock, method, path, body, headers); }

  /** Import the busybox rootfs as busybox:latest (CMD ["sh"]). */
  async importBusybox(ref = 'busybox:latest'): Promise<string> {
    const colon = ref.lastIndexOf(':');
    const [repo, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    const r = await this.api('POST', `/v1.50/images/create?fromSrc=-&repo=${encodeURIComponent(repo)}&tag=${tag ?? 'latest'}&changes=${encodeURIComponent('CMD ["sh"]')}`, readFileSync(busyboxRootfs()), { 'Content-Type': 'application/x-tar' });
    if (r.status !== 200) throw new Error(`import failed: ${r.status} ${r.body}`);
    return JSON.parse(r.body.toString().trim()).status as string;
  }

  /** Remove every container, stop the daemon, and remove every trace it left. */
  async cleanup(): Promise<void> {
    try {
      if (this.child && this.child.exitCode === null) {
        const list = await this.api('GET', '/containers/json?all=1');
        for (const c of list.json<{ Id: string }[]>()) await this.api('DELETE', `/containers/${c.Id}?force=1`);
      }
    } catch { /* daemon may be down */ }
    await this.stop();
    leftoverCleanup(this.root, this.cgroupParent, this.netPrefix);
  }
}

/** Mount points under a prefix, deepest first. */
export function mountsUnder(prefix: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((p): p is string => !!p && p.startsWith(prefix)).sort((a, b) => b.length - a.length);
}

/** Processes whose command line mentions `needle` (conmon, runc, containers of a test root). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (cmd.includes(needle) && !/\) Z /.test(stat)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

export function cgroupsNamed(parent: string): string[] {
  const out: string[] = [];
  const root = '/sys/fs/cgroup';
  const candidates = existsSync(join(root, 'cgroup.controllers')) ? [join(root, parent)] : readdirSync(root).map((h) => join(root, h, parent));
  // On a nested host a v1 controller may put new cgroups under our own cgroup (e.g. memory:/process_api/x).
  for (const base of ownCgroupDirs(root)) candidates.push(join(base, parent));
  for (const c of new Set(candidates)) if (existsSync(c)) out.push(c);
  return out;
}

/** This process's own cgroup directory in each v1 hierarchy where it is not the root. */
export function ownCgroupDirs(root = '/sys/fs/cgroup'): string[] {
  const out: string[] = [];
  for (const l of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^\d+:([^:]+):(\/.+)$/.exec(l.trim());
    if (!m) continue;
    for (const c of m[1].split(',')) { const d = join(root, c.replace(/^name=/, ''), m[2]); if (existsSync(d)) out.push(d); }
  }
  return out;
}

/** Last-resort cleanup of what a test daemon may leave: runtime containers, processes we started, mounts, cgroups, files. */
export function leftoverCleanup(root: string, cgroupParent: string, netPrefix?: string): void {
  const runtimeRoot = join(root, 'exec', 'runtime', 'runc');
  if (existsSync(runtimeRoot)) {
    try {
      const list = JSON.parse(execFileSync('runc', ['--root', runtimeRoot, 'list', '--format', 'json']).toString() || 'null') as { id: string }[] | null;
      for (const c of list ?? []) { try { execFileSync('runc', ['--root', runtimeRoot, 'delete', '--force', c.id]); } catch { /* gone */ } }
    } catch { /* no runc state */ }
  }
  for (const pid of processesMentioning(root)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const m of mountsUnder(root)) { try { execFileSync('umount', ['-l', m]); } catch { /* gone */ } }
  for (const dir of cgroupsNamed(cgroupParent)) {
    try {
      for (const child of readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) { try { execFileSync('rmdir', [join(dir, child.name)]); } catch { /* busy */ } }
      execFileSync('rmdir', [dir]);
    } catch { /* busy or gone */ }
  }
  if (netPrefix) networkCleanup(netPrefix);
  rmSync(root, { recursive: true, force: true });
}

/** iptables rules (any table) whose text mentions `mark`, as `-S` lines with their table. */
export function iptablesRulesMentioning(mark: string): { table: string; rule: string; bin: 'iptables' | 'ip6tables' }[] {
  const out: { table: string; rule: string; bin: 'iptables' | 'ip6tables' }[] = [];
  for (const bin of ['iptables', 'ip6tables'] as const) {
    for (const table of ['filter', 'nat']) {
      let text = '';
      try { text = execFileSync(bin, ['-w', '-t', table, '-S']).toString(); } catch { continue; }
      for (const rule of text.split('\n')) if (rule.includes(mark)) out.push({ table, rule, bin });
    }
  }
  return out;
}

/** Network interfaces whose name starts with `mark`. */
export function linksNamed(mark: string): string[] {
  try { return readdirSync('/sys/class/net').filter((n) => n.startsWith(mark)); } catch { return []; }
}

/** Remove what a test daemon's networking leaves by design (its default bridge, its FORWARD chain) or by accident. */
export function networkCleanup(netPrefix: string): void {
  const chains = new Set<string>();
  for (const { table, rule, bin } of iptablesRulesMentioning(netPrefix)) {
    const args = (rule.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []).map((a) => (a.startsWith('"') ? a.slice(1, -1).replace(/\\(.)/g, '$1') : a));
    const jump = args[args.indexOf('-j') + 1];
    if (args[0] === '-A') {
      try { execFileSync(bin, ['-w', '-t', table, '-D', ...args.slice(1)]); } catch { /* gone */ }
      if (jump && (jump.startsWith(netPrefix) || /^CNI-(DN-)?[0-9a-f]{16,}/.test(jump))) chains.add(`${bin} ${table} ${jump}`);
    }
    if (args[0] === '-N') chains.add(`${bin} ${table} ${args[1]}`);
  }
  for (const c of chains) {
    const [bin, table, chain] = c.split(' ');
    try { execFileSync(bin, ['-w', '-t', table, '-F', chain]); execFileSync(bin, ['-w', '-t', table, '-X', chain]); } catch { /* busy or gone */ }
  }
  for (const l of linksNamed(netPrefix)) { try { execFileSync('ip', ['link', 'del', l]); } catch { /* gone */ } }
  // the daemon's claim on its network prefix (left behind by a crash)
  rmSync(join(NETWORK_CLAIMS_DIR, `${netPrefix}.pid`), { force: true });
}

/** Where berthd claims its network prefix (src/daemon/daemon.ts). */
export const NETWORK_CLAIMS_DIR = '/run/berth-networks';

/** Routes of the host as [network, prefix] numbers. */
export function hostRoutes(): [number, number][] {
  const out: [number, number][] = [];
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) continue;
      const le = (h: string) => { const n = parseInt(h, 16) >>> 0; return (((n & 255) << 24) >>> 0) + (((n >>> 8) & 255) << 16) + (((n >>> 16) & 255) << 8) + (n >>> 24); };
      const m = le(f[7]);
      if (m) out.push([le(f[1]), 32 - Math.log2((~m >>> 0) + 1)]);
    }
  } catch { /* none */ }
  return out;
}

/** Whether ip/prefix overlaps any of `routes`. */
export function overlapsRoute(ip: number, prefix: number, routes: [number, number][]): boolean {
  return routes.some(([r, p]) => { const m = Math.min(p, prefix); const mask = m ? (0xffffffff << (32 - m)) >>> 0 : 0; return ((r & mask) >>> 0) === ((ip & mask) >>> 0); });
}

/**
 * A /24 for the default bridge in 10.96.0.0/12 and a /21 address pool in
 * 10.112.0.0/12, both clear of every route on the host now — so parallel
 * test daemons (of any helper) and a real berthd (10.209/16, 10.210/15)
 * never share a subnet.
 */
export function pickSubnets(): { bip: string; pool: string } {
  const routes = hostRoutes();
  const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  for (let i = 0; i < 200; i++) {
    const bipNet = ((10 << 24) >>> 0) + (96 << 16) + Math.floor(Math.random() * 4096) * 256;
    const poolNet = ((10 << 24) >>> 0) + (112 << 16) + Math.floor(Math.random() * 512) * 2048;
    if (overlapsRoute(bipNet, 24, routes) || overlapsRoute(poolNet, 21, routes)) continue;
    return { bip: `${ip(bipNet + 1)}/24`, pool: `${ip(poolNet)}/21` };
  }
  throw new Error('no free test subnet');
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** Poll until `fn` returns a truthy value or time runs out. */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 10000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await fn();
    if (last) return last;
    await sleep(stepMs);
  } while (Date.now() < end);
  throw new Error(`condition not met within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}
