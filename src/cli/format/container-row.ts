/**
 * cli/format/container-row — one `ps` row as Docker's ContainerContext sees
 * it: 12-char IDs, the command truncated to 20 display chars with "…" and
 * quoted, names without "/", ports "0.0.0.0:8080->80/tcp". Pure; imports api types.
 */
import type { ContainerSummary, Port } from '../../api/types.js';
import { timeAgo } from './duration.js';

export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
  State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
};
export const PS_DEFAULT_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** 12-char short form of an ID, with any "sha256:" dropped. */
export function truncateId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Docker's formatter.Ellipsis: keep `max - 1` characters and add "…" when longer than `max`. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return chars.slice(0, max - 1).join('') + '…';
}

/** Go strconv.Quote for the printable text Docker shows in COMMAND. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, '\\x7f');
}

export function formatPorts(ports: Port[] | null | undefined): string {
  if (!ports) return '';
  const sorted = [...ports].sort((a, b) => (a.PrivatePort - b.PrivatePort) || (a.PublicPort ?? 0) - (b.PublicPort ?? 0));
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const p of sorted) {
    const s = p.PublicPort !== undefined && p.PublicPort !== 0
      ? `${p.IP?.includes(':') ? `[${p.IP}]` : p.IP ?? ''}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`
      : `${p.PrivatePort}/${p.Type}`;
    if (!seen.has(s)) { seen.add(s); parts.push(s); }
  }
  return parts.join(', ');
}

/** The `.Image` column: a digest-pinned or ID reference is shortened unless --no-trunc. */
function imageColumn(c: ContainerSummary, trunc: boolean): string {
  if (!c.Image) return '<no image>';
  if (!trunc) return c.Image;
  if (/^(sha256:)?[0-9a-f]{64}$/.test(c.Image)) return truncateId(c.Image);
  return c.Image.replace(/@sha256:[0-9a-f]{64}$/, '');
}

/** Template context for one container: every field a `ps --format` may name. */
export function containerRow(c: ContainerSummary, opts: { trunc: boolean; nowMs: number }): Record<string, string> {
  let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  // With truncation Docker shows only the container's own name, not link aliases ("a/b").
  if (opts.trunc) names = names.filter((n) => !n.includes('/')).slice(0, 1);
  const labels = Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',');
  const networks = Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(',');
  const mounts = (c.Mounts ?? []).map((m) => (opts.trunc ? ellipsis(m.Name || m.Source, 15) : m.Name || m.Source)).join(',');
  return {
    ID: opts.trunc ? truncateId(c.Id) : c.Id,
    Image: imageColumn(c, opts.trunc),
    Command: goQuote(opts.trunc ? ellipsis(c.Command ?? '', 20) : c.Command ?? ''),
    CreatedAt: new Date(c.Created * 1000).toString(),
    RunningFor: timeAgo(c.Created * 1000, opts.nowMs),
    Ports: formatPorts(c.Ports),
    State: c.State ?? '',
    Status: c.Status ?? '',
    Size: '',
    Names: names.join(','),
    Labels: labels,
    Mounts: mounts,
    Networks: networks,
  };
}
