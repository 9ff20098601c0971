/**
 * network/links — the adapter for ip(8) link and address operations berth
 * needs beyond what the CNI plugins do (making and deleting a network's
 * bridge, marking it, taking back an address), and read-only facts about
 * links from /sys/class/net and the host's interface table, and extra
 * addresses inside a container's namespace (link-local IPs). The one place
 * berth spawns `ip`.
 *
 * Vocabulary: a link's `alias` is its ifalias (/sys/class/net/<name>/ifalias),
 * the free-text label berth writes on the bridges it makes (its "mark").
 *
 * May import: errdefs.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readdir, readFile, stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { systemError } from '../errdefs/errors.js';
import { readFileSync } from 'node:fs';
import { parseIp6 } from './cidr6.js';

const run = promisify(execFile);
const SYS = '/sys/class/net';

/** What is at a link name now: nothing, a Linux bridge (with its alias), or a device of another kind. */
export type LinkState = { kind: 'none' } | { kind: 'bridge'; alias: string } | { kind: 'other' };

export async function linkExists(name: string): Promise<boolean> {
  return (await listLinks()).includes(name);
}

export async function listLinks(): Promise<string[]> {
  return readdir(SYS).catch(() => [] as string[]);
}

/** A link's state from sysfs: a bridge has a `bridge/` directory (veth, dummy, vlan… have none). */
export async function inspectLink(name: string): Promise<LinkState> {
  if (!(await stat(join(SYS, name)).then(() => true, () => false))) return { kind: 'none' };
  if (!(await stat(join(SYS, name, 'bridge')).then(() => true, () => false))) return { kind: 'other' };
  return { kind: 'bridge', alias: await linkAlias(name) };
}

export async function linkAlias(name: string): Promise<string> {
  return (await readFile(join(SYS, name, 'ifalias'), 'utf8').catch(() => '')).trim();
}

/**
 * Make bridge `name` (down, no address: the CNI bridge plugin brings it up
 * and gives it the gateway at the first attachment) carrying `alias`.
 * Both steps run in one `ip -batch` process, so a berthd killed meanwhile
 * cannot leave the bridge unmarked (the kernel ignores an alias given to
 * `link add`); `ip` stops at the first failing line, so a name someone
 * else took is never marked. Returns false when a device of that name
 * exists (it appeared since the caller looked): not ours.
 */
export async function createBridge(name: string, o: { alias: string; mtu?: number }): Promise<boolean> {
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(name) || !/^[\w.:-]{1,200}$/.test(o.alias)) throw systemError(`invalid bridge name or alias: ${name} ${o.alias}`);
  const script = `link add name ${name}${o.mtu ? ` mtu ${o.mtu}` : ''} type bridge\nlink set dev ${name} alias ${o.alias}\n`;
  try {
    await ipBatch(script);
    return true;
  } catch (err) {
    if ((await inspectLink(name)).kind !== 'none') {
      // ours if the add went through and only the alias failed: then it carries no mark and stays (logged by the caller as not ours)
      return false;
    }
    throw systemError(`creating bridge ${name}`, err);
  }
}

/** Write `alias` on link `name` (marks a bridge an older berth made before it marked them). */
export async function setLinkAlias(name: string, alias: string): Promise<void> {
  try { await run('ip', ['link', 'set', 'dev', name, 'alias', alias], { timeout: 10000 }); } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw systemError(`ip link set ${name} alias: ${(e.stderr || e.message).trim()}`, err);
  }
}

function ipBatch(script: string, prefix: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = [...prefix, 'ip', '-batch', '-'];
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdin.on('error', () => { /* reported by the exit status */ });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); if (code === 0) resolve(); else reject(new Error(`ip -batch: ${stderr.trim() || `exit ${code}`}`)); });
    child.stdin.end(script);
  });
}

export async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  try { await run('ip', ['link', 'del', name], { timeout: 10000 }); } catch (err) {
    if (!(await linkExists(name))) return;
    const e = err as { stderr?: string; message: string };
    throw systemError(`ip link del ${name}: ${(e.stderr || e.message).trim()}`, err);
  }
}

/**
 * Does link `name` carry the address `cidr` (a.b.c.d/len, or an IPv6 one in
 * any spelling)? IPv6 is read from /proc/net/if_inet6, which lists the
 * addresses of links that are down too (os.networkInterfaces() leaves out
 * links without carrier, as a new bridge is).
 */
export function linkHasAddress(name: string, cidr: string): boolean {
  if (!cidr.includes(':')) return (networkInterfaces()[name] ?? []).some((a) => a.family === 'IPv4' && a.cidr === cidr);
  const [addr, len] = cidr.split('/');
  const want = parseIp6(addr);
  let text = '';
  try { text = readFileSync('/proc/net/if_inet6', 'utf8'); } catch { return false; }
  // "20010389000000000000000000000001 1dcf 40 00 80 bdev1-cfcb6f3e8": address, ifindex, prefix length (hex), scope, flags, name
  return text.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[5] === name && BigInt(`0x${f[0]}`) === want && parseInt(f[2], 16) === Number(len);
  });
}

/**
 * Put `cidr` on link `name` unless it is there. An IPv6 address goes on
 * without duplicate address detection (`nodad`): a bridge's gateway is
 * usable at once, as dockerd sets it, instead of tentative for a second.
 */
export async function addLinkAddress(name: string, cidr: string): Promise<void> {
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(name) || !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(cidr)) throw systemError(`invalid link or address: ${name} ${cidr}`);
  if (linkHasAddress(name, cidr)) return;
  try { await run('ip', ['addr', 'add', cidr, 'dev', name, ...(cidr.includes(':') ? ['nodad'] : [])], { timeout: 10000 }); } catch (err) {
    if (linkHasAddress(name, cidr)) return;
    const e = err as { stderr?: string; message: string };
    throw systemError(`ip addr add ${cidr} dev ${name}: ${(e.stderr || e.message).trim()}`, err);
  }
}

/** Take the address `cidr` off link `name` (gone already: nothing to do). */
export async function removeLinkAddress(name: string, cidr: string): Promise<void> {
  if (!linkHasAddress(name, cidr)) return;
  try { await run('ip', ['addr', 'del', cidr, 'dev', name], { timeout: 10000 }); } catch (err) {
    if (!linkHasAddress(name, cidr)) return;
    const e = err as { stderr?: string; message: string };
    throw systemError(`ip addr del ${cidr} dev ${name}: ${(e.stderr || e.message).trim()}`, err);
  }
}

/** Add addresses (`a.b.c.d/len`, `fe80::1/64`) to link `ifname` inside the namespace pinned at `netnsPath`, in one `ip -batch`. */
export async function addNamespacedAddresses(netnsPath: string, ifname: string, cidrs: string[]): Promise<void> {
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(ifname) || cidrs.some((c) => !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(c))) throw systemError(`invalid interface or address: ${ifname} ${cidrs.join(' ')}`);
  try {
    await ipBatch(cidrs.map((c) => `addr add ${c} dev ${ifname}\n`).join(''), ['nsenter', `--net=${netnsPath}`, '--']);
  } catch (err) {
    throw systemError(`adding ${cidrs.join(', ')} to ${ifname}: ${(err as Error).message}`, err);
  }
}

/** IPv4 routes of the host's main table as [network, prefix] (from /proc/net/route), default route excluded. */
export async function hostRoutes(): Promise<{ ip: number; prefix: number }[]> {
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
