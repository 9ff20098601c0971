/**
 * runtime/conmon-args — the monitor contract in one pure function: the argv
 * berth gives conmon for a container. conmon double-forks, runs
 * `<runtime> <runtimeArgs> create --bundle ... <id>`, reports the container
 * PID on the sync pipe (fd 3, `{"data": <pid>}` or `{"data": -1,
 * "message": ...}`), keeps the container's stdio, writes the log file
 * (k8s-file format) and on exit writes the exit code to `<exitDir>/<id>` and
 * `<persistDir>/exit` (and `<persistDir>/oom` when the kernel OOM-killed it).
 */
export interface ConmonOptions {
  id: string;
  name: string;
  runtimePath: string;
  /** Global runtime flags, e.g. ['--root', '/run/berth/runc']. */
  runtimeArgs: string[];
  bundle: string;
  containerPidFile: string;
  conmonPidFile: string;
  exitDir: string;
  persistDir: string;
  logPath: string;
  logSizeMax?: number;
  socketDir: string;
  /** -i: keep the process's stdin open and feed it from the attach socket. */
  stdin?: boolean;
  /** --leave-stdin-open: an attach client leaving does not close stdin (Docker's StdinOnce=false). */
  leaveStdinOpen?: boolean;
  /** -t: a real pty; conmon keeps the master (resize through the `ctl` FIFO in the bundle dir). */
  terminal?: boolean;
  /**
   * Exec mode: run `<runtime> exec --process <spec> --detach` in the existing
   * container `id`; `sessionId` names the session (conmon's -u), and the exit
   * file is `<exitDir>/<id>`, so exec sessions need their own exitDir.
   */
  exec?: { processSpec: string; sessionId: string };
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  systemdCgroup?: boolean;
  exitCommand?: string[];
}

export function conmonArgs(o: ConmonOptions): string[] {
  const args = [
    '--api-version', '1',
    '-c', o.id,
    '-u', o.exec?.sessionId ?? o.id,
    '-n', o.name,
    '-r', o.runtimePath,
    '-b', o.bundle,
    '-p', o.containerPidFile,
    '-P', o.conmonPidFile,
    '--exit-dir', o.exitDir,
    '--persist-dir', o.persistDir,
    '-l', `k8s-file:${o.logPath}`,
    '--socket-dir-path', o.socketDir,
    '--log-level', o.logLevel ?? 'error',
  ];
  for (const a of o.runtimeArgs) args.push('--runtime-arg', a);
  if (o.logSizeMax && o.logSizeMax > 0) args.push('--log-size-max', String(o.logSizeMax));
  if (o.exec) args.push('--exec', '--exec-process-spec', o.exec.processSpec);
  if (o.stdin) args.push('-i');
  if (o.stdin && o.leaveStdinOpen) args.push('--leave-stdin-open');
  if (o.terminal) args.push('-t');
  if (o.systemdCgroup) args.push('-s');
  if (o.exitCommand?.length) {
    args.push('--exit-command', o.exitCommand[0]);
    for (const a of o.exitCommand.slice(1)) args.push('--exit-command-arg', a);
  }
  return args;
}
