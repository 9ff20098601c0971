/**
 * network/iptables — the adapter for iptables(8), and for nsenter(1) +
 * iptables / sysctl(8) inside a container's network namespace: the one
 * place berth spawns them. Rules berth owns live in chains named with the
 * daemon's network prefix, so they can be found and flushed.
 *
 * May import: errdefs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../errdefs/errors.js';

const run = promisify(execFile);

export type Table = 'filter' | 'nat';

export class Iptables {
  /** `netns`: run inside this network namespace (a pinned path) instead of the host's; `family` 6: ip6tables. */
  constructor(private readonly netns?: string, private readonly family: 4 | 6 = 4) {}

  private async exec(args: string[]): Promise<string> {
    const bin = this.family === 6 ? 'ip6tables' : 'iptables';
    const [cmd, full] = this.netns ? ['nsenter', [`--net=${this.netns}`, '--', bin, '-w', ...args]] : [bin, ['-w', ...args]];
    try {
      const { stdout } = await run(cmd, full, { timeout: 30000 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new BerthError('IPTABLES_FAILED', `${bin} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`, { cause: err });
    }
  }

  async chainExists(table: Table, chain: string): Promise<boolean> {
    try { await this.exec(['-t', table, '-S', chain, '1']); return true; } catch { return false; }
  }

  async ensureChain(table: Table, chain: string): Promise<void> {
    if (!(await this.chainExists(table, chain))) await this.exec(['-t', table, '-N', chain]).catch(async (e) => { if (!(await this.chainExists(table, chain))) throw e; });
  }

  async ruleExists(table: Table, chain: string, rule: string[]): Promise<boolean> {
    try { await this.exec(['-t', table, '-C', chain, ...rule]); return true; } catch { return false; }
  }

  async append(table: Table, chain: string, rule: string[]): Promise<void> {
    await this.exec(['-t', table, '-A', chain, ...rule]);
  }

  /** Insert at `pos` unless an identical rule exists anywhere in the chain. */
  async ensureInserted(table: Table, chain: string, rule: string[], pos = 1): Promise<void> {
    if (!(await this.ruleExists(table, chain, rule))) await this.exec(['-t', table, '-I', chain, String(pos), ...rule]);
  }

  async ensureAppended(table: Table, chain: string, rule: string[]): Promise<void> {
    if (!(await this.ruleExists(table, chain, rule))) await this.append(table, chain, rule);
  }

  /** Delete every copy of a rule; missing is fine. */
  async deleteRule(table: Table, chain: string, rule: string[]): Promise<void> {
    for (let i = 0; i < 16 && (await this.ruleExists(table, chain, rule)); i++) await this.exec(['-t', table, '-D', chain, ...rule]);
  }

  async flush(table: Table, chain: string): Promise<void> {
    if (await this.chainExists(table, chain)) await this.exec(['-t', table, '-F', chain]);
  }

  async deleteChain(table: Table, chain: string): Promise<void> {
    if (await this.chainExists(table, chain)) { await this.exec(['-t', table, '-F', chain]); await this.exec(['-t', table, '-X', chain]); }
  }

  /** `iptables -S` of a table (for cleanup sweeps and tests). */
  async rules(table: Table): Promise<string[]> {
    return (await this.exec(['-t', table, '-S'])).split('\n').filter(Boolean);
  }

  /** Run a raw rule spec as printed by -S ("-A CHAIN ..." → "-D CHAIN ..."). */
  async deleteSpec(table: Table, spec: string): Promise<void> {
    const args = splitSpec(spec);
    if (args[0] !== '-A') return;
    await this.exec(['-t', table, '-D', ...args.slice(1)]).catch(() => {});
  }

  /** sysctl inside the namespace (or on the host). */
  async sysctl(key: string, value: string): Promise<void> {
    const [cmd, args] = this.netns ? ['nsenter', [`--net=${this.netns}`, '--', 'sysctl', '-q', '-w', `${key}=${value}`]] : ['sysctl', ['-q', '-w', `${key}=${value}`]];
    try { await run(cmd, args, { timeout: 10000 }); } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new BerthError('IPTABLES_FAILED', `sysctl ${key}=${value}: ${(e.stderr || e.message).trim()}`, { cause: err });
    }
  }
}

/** Split an `iptables -S` line into argv, honouring double quotes. */
export function splitSpec(spec: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(spec); m; m = re.exec(spec)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}
