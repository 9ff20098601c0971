/**
 * cli/cli-version — the CLI's own version, read once from package.json
 * (dist/src/cli → ../../.. is the package root). Falls back to "dev".
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'berth' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'dev';
}

export const CLI_VERSION = readVersion();
