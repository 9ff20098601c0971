/**
 * cli/commands/system/events — `berth events [--since T] [--until T]
 * [--filter k=v]... [--format TEMPLATE]`: streams daemon events in Docker's
 * line format (`<time> <type> <action> <id> (k=v, ...)`) or through a
 * template (`{{json .}}` included). Stops at --until or on SIGINT. Imports cli.
 */
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { toApiTimestamp } from '../../options/timestamp.js';
import { parseFilters } from '../../options/filters.js';
import { parseFormat, renderTemplate } from '../../format/template.js';
import type { EventMessage } from '../../../api/types.js';

interface EventsFlags { since?: string; until?: string; filter: string[]; format?: string }

/** Docker's RFC3339NanoFixed in UTC: nine fractional digits always. */
export function eventTime(timeNano: number): string {
  const ns = BigInt(timeNano);
  const sec = ns / 1_000_000_000n;
  const frac = String(ns % 1_000_000_000n).padStart(9, '0');
  return new Date(Number(sec) * 1000).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** One event as the docker CLI prints it without --format. */
export function eventLine(ev: EventMessage): string {
  const attrs = Object.keys(ev.Actor?.Attributes ?? {}).sort().map((k) => `${k}=${ev.Actor.Attributes[k]}`);
  return `${eventTime(ev.timeNano)} ${ev.Type} ${ev.Action} ${ev.Actor?.ID ?? ''}${attrs.length ? ` (${attrs.join(', ')})` : ''}`;
}

export function eventsCommand(ctx: CliContext, name = 'events'): BerthCommand {
  return new BerthCommand(name)
    .description('Get real time events from the server')
    .option('--since <string>', 'Show all events created since timestamp')
    .option('--until <string>', 'Stream events until this timestamp')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--format <string>', 'Format output using a custom template')
    .action(async (o: EventsFlags) => {
      const now = ctx.now();
      const ac = new AbortController();
      const onInt = () => ac.abort();
      process.once('SIGINT', onInt);
      const fmt = o.format && o.format !== 'json' ? parseFormat(o.format) : undefined;
      try {
        for await (const ev of ctx.client().events({
          since: o.since !== undefined ? toApiTimestamp(o.since, now) : undefined,
          until: o.until !== undefined ? toApiTimestamp(o.until, now) : undefined,
          filters: parseFilters(o.filter), signal: ac.signal,
        })) {
          if (o.format === 'json') ctx.print(JSON.stringify(ev));
          else if (fmt) ctx.print(renderTemplate(fmt.body, ev));
          else ctx.print(eventLine(ev));
        }
      } finally {
        process.off('SIGINT', onInt);
      }
    }) as BerthCommand;
}
