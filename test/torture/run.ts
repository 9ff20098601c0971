/**
 * test/torture/run — the one command:
 *   node dist/test/torture/run.js [--minutes M] [--clients N] [--seed S] [--phases ABCD] [--json FILE]
 * (npm run torture -- …). Runs phases A–D (see torture.ts) on berthds it
 * starts on temp roots, loopback only; prints a human summary and the
 * verdict as JSON on stdout (and to FILE); exits 1 on any failure. Defaults:
 * 10 minutes (the long form), 30 clients, a random seed (printed: replay
 * with --seed; the clients' choices replay exactly, their interleaving
 * does not). Run as root, with a built dist/ and the integration
 * harness's prerequisites (runc, conmon, CNI plugins, iptables).
 * BERTH_TEST_PREFIX (default berth-torture-) names everything it creates.
 */
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

interface Args { minutes: number; clients: number; seed: string; phases: string; json?: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { minutes: 10, clients: 30, seed: randomBytes(4).toString('hex'), phases: 'ABCD' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const val = () => inline ?? argv[++i];
    switch (flag) {
      case '--minutes': a.minutes = Number(val()); break;
      case '--clients': a.clients = Number(val()); break;
      case '--seed': a.seed = String(val()); break;
      case '--phases': a.phases = String(val()).toUpperCase(); break;
      case '--json': a.json = val(); break;
      case '-h': case '--help':
        process.stdout.write('usage: node dist/test/torture/run.js [--minutes M] [--clients N] [--seed S] [--phases ABCD] [--json FILE]\n');
        process.exit(0);
      // falls through (exit)
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!(a.minutes > 0) || a.minutes > 120) throw new Error('--minutes must be in (0, 120]');
  if (!Number.isInteger(a.clients) || a.clients < 1 || a.clients > 100) throw new Error('--clients must be an integer in [1, 100]');
  if (!/^[ABCD]+$/.test(a.phases)) throw new Error('--phases takes letters of ABCD');
  return a;
}

async function main(): Promise<void> {
  let args: Args;
  try { args = parseArgs(process.argv.slice(2)); } catch (err) { process.stderr.write(`torture: ${(err as Error).message}\n`); process.exit(2); }
  // the integration harness reads the prefix when it is loaded
  process.env.BERTH_TEST_PREFIX ??= 'berth-torture-';
  const { runTorture } = await import('./torture.js');
  const { humanSummary } = await import('./report.js');
  process.stderr.write(`torture: seed ${args.seed}, ${args.minutes} min, ${args.clients} clients, phases ${args.phases}, prefix ${process.env.BERTH_TEST_PREFIX}\n`);
  const verdict = await runTorture({ minutes: args.minutes, clients: args.clients, seed: args.seed, phases: args.phases.split('') as ('A' | 'B' | 'C' | 'D')[] });
  const json = JSON.stringify(verdict, null, 2);
  if (args.json) writeFileSync(args.json, json + '\n');
  process.stdout.write(`${humanSummary(verdict)}\n${json}\n`);
  process.exit(verdict.verdict === 'pass' ? 0 : 1);
}

void main();
