/**
 * api/progress-bar — the `progress` text of a JSON progress message as
 * dockerd writes it (`[=====>      ]  1.2MB/3.4MB`): 50 columns, decimal
 * units. Clients that draw their own bars use progressDetail instead. Pure.
 */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Docker's HumanSize: 3 significant digits, decimal units. */
export function humanSize(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) { v /= 1000; i++; }
  return `${parseFloat(v.toPrecision(3))}${UNITS[i]}`;
}

export function progressBar(current: number, total?: number, width = 50): string {
  if (!total || total <= 0) return humanSize(current);
  const ratio = Math.min(1, Math.max(0, current / total));
  const filled = Math.floor(ratio * width);
  const bar = '='.repeat(filled) + (filled < width ? '>' : '') + ' '.repeat(Math.max(0, width - filled - 1));
  const numbers = `${humanSize(current)}/${humanSize(total)}`;
  return `[${bar}] ${numbers.padStart(18)}`;
}
