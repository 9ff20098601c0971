/**
 * cli/options/kv-file — Docker's `--env-file` / `--label-file` syntax: one
 * KEY=VALUE per line, `#` comments and blank lines skipped, leading
 * whitespace trimmed, the value kept verbatim. A bare KEY takes its value
 * from `lookup` (the CLI's environment) and is dropped when unset; without a
 * lookup (labels) the bare KEY is kept. Pure; imports errdefs.
 */
import { invalidArgument } from '../../errdefs/errors.js';

export function parseKvFile(content: string, fileName: string, lookup?: (key: string) => string | undefined): string[] {
  const out: string[] = [];
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq >= 0 ? line.slice(0, eq) : line.replace(/\s+$/, '');
    if (key === '') throw invalidArgument(`no variable name on line '${line}' in ${fileName} (line ${idx + 1})`);
    if (/\s/.test(key)) throw invalidArgument(`variable '${key}' contains whitespaces`);
    if (eq >= 0) out.push(line);
    else if (!lookup) out.push(key);
    else {
      const v = lookup(key);
      if (v !== undefined) out.push(`${key}=${v}`);
    }
  });
  return out;
}

/** `-e KEY` takes KEY's value from the environment when set; otherwise it passes through as written (Docker's ValidateEnv). */
export function expandEnvFlag(value: string, lookup: (key: string) => string | undefined): string {
  const eq = value.indexOf('=');
  if (eq === 0) throw invalidArgument(`invalid environment variable: ${value}`);
  if (eq > 0) return value;
  const v = lookup(value);
  return v === undefined ? value : `${value}=${v}`;
}

/** ["a=1", "b"] → {a: "1", b: ""}, later entries win. */
export function kvListToMap(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
