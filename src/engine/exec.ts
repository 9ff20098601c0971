/**
 * engine/exec — Docker's exec sessions: a process started inside a running
 * container by the OCI runtime (`runc exec --process <spec>`), supervised by
 * its own conmon in exec mode, so it gets the same machinery as a
 * container's main process: a pty when asked (resize through conmon's ctl
 * FIFO), stdin through conmon's attach socket, output in a k8s-file log,
 * and its exit code in an exit file.
 *
 * Vocabulary: an *exec* (session) has an ID (64 hex), a config (Cmd, Env,
 * User, WorkingDir, Tty, Privileged, Attach*), and a state (created →
 * running → exited). Sessions live in memory, as in Docker; their files
 * live under the container's bundle (`exec/<execId>/`: process.json,
 * exec.log, exit/, ctl, attach) and go with the container.
 *
 * May import: runtime, lib, errdefs, engine (containers, events).
 */
import { mkdir, readFile, access, rm } from 'node:fs/promises';
import { watch } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { conflict, findBerthError, invalidArgument, notFound, systemError } from '../errdefs/errors.js';
import { newId } from '../lib/ids.js';
import { atomicWrite } from '../lib/atomic-write.js';
import { pidAlive, waitPidGone } from '../lib/process-state.js';
import { secureJoin } from '../lib/secure-join.js';
import type { Logger } from '../lib/log.js';
import { launchMonitor } from '../runtime/monitor.js';
import { openStdinRelay, resizeTerminal } from '../runtime/attach-relay.js';
import { readLog, type LogRecord } from '../runtime/log-file.js';
import { parsePasswd, parseGroup, resolveUser } from '../runtime/user.js';
import { ALL_CAPABILITIES } from '../runtime/spec.js';
import type { ContainerService } from './containers.js';
import type { EventPublisher } from './events.js';
import type { ContainerRecord } from './container-types.js';

export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

export interface ExecSession {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
  /** Resolves with the exit code once the process has exited and its output is drained. */
  exited: Promise<number>;
  finish: (code: number) => void;
}

export interface ExecServiceOptions {
  containers: ContainerService;
  conmonPath: string;
  log: Logger;
  events?: EventPublisher;
}

export class ExecService {
  private readonly sessions = new Map<string, ExecSession>();

  constructor(private readonly o: ExecServiceOptions) {}

  private dir(s: { id: string; containerId: string }): string {
    return join(this.o.containers.bundleDir(s.containerId), 'exec', s.id);
  }

  get(id: string): ExecSession {
    const s = this.sessions.get(id);
    if (!s || !this.o.containers.tryGet(s.containerId)) throw notFound(`No such exec instance: ${id}`, 'NO_SUCH_EXEC');
    return s;
  }

  private emit(rec: ContainerRecord, action: string, extra: Record<string, string>): void {
    this.o.containers.emit(rec, action, extra);
  }

  /** POST /containers/{id}/exec */
  create(ref: string, cfg: ExecConfig): string {
    const rec = this.o.containers.get(ref);
    if (!cfg || typeof cfg !== 'object') throw invalidArgument('invalid exec config');
    if (!Array.isArray(cfg.Cmd) || cfg.Cmd.length === 0) throw invalidArgument('No exec command specified');
    refuseExecInto(rec);
    for (const e of cfg.Env ?? []) if (typeof e !== 'string' || !e || e.startsWith('=')) throw invalidArgument(`invalid environment variable: ${e}`);
    const id = newId();
    let finish!: (code: number) => void;
    const exited = new Promise<number>((r) => { finish = r; });
    this.sessions.set(id, { id, containerId: rec.id, config: cfg, running: false, exitCode: null, pid: 0, started: false, exited, finish });
    this.emit(rec, `exec_create: ${cfg.Cmd.join(' ')}`, { execID: id });
    return id;
  }

