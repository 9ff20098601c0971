/**
 * cli/output-format — render a list through a `--format` (or a default
 * table format): aligned with a header for "table …", one line per item
 * otherwise. Imports cli/format.
 */
import { alignTabs } from './format/table.js';
import { parseFormat, renderHeader, renderTemplate } from './format/template.js';

export function renderList(format: string, rows: Record<string, unknown>[], headers: Record<string, string>): string {
  const { table, body } = parseFormat(format);
  const lines = rows.map((r) => renderTemplate(body, r));
  if (!table) return lines.map((l) => `${l}\n`).join('');
  return alignTabs([renderHeader(body, headers), ...lines]);
}
