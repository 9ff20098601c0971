/**
 * cli/format/table — the column alignment Docker's CLI gets from Go's
 * text/tabwriter with (minwidth 10, tabwidth 1, padding 3, ' '): every
 * tab-terminated cell is padded to max(10, widest cell + 3); the last cell of
 * a line is not padded. Pure; imports nothing.
 */

const MIN_WIDTH = 10;
const PADDING = 3;

const width = (s: string) => [...s].length;

/** Align tab-separated lines. Input lines carry `\t` between cells; output lines end with "\n". */
export function alignTabs(lines: string[]): string {
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const cells of rows) {
    for (let j = 0; j < cells.length - 1; j++) {
      widths[j] = Math.max(widths[j] ?? MIN_WIDTH, width(cells[j]) + PADDING);
    }
  }
  return rows
    .map((cells) => cells.map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(widths[j] - width(c)) : c)).join(''))
    .map((l) => `${l}\n`)
    .join('');
}

/** A table from a header row and data rows (cells, not yet joined). */
export function renderTable(header: string[], rows: string[][]): string {
  return alignTabs([header, ...rows].map((r) => r.join('\t')));
}