  /** The runtime process spec: the container's process with the exec's overrides. */
  private async processSpec(rec: ContainerRecord, cfg: ExecConfig): Promise<Record<string, unknown>> {
    const spec = JSON.parse(await readFile(join(this.o.containers.bundleDir(rec.id), 'config.json'), 'utf8')) as { process: Record<string, unknown> & { env?: string[]; user?: Record<string, unknown>; capabilities?: Record<string, string[]> } };
    const p = { ...spec.process };
    p.args = cfg.Cmd;
    p.terminal = !!cfg.Tty;
    // Docker: the container's env, then the exec's on top (same key replaces).
    const env = [...(p.env ?? [])];
    for (const e of cfg.Env ?? []) {
      const k = e.split('=')[0];
      const i = env.findIndex((x) => x.split('=')[0] === k);
      if (i >= 0) env[i] = e; else env.push(e);
    }
    p.env = env;
    if (cfg.WorkingDir) p.cwd = cfg.WorkingDir;
    if (cfg.User) {
      const rootfs = this.o.containers.rootfsDir(rec.id);
      const read = async (f: string) => { try { return await readFile(await secureJoin(rootfs, f), 'utf8'); } catch { return ''; } };
      const u = resolveUser(cfg.User, parsePasswd(await read('/etc/passwd')), parseGroup(await read('/etc/group')));
      p.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
    }
    if (cfg.Privileged) {
      const all = await daemonCapabilities();
      p.capabilities = { bounding: all, effective: all, permitted: all };
    }
    if (cfg.Tty && cfg.ConsoleSize && cfg.ConsoleSize[0] > 0) p.consoleSize = { height: cfg.ConsoleSize[0], width: cfg.ConsoleSize[1] };
    delete p.apparmorProfile;
    return p;
  }

  /**
   * POST /exec/{id}/start. Launches the process; resolves once it runs (its
   * output is then read with `output()`, its stdin fed with `attachStdin()`).
   */
  async start(id: string): Promise<ExecSession> {
    const s = this.get(id);
    if (s.started) throw conflict(`Error: Exec command ${id} has already run`, 'EXEC_ALREADY_RUN');
    const rec = this.o.containers.get(s.containerId);
    refuseExecInto(rec);
    s.started = true;
    const dir = this.dir(s);
    const exitDir = join(dir, 'exits'); // conmon writes <persistDir>/exit as a file
    await mkdir(exitDir, { recursive: true });
    const spec = await this.processSpec(rec, s.config);
    await atomicWrite(join(dir, 'process.json'), JSON.stringify(spec));
    const runtime = this.o.containers.runtimeFor(rec);
    try {
      const r = await launchMonitor(this.o.conmonPath, {
        id: rec.id,
        name: rec.name,
        runtimePath: runtime.path,
        runtimeArgs: runtime.globalArgs,
        bundle: dir,
        containerPidFile: join(dir, 'pid'),
        conmonPidFile: join(dir, 'conmon.pid'),
        exitDir,
        persistDir: dir,
        logPath: join(dir, 'exec.log'),
        socketDir: dir,
        stdin: !!s.config.AttachStdin,
        terminal: !!s.config.Tty,
        exec: { processSpec: join(dir, 'process.json'), sessionId: id },
      });
      s.pid = r.pid;
    } catch (err) {
      // dockerd 20.10 (daemon/exec.go): any failed exec start leaves ExitCode 126 (the 127 that
      // translateContainerdStartErr sets for a missing command is overwritten by its deferred 126),
      // and the error reads "OCI runtime exec failed: <runc's message>: unknown" — 400 for a
      // command not found or not executable, 500 otherwise.
      s.exitCode = 126;
      this.emit(rec, 'exec_die', { execID: id, exitCode: String(s.exitCode) });
      s.finish(s.exitCode);
      throw execStartError(err);
    }
    s.running = true;
    this.emit(rec, `exec_start: ${(s.config.Cmd ?? []).join(' ')}`, { execID: id });
    void this.watchExit(s, rec, exitDir);
    return s;
  }

  private async watchExit(s: ExecSession, rec: ContainerRecord, exitDir: string): Promise<void> {
    const file = join(exitDir, rec.id);
    const conmonPid = Number((await readFile(join(this.dir(s), 'conmon.pid'), 'utf8').catch(() => '0')).trim()) || undefined;
    // until conmon writes the exit file, or is gone without writing one (killed with its
    // container): the watcher and the poll end either way, they never outlive the session
    await new Promise<void>((resolve) => {
      let w: ReturnType<typeof watch> | undefined;
      let done = false;
      const check = async () => {
        if (done) return;
        const there = await access(file).then(() => true, () => false);
        if (!there && (!conmonPid || pidAlive(conmonPid))) return;
        done = true;
        clearInterval(timer); w?.close(); resolve();
      };
      try { w = watch(exitDir, () => void check()); w.on('error', () => { w?.close(); }); } catch { /* poll only */ }
      const timer = setInterval(() => void check(), 250);
      void check();
    });
    // conmon writes the exit file, then drains the output into the log and exits.
    if (conmonPid) await waitPidGone(conmonPid, 5000);
    const code = parseInt((await readFile(file, 'utf8').catch(() => '')).trim(), 10);
    // no exit file: conmon went with the container (killed by its stop), as Docker reports such a session
    s.exitCode = Number.isNaN(code) ? 137 : code;
    s.running = false;
    s.pid = 0;
    const cur = this.o.containers.tryGet(s.containerId) ?? rec;
    this.emit(cur, 'exec_die', { execID: s.id, exitCode: String(s.exitCode) });
    s.finish(s.exitCode);
  }

