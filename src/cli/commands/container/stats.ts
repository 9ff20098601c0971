/**
 * cli/commands/container/stats — `berth stats [--no-stream] [-a] [--format
 * T] [CONTAINER...]`: docker's table (CPU %, MEM USAGE / LIMIT, MEM %, NET
 * I/O, BLOCK I/O, PIDS) computed as the docker CLI does (memory minus
 * inactive file cache; CPU from the delta to precpu_stats); live, it
 * redraws every second. `statsRow` is pure. Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { renderTable } from '../../format/table.js';
import { humanSize } from '../../format/size.js';
import { parseFormat, renderTemplate } from '../../format/template.js';

/** Docker's units.BytesSize: binary units with up to 4 significant digits. */
export function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export function statsRow(s: any): Record<string, string> {
  const mem = s.memory_stats ?? {};
  const st = mem.stats ?? {};
  const inactive = st.total_inactive_file ?? st.inactive_file ?? 0;
  const used = Math.max(0, (mem.usage ?? 0) - (inactive < (mem.usage ?? 0) ? inactive : 0));
  const limit = mem.limit ?? 0;
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  const cpu = sysDelta > 0 && cpuDelta > 0 && s.precpu_stats?.system_cpu_usage ? (cpuDelta / sysDelta) * cpus * 100 : 0;
  let rx = 0; let tx = 0;
  for (const n of Object.values<any>(s.networks ?? {})) { rx += n.rx_bytes ?? 0; tx += n.tx_bytes ?? 0; }
  let rd = 0; let wr = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) { if (/^read$/i.test(e.op)) rd += e.value; if (/^write$/i.test(e.op)) wr += e.value; }
  return {
    ID: String(s.id ?? '').slice(0, 12), Container: String(s.id ?? '').slice(0, 12), Name: String(s.name ?? '').replace(/^\//, ''),
    CPUPerc: `${cpu.toFixed(2)}%`, MemUsage: `${bytesSize(used)} / ${bytesSize(limit)}`, MemPerc: `${limit ? ((used / limit) * 100).toFixed(2) : '0.00'}%`,
    NetIO: `${humanSize(rx)} / ${humanSize(tx)}`, BlockIO: `${humanSize(rd)} / ${humanSize(wr)}`, PIDs: String(s.pids_stats?.current ?? 0),
  };
}

const HEADER = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];
const cells = (r: Record<string, string>) => [r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.NetIO, r.BlockIO, r.PIDs];

export function statsCommand(ctx: CliContext, name = 'stats'): BerthCommand {
  return new BerthCommand(name)
    .description('Display a live stream of container(s) resource usage statistics')
    .argument('[container...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--format <string>', 'Format output using a custom template')
    .action(async (refs: string[], o: { all?: boolean; stream: boolean; format?: string }) => {
      const client = ctx.client();
      const ids = refs.length ? refs : (await client.listContainers({ all: o.all })).map((c) => c.Id);
      const sample = async (id: string) => JSON.parse((await (await client.containerStats(id, { stream: false })).toArray()).join('').trim().split('\n')[0]);
      const render = async () => {
        const rows = await Promise.all(ids.map(async (id) => statsRow(await sample(id))));
        if (o.format) { const f = parseFormat(o.format); return rows.map((r) => renderTemplate(f.body, r)).join('\n') + '\n'; }
        return renderTable(HEADER, rows.map(cells));
      };
      if (!o.stream) { ctx.stdout.write(await render()); return; }
      let stop = false;
      process.once('SIGINT', () => { stop = true; });
      while (!stop) ctx.stdout.write(`\x1b[2J\x1b[H${await render()}`);
    }) as BerthCommand;
}
