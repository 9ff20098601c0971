/**
 * engine/log-config — HostConfig.LogConfig (`--log-driver`, `--log-opt`) as
 * dockerd reads it, and what it means for berth's log file.
 *
 * Every container's output goes to one file that conmon writes (CRI
 * "k8s-file" lines; `docker logs` and attach read it). The drivers:
 * - `json-file` (Docker's default; also the daemon's default here) and
 *   `local` (defaults max-size=20m, max-file=5), and podman's `k8s-file`:
 *   `max-size` (bytes, k/m/g, base 1024; -1 = unlimited) and `max-file`
 *   (files kept, current included) rotate the file: with one file conmon
 *   starts it over when it is full, with more berthd renames it to
 *   `.1`, `.2`, … and tells conmon to reopen (engine/containers); `docker
 *   logs` reads the kept files oldest first. `compress`, `labels`, `env`,
 *   `tag` and friends are accepted and have no effect.
 * - `none`: `docker logs` is refused as in Docker; the file is still written
 *   (attach reads it) but kept under 1 MiB.
 * Other Docker drivers (syslog, journald, gelf, fluentd, …) are 501.
 *
 * May import: errdefs, lib.
 */
import { invalidArgument, notImplemented } from '../errdefs/errors.js';
import { parseRamSize } from '../lib/units.js';

export interface LogConfig { Type: string; Config: Record<string, string> }

export interface LogPolicy {
  driver: 'json-file' | 'local' | 'k8s-file' | 'none';
  /** bytes; undefined = unlimited */
  maxSize?: number;
  /** files kept, the current one included (≥ 1) */
  maxFile: number;
  /** `docker logs` may read it */
  readable: boolean;
}

const FILE_DRIVERS = ['json-file', 'local', 'k8s-file'] as const;
const ELSEWHERE = ['syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries', 'loki'];
const COMMON_OPTS = ['labels', 'labels-regex', 'env', 'env-regex', 'tag'];
const OPTS: Record<string, string[]> = {
  'json-file': ['max-size', 'max-file', 'compress', ...COMMON_OPTS],
  local: ['max-size', 'max-file', 'compress'],
  'k8s-file': ['max-size', 'max-file', 'compress', ...COMMON_OPTS],
  none: [],
};
/** A `none` container's file: enough for attach to read what it prints, never more. */
export const NONE_LOG_CAP = 1024 * 1024;

function size(v: string, driver: string): number | undefined {
  if (v === '-1') return undefined;
  let n: number;
  try { n = parseRamSize(v); } catch { throw invalidArgument(`invalid value for log opt max-size of the ${driver} log driver: ${JSON.stringify(v)}`); }
  if (n <= 0) throw invalidArgument(`invalid value for log opt max-size of the ${driver} log driver: must be a positive size or -1`);
  return n;
}

/**
 * Check and normalise a container's LogConfig, as dockerd merges it: no
 * type means the daemon's; with the daemon's type, the daemon's options fill
 * in what the container does not set.
 */
export function validateLogConfig(lc: Partial<LogConfig> | null | undefined, daemonDefault: LogConfig): LogConfig {
  const type = lc?.Type || daemonDefault.Type;
  const config = type === daemonDefault.Type ? { ...daemonDefault.Config, ...(lc?.Config ?? {}) } : { ...(lc?.Config ?? {}) };
  if (ELSEWHERE.includes(type)) throw notImplemented(`the ${type} logging driver is not supported by berth (json-file, local, k8s-file and none are)`);
  // bad input, not a missing thing: a 404 on create would make the docker CLI pull the image
  if (!(type in OPTS)) throw invalidArgument(`logger: no log driver named '${type}' is registered`);
  for (const [k, v] of Object.entries(config)) {
    if (typeof v !== 'string') throw invalidArgument(`invalid value for log opt ${k}: must be a string`);
    if (!OPTS[type].includes(k)) throw invalidArgument(`unknown log opt '${k}' for ${type} log driver`);
  }
  logPolicy({ Type: type, Config: config });
  return { Type: type, Config: config };
}

/** What a (valid) LogConfig asks of the log file. */
export function logPolicy(lc: LogConfig | undefined): LogPolicy {
  const type = lc?.Type || 'json-file';
  const c = lc?.Config ?? {};
  if (type === 'none') return { driver: 'none', maxSize: NONE_LOG_CAP, maxFile: 1, readable: false };
  const driver = (FILE_DRIVERS as readonly string[]).includes(type) ? (type as LogPolicy['driver']) : 'json-file';
  const local = driver === 'local';
  const maxSize = c['max-size'] !== undefined ? size(c['max-size'], driver) : local ? 20 * 1024 * 1024 : undefined;
  let maxFile = local ? 5 : 1;
  if (c['max-file'] !== undefined) {
    if (!/^\d+$/.test(c['max-file']) || Number(c['max-file']) < 1) throw invalidArgument(`invalid value for log opt max-file of the ${driver} log driver: ${JSON.stringify(c['max-file'])} (a whole number ≥ 1)`);
    maxFile = Number(c['max-file']);
  }
  if (maxFile > 1 && maxSize === undefined) throw invalidArgument('max-file cannot be greater than 1 when max-size is not set');
  if (c.compress !== undefined && !['true', 'false'].includes(c.compress)) throw invalidArgument(`invalid value for log opt compress: ${JSON.stringify(c.compress)} (true or false)`);
  return { driver, maxSize, maxFile, readable: true };
}
