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

export interface RunResult { code: number; stdout: string; stderr: string }

export function run(cmd: string, args: string[], opts: { env?: Record<string, string>; input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
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
    const req = request({ socketPath, method, path, headers: { ...(data ? { 'Content-Type': 'application/json', 'Content-Length': String(data.length) } : {}), ...headers } }, (res) => {
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
  private child?: ReturnType<typeof spawn>;
  stderr = '';

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), TEST_PREFIX));
    this.sock = join(this.root, 'berth.sock');
    this.dataRoot = join(this.root, 'data');
    this.execRoot = join(this.root, 'exec');
    this.cgroupParent = `${TEST_PREFIX}${this.root.slice(-6)}`;
  }

  get host(): string { return `unix://${this.sock}`; }
  /** Environment for the docker and berth CLIs. */
  get env(): Record<string, string> { return { DOCKER_HOST: this.host, BERTH_HOST: this.host, DOCKER_CONFIG: join(this.root, 'docker-config') }; }

  /** The daemon.json this daemon reads (an empty object unless a test writes one). */
  get configFile(): string { return join(this.root, 'daemon.json'); }

  async start(extraArgs: string[] = []): Promise<void> {
    if (!existsSync(this.configFile)) writeFileSync(this.configFile, '{}\n');
    this.child = spawn(process.execPath, [BERTHD, '-H', this.host, '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--cgroup-parent', this.cgroupParent, '--config-file', join(this.root, 'daemon.json'), ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
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

  docker(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}) { return run(DOCKER, args, { env: this.env, ...opts }); }
  berth(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}) { return run(process.execPath, [BERTH, ...args], { env: this.env, ...opts }); }
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>) { return api(this.sock, method, path, body, headers); }

  /** Import the busybox rootfs as busybox:latest (CMD ["sh"]). */
  async importBusybox(ref = 'busybox:latest'): Promise<string> {
    const [repo, tag] = ref.split(':');
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
    leftoverCleanup(this.root, this.cgroupParent);
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
  for (const c of candidates) if (existsSync(c)) out.push(c);
  return out;
}

/** Last-resort cleanup of what a test daemon may leave: runtime containers, processes we started, mounts, cgroups, files. */
export function leftoverCleanup(root: string, cgroupParent: string): void {
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
  rmSync(root, { recursive: true, force: true });
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
