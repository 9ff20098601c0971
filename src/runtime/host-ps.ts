/**
 * runtime/host-ps — `docker top`: run the host's `ps` with the caller's
 * arguments (default `-ef`) and keep the rows whose PID column is one of the
 * container's processes, as dockerd does. The only place `ps` is spawned.
 * `filterPsOutput` is pure and tested.
 */
import { execFile } from 'node:child_process';
import { invalidArgument, systemError } from '../errdefs/errors.js';

export interface TopResult { Titles: string[]; Processes: string[][] }

/** Parse ps output: split the header into titles, keep rows with a PID in `pids`. */
export function filterPsOutput(output: string, pids: number[]): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  if (!lines.length) throw systemError('ps produced no output');
  const titles = lines[0].trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw invalidArgument(`Couldn't find PID field in ps output`);
  const want = new Set(pids);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < titles.length) continue;
    // The last column (CMD/COMMAND) may contain spaces: join the rest.
    const row = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    const pid = Number(row[pidIndex]);
    if (want.has(pid)) processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}

export function hostPs(psArgs: string, pids: number[]): Promise<TopResult> {
  const args = psArgs.trim() ? psArgs.trim().split(/\s+/) : ['-ef'];
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) { reject(systemError(`Error running ps: ${(stderr || err.message).trim()}`, err)); return; }
      try { resolve(filterPsOutput(stdout, pids)); } catch (e) { reject(e); }
    });
  });
}
