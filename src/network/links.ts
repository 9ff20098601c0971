/**
 * network/links — the adapter for ip(8) link operations berth needs beyond
 * what the CNI plugins do (deleting a network's bridge), and read-only
 * listing from /sys/class/net. The one place berth spawns `ip`.
 *
 * May import: errdefs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdir } from 'node:fs/promises';
import { systemError } from '../errdefs/errors.js';

const run = promisify(execFile);

export async function linkExists(name: string): Promise<boolean> {
  return (await listLinks()).includes(name);
}

export async function listLinks(): Promise<string[]> {
  return readdir('/sys/class/net').catch(() => [] as string[]);
}

export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  try { await run('ip', ['link', 'del', name], { timeout: 10000 }); } catch (err) {
    if (!(await linkExists(name))) return;
    const e = err as { stderr?: string; message: string };
    throw systemError(`ip link del ${name}: ${(e.stderr || e.message).trim()}`, err);
  }
}

/** IPv4 routes of the host's main table as [network, prefix] (from /proc/net/route), default route excluded. */
export async function hostRoutes(): Promise<{ ip: number; prefix: number }[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile('/proc/net/route', 'utf8').catch(() => '');
  const out: { ip: number; prefix: number }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const le = (h: string) => { const n = parseInt(h, 16) >>> 0; return (((n & 255) << 24) >>> 0) + (((n >>> 8) & 255) << 16) + (((n >>> 16) & 255) << 8) + (n >>> 24); };
    const ip = le(f[1]);
    const m = le(f[7]);
    const prefix = m === 0 ? 0 : 32 - Math.log2((~m >>> 0) + 1);
    if (prefix > 0) out.push({ ip, prefix });
  }
  return out;
}
