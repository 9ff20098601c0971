/**
 * cli/format/size — Docker's human sizes (go-units HumanSizeWithPrecision):
 * base 1000, units B kB MB GB TB PB EB ZB YB, `%.3g` significant digits,
 * e.g. 4270000 → "4.27MB". Pure; imports nothing.
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's `%.<precision>g`: shortest of fixed/exponent form, trailing zeros dropped. */
export function formatGoG(value: number, precision: number): string {
  if (value === 0) return '0';
  const p = value.toPrecision(precision);
  const m = /^(-?)([\d.]+)e([+-])(\d+)$/.exec(p);
  if (m) {
    const mantissa = m[2].includes('.') ? m[2].replace(/\.?0+$/, '') : m[2];
    return `${m[1]}${mantissa}e${m[3]}${m[4].padStart(2, '0')}`;
  }
  return p.includes('.') ? p.replace(/\.?0+$/, '') : p;
}

export function humanSize(bytes: number, precision = 3): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatGoG(size, precision)}${DECIMAL_UNITS[i]}`;
}
