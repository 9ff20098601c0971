/**
 * runtime/cgroup-stats — one resource-usage sample of a container in
 * Docker's stats shape (cpu_stats, memory_stats, blkio_stats, pids_stats,
 * networks), read from its cgroup (v1 hierarchies or the v2 unified tree),
 * /proc/stat and the container's /proc/<pid>/net/dev (its network
 * namespace). Reads files only. The parsers are pure and tested.
 */
import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';

const CLK_TCK = 100;
const NS = 1e9;

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage: number;
  online_cpus: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface StatsSample {
  read: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: { io_service_bytes_recursive: { major: number; minor: number; op: string; value: number }[] | null };
  cpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number; tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number }>;
}

const read = (p: string) => readFile(p, 'utf8').catch(() => undefined);
const num = (s: string | undefined) => { const v = Number((s ?? '').trim()); return Number.isFinite(v) ? v : undefined; };

/** "key value" lines → record. */
export function parseKeyValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of (text ?? '').split('\n')) {
    const [k, v] = l.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

/** /proc/stat's "cpu" line → host CPU time in nanoseconds (Docker's system_cpu_usage). */
export function parseSystemCpu(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0);
  // an integer, as the docker CLI decodes it into a uint64: (ticks / 100) * 1e9 is not always one in floating point
  return Math.round(ticks * (NS / CLK_TCK));
}

/** /proc/<pid>/net/dev → per-interface counters (loopback left out, as Docker does). */
export function parseNetDev(text: string): NonNullable<StatsSample['networks']> {
  const out: NonNullable<StatsSample['networks']> = {};
  for (const l of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(l);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out[m[1]] = { rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3], tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11] };
  }
  return out;
}

/** blkio (v1 "8:0 Read 123") or io.stat (v2 "8:0 rbytes=1 wbytes=2 ...") → Docker's io_service_bytes_recursive. */
export function parseBlkio(text: string | undefined, v2: boolean): { major: number; minor: number; op: string; value: number }[] {
  const out: { major: number; minor: number; op: string; value: number }[] = [];
  for (const l of (text ?? '').split('\n')) {
    const parts = l.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(parts[0] ?? '');
    if (!dev) continue;
    const [major, minor] = [Number(dev[1]), Number(dev[2])];
    if (v2) {
      const kv = Object.fromEntries(parts.slice(1).map((p) => p.split('=')));
      out.push({ major, minor, op: 'read', value: Number(kv.rbytes ?? 0) }, { major, minor, op: 'write', value: Number(kv.wbytes ?? 0) });
    } else if (parts.length === 3) {
      out.push({ major, minor, op: parts[1].toLowerCase(), value: Number(parts[2]) });
    }
  }
  return out;
}

/** /proc/<pid>/cgroup → controller → path (v1 lines; "cpu,cpuacct" gives both names). */
export function parseProcCgroup(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(l.trim());
    if (!m || !m[1]) continue;
    for (const c of m[1].split(',')) out[c.replace(/^name=/, '')] = m[2];
  }
  return out;
}

const limitOrHost = (v: number | undefined) => (v === undefined || v >= 2 ** 62 ? totalmem() : Math.min(v, totalmem()));

/** Sample the container whose cgroup path (relative to each hierarchy) is `cgroupPath`. */
export async function sampleStats(o: { cgroupPath: string; cgroupVersion: 1 | 2; pid?: number; ncpu: number; root?: string }): Promise<StatsSample> {
  const root = o.root ?? '/sys/fs/cgroup';
  const system = parseSystemCpu((await read('/proc/stat')) ?? '');
  const networks = o.pid ? parseNetDev((await read(`/proc/${o.pid}/net/dev`)) ?? '') : undefined;
  if (o.cgroupVersion === 2) {
    const d = join(root, o.cgroupPath);
    const cpu = parseKeyValues(await read(join(d, 'cpu.stat')));
    const mem = parseKeyValues(await read(join(d, 'memory.stat')));
    const maxText = (await read(join(d, 'memory.max')))?.trim();
    const pidsMax = (await read(join(d, 'pids.max')))?.trim();
    return {
      read: new Date().toISOString(),
      pids_stats: { current: num(await read(join(d, 'pids.current'))), limit: pidsMax && pidsMax !== 'max' ? Number(pidsMax) : undefined },
      blkio_stats: { io_service_bytes_recursive: parseBlkio(await read(join(d, 'io.stat')), true) },
      cpu_stats: {
        cpu_usage: { total_usage: (cpu.usage_usec ?? 0) * 1000, usage_in_kernelmode: (cpu.system_usec ?? 0) * 1000, usage_in_usermode: (cpu.user_usec ?? 0) * 1000 },
        system_cpu_usage: system, online_cpus: o.ncpu,
        throttling_data: { periods: cpu.nr_periods ?? 0, throttled_periods: cpu.nr_throttled ?? 0, throttled_time: (cpu.throttled_usec ?? 0) * 1000 },
      },
      memory_stats: { usage: num(await read(join(d, 'memory.current'))), limit: limitOrHost(maxText && maxText !== 'max' ? Number(maxText) : undefined), stats: mem },
      networks,
    };
  }
  // v1 controllers may sit at different depths (a nested host puts memory under its own cgroup):
  // take each controller's path from the container's /proc/<pid>/cgroup when it is alive.
  const paths = o.pid ? parseProcCgroup((await read(`/proc/${o.pid}/cgroup`)) ?? '') : {};
  const h = (sub: string, file: string) => read(join(root, sub, paths[sub] ?? o.cgroupPath, file));
  const acct = parseKeyValues(await h('cpuacct', 'cpuacct.stat'));
  const throttle = parseKeyValues(await h('cpu', 'cpu.stat'));
  const percpu = ((await h('cpuacct', 'cpuacct.usage_percpu')) ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  const pidsMax = (await h('pids', 'pids.max'))?.trim();
  return {
    read: new Date().toISOString(),
    pids_stats: { current: num(await h('pids', 'pids.current')), limit: pidsMax && pidsMax !== 'max' ? Number(pidsMax) : undefined },
    blkio_stats: { io_service_bytes_recursive: parseBlkio(await h('blkio', 'blkio.throttle.io_service_bytes'), false) },
    cpu_stats: {
      cpu_usage: {
        total_usage: num(await h('cpuacct', 'cpuacct.usage')) ?? 0, percpu_usage: percpu.length ? percpu : undefined,
        usage_in_kernelmode: Math.round((acct.system ?? 0) * (NS / CLK_TCK)), usage_in_usermode: Math.round((acct.user ?? 0) * (NS / CLK_TCK)),
      },
      system_cpu_usage: system, online_cpus: o.ncpu,
      throttling_data: { periods: throttle.nr_periods ?? 0, throttled_periods: throttle.nr_throttled ?? 0, throttled_time: throttle.throttled_time ?? 0 },
    },
    memory_stats: {
      usage: num(await h('memory', 'memory.usage_in_bytes')), max_usage: num(await h('memory', 'memory.max_usage_in_bytes')),
      limit: limitOrHost(num(await h('memory', 'memory.limit_in_bytes'))), stats: parseKeyValues(await h('memory', 'memory.stat')),
    },
    networks,
  };
}
