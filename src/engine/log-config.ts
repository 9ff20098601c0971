/**
 * engine/log-config — HostConfig.LogConfig (`--log-driver`, `--log-opt`) as
 * dockerd reads it, and what it means for berth's log file.
 *
 * Every container's output goes to one file that conmon writes (CRI
 * "k8s-file" lines; `docker logs` and attach read it). The drivers:
 * - `json-file` (Docker's default; also the daemon's default here) and
 *   `local` (defaults max-size=20m, max-file=5), and podman's `k8s-file`:
 *   `max-size` (go-units' decimal sizes: 10m = 10 000 000 bytes) and
 *   `max-file` (files kept, current included) rotate the file, with
 *   dockerd's rules and messages for their values (-1, 0, junk, compress
 *   without rotation are refused; max-file alone is accepted and rotates
 *   nothing): with one file conmon
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
import { parseHumanSize } from '../lib/units.js';

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

/** Go's strconv.ParseBool. */
function goBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** Go's strconv.Atoi (a sign allowed, nothing else). */
function goAtoi(v: string): number | undefined {
  return /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * dockerd checks these values only when the logger starts (`docker start`
 * fails with a 500 "failed to initialize logging driver: …" and the
 * container stays created); berth refuses them at create, with the same
 * message, so a container that can never start is not made.
 */
function refuse(msg: string): never {
  throw invalidArgument(`failed to initialize logging driver: ${msg}`);
}

/** json-file (and berth's k8s-file): jsonfilelog.New's rules. */
function fileDriverPolicy(driver: 'json-file' | 'k8s-file', c: Record<string, string>): LogPolicy {
  let maxSize: number | undefined;
  if (c['max-size'] !== undefined) {
    try { maxSize = parseHumanSize(c['max-size']); } catch { refuse(`invalid size: '${c['max-size']}'`); }
    if (maxSize <= 0) refuse('max-size must be a positive number');
  }
  let maxFile = 1;
  if (c['max-file'] !== undefined) {
    const n = goAtoi(c['max-file']);
    if (n === undefined) refuse(`strconv.Atoi: parsing ${JSON.stringify(c['max-file'])}: invalid syntax`);
    if (n < 1) refuse('max-file cannot be less than 1');
    maxFile = n;
  }
  if (c.compress !== undefined) {
    const compress = goBool(c.compress);
    if (compress === undefined) refuse(`strconv.ParseBool: parsing ${JSON.stringify(c.compress)}: invalid syntax`);
    if (compress && (maxFile === 1 || maxSize === undefined)) refuse('compress cannot be true when max-file is less than 2 or max-size is not set');
  }
  // max-file without max-size is accepted, as dockerd: nothing ever rotates
  return { driver, maxSize, maxFile: maxSize === undefined ? 1 : maxFile, readable: true };
}

/** local: defaults max-size=20m, max-file=5, compress on (local.New and validateConfig). */
function localPolicy(c: Record<string, string>): LogPolicy {
  let maxSize = 20 * 1024 * 1024; // local's default is binary, its max-size decimal (dockerd)
  if (c['max-size'] !== undefined) {
    try { maxSize = parseHumanSize(c['max-size']); } catch { refuse(`invalid value for max-size: ${c['max-size']}: invalid size: '${c['max-size']}'`); }
  }
  let maxFile = 5;
  if (c['max-file'] !== undefined) {
    const n = goAtoi(c['max-file']);
    if (n === undefined) refuse(`invalid value for max-file: ${c['max-file']}: strconv.Atoi: parsing ${JSON.stringify(c['max-file'])}: invalid syntax`);
    maxFile = n;
  }
  let compress = true;
  if (c.compress !== undefined) {
    const b = goBool(c.compress);
    if (b === undefined) refuse(`error reading compress log option: strconv.ParseBool: parsing ${JSON.stringify(c.compress)}: invalid syntax`);
    compress = b;
  }
  if (maxSize < 0) refuse('max size should be a positive number');
  if (maxFile < 0) refuse('max file count cannot be less than 0');
  if (compress && maxFile <= 1) refuse('compression cannot be enabled when max file count is 1');
  return { driver: 'local', maxSize: maxSize || undefined, maxFile: Math.max(1, maxFile), readable: true };
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
    // dockerd's validators word it two ways: jsonfilelog "for json-file log driver", local "for log driver local"
    if (!OPTS[type].includes(k)) throw invalidArgument(type === 'local' ? `unknown log opt '${k}' for log driver local` : `unknown log opt '${k}' for ${type} log driver`);
  }
  logPolicy({ Type: type, Config: config }, { strict: true });
  return { Type: type, Config: config };
}

/**
 * What a LogConfig asks of the log file. Values the driver refuses throw
 * with `strict` (create); otherwise (a record made when berth still took
 * them, e.g. max-size=-1 for "unlimited") they mean one unlimited file.
 */
export function logPolicy(lc: LogConfig | undefined, opts: { strict?: boolean } = {}): LogPolicy {
  if (opts.strict) return policyOf(lc);
  try { return policyOf(lc); } catch { return { driver: lc?.Type === 'local' ? 'local' : lc?.Type === 'k8s-file' ? 'k8s-file' : 'json-file', maxSize: undefined, maxFile: 1, readable: true }; }
}

function policyOf(lc: LogConfig | undefined): LogPolicy {
  const type = lc?.Type || 'json-file';
  const c = lc?.Config ?? {};
  if (type === 'none') return { driver: 'none', maxSize: NONE_LOG_CAP, maxFile: 1, readable: false };
  if (type === 'local') return localPolicy(c);
  return fileDriverPolicy(type === 'k8s-file' ? 'k8s-file' : 'json-file', c);
}