  /** The session's output, from its beginning, until it exits. */
  async *output(id: string, o: { stdout: boolean; stderr: boolean; signal?: AbortSignal }): AsyncGenerator<LogRecord> {
    const s = this.get(id);
    const stopped = s.exited.then(() => undefined);
    for await (const r of readLog(join(this.dir(s), 'exec.log'), { follow: true, stopped, signal: o.signal })) {
      if (o[r.stream]) yield r;
    }
  }

  /** Feed the session's stdin; `source` ending is EOF for the process. */
  async attachStdin(id: string, source: Readable, signal?: AbortSignal): Promise<void> {
    const s = this.get(id);
    if (!s.config.AttachStdin || !s.running) return;
    const relay = openStdinRelay(this.dir(s));
    const stop = () => relay.close();
    signal?.addEventListener('abort', stop);
    s.exited.then(stop, stop);
    source.pipe(relay.input);
    await relay.done;
    source.unpipe(relay.input);
    signal?.removeEventListener('abort', stop);
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const s = this.get(id);
    if (!s.running) throw conflict(`Exec ${id} is not running, so it can not be resized.`, 'EXEC_NOT_RUNNING');
    if (!s.config.Tty) return;
    await resizeTerminal(this.dir(s), height, width);
  }

  /** GET /exec/{id}/json */
  inspect(id: string) {
    const s = this.get(id);
    const [entrypoint, ...args] = s.config.Cmd ?? [];
    return {
      ID: s.id,
      Running: s.running,
      ExitCode: s.exitCode,
      ProcessConfig: { tty: !!s.config.Tty, entrypoint, arguments: args, privileged: !!s.config.Privileged, user: s.config.User ?? '' },
      OpenStdin: !!s.config.AttachStdin,
      OpenStderr: !!s.config.AttachStderr,
      OpenStdout: !!s.config.AttachStdout,
      CanRemove: false,
      ContainerID: s.containerId,
      DetachKeys: s.config.DetachKeys ?? '',
      Pid: s.pid,
    };
  }

  /** Drop a finished session and its files (internal users such as health probes). */
  discard(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    void s.exited.then(() => rm(this.dir(s), { recursive: true, force: true })).catch(() => {});
  }

  /** IDs of a container's sessions (for inspect's ExecIDs). */
  idsOf(containerId: string): string[] {
    return [...this.sessions.values()].filter((s) => s.containerId === containerId).map((s) => s.id);
  }

  /** Forget the sessions of a removed container. */
  forget(containerId: string): void {
    for (const [k, s] of this.sessions) if (s.containerId === containerId) this.sessions.delete(k);
  }
}

/** A failed exec start in dockerd's words, of the runtime error's kind. */
function execStartError(err: unknown): Error {
  const be = findBerthError(err);
  if (!be) return err as Error;
  const message = `OCI runtime exec failed: ${be.message.replace(/^failed to create task for container: /, '')}: unknown`;
  return be.kind === 'invalid-argument' ? invalidArgument(message, 'INVALID_PARAMETER', err) : systemError(message, err, 'RUNTIME_FAILED');
}

/** Every capability the daemon itself holds in its bounding set (a privileged exec cannot get more). */
async function daemonCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) return ALL_CAPABILITIES;
  const mask = BigInt(`0x${m[1]}`);
  return ALL_CAPABILITIES.filter((_c, i) => (mask >> BigInt(i)) & 1n);
}

/** dockerd's refusals of an exec into a container that is not running (create and start), in its words. */
function refuseExecInto(rec: { id: string; state: { Status: string } }): void {
  if (rec.state.Status === 'paused') throw conflict(`Container ${rec.id} is paused, unpause the container before exec`, 'CONTAINER_PAUSED');
  if (rec.state.Status === 'restarting') throw conflict(`Container ${rec.id} is restarting, wait until the container is running`, 'CONTAINER_NOT_RUNNING');
  if (rec.state.Status !== 'running') throw conflict(`container ${rec.id} is not running`, 'CONTAINER_NOT_RUNNING');
}
