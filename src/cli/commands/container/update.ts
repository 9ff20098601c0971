/**
 * cli/commands/container/update — `berth update [--memory] [--memory-swap]
 * [--memory-reservation] [--cpus] [--cpu-shares] [--cpu-quota] [--cpu-period]
 * [--cpuset-cpus] [--pids-limit] [--restart] CONTAINER...`. Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { forEachContainer } from './each-container.js';
import { parseRamSize } from '../../../lib/units.js';

interface UpdateFlags { memory?: string; memorySwap?: string; memoryReservation?: string; cpus?: string; cpuShares?: string; cpuQuota?: string; cpuPeriod?: string; cpusetCpus?: string; pidsLimit?: string; restart?: string }

export function restartPolicy(spec: string): { Name: string; MaximumRetryCount: number } {
  const [n, c] = spec.split(':');
  return { Name: n, MaximumRetryCount: c ? Number(c) : 0 };
}

export function updateCommand(ctx: CliContext, name = 'update'): BerthCommand {
  return new BerthCommand(name)
    .description('Update configuration of one or more containers')
    .argument('<container...>')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-swap <bytes>', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--restart <string>', 'Restart policy to apply when a container exits')
    .action(async (refs: string[], o: UpdateFlags) => {
      const body: Record<string, unknown> = {};
      if (o.memory) body.Memory = parseRamSize(o.memory);
      if (o.memorySwap) body.MemorySwap = o.memorySwap === '-1' ? -1 : parseRamSize(o.memorySwap);
      if (o.memoryReservation) body.MemoryReservation = parseRamSize(o.memoryReservation);
      if (o.cpus) body.NanoCpus = Math.round(Number(o.cpus) * 1e9);
      if (o.cpuShares) body.CpuShares = Number(o.cpuShares);
      if (o.cpuQuota) body.CpuQuota = Number(o.cpuQuota);
      if (o.cpuPeriod) body.CpuPeriod = Number(o.cpuPeriod);
      if (o.cpusetCpus) body.CpusetCpus = o.cpusetCpus;
      if (o.pidsLimit) body.PidsLimit = Number(o.pidsLimit);
      if (o.restart) body.RestartPolicy = restartPolicy(o.restart);
      if (!Object.keys(body).length) throw new Error('you must provide one or more flags when using this command');
      await forEachContainer(ctx, refs, (ref) => ctx.client().updateContainer(ref, body));
    }) as BerthCommand;
}
