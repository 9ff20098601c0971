/** daemon/main — berthd's entry: parse flags, start, stop cleanly on SIGTERM/SIGINT (containers keep running). */
import { parseDaemonArgs, USAGE } from './config.js';
import { startDaemon } from './daemon.js';
import { BERTH_VERSION } from '../engine/system.js';
import { isConnectionError } from '../lib/stream-guard.js';

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseDaemonArgs(argv);
  } catch (err) {
    process.stderr.write(`berthd: ${(err as Error).message}\nSee 'berthd --help'.\n`);
    process.exit(125);
  }
  if (parsed.help) { process.stdout.write(USAGE); return; }
  if (parsed.version) { process.stdout.write(`berthd version ${BERTH_VERSION}\n`); return; }
  let daemon;
  try {
    daemon = await startDaemon(parsed.config);
  } catch (err) {
    process.stderr.write(`failed to start daemon: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const shutdown = (sig: string) => {
    daemon.log.info(`received ${sig}, shutting down`);
    daemon.stop().then(() => process.exit(0), (e) => { daemon.log.error('shutdown failed', { err: (e as Error).message }); process.exit(1); });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (e) => daemon.log.error('unhandled rejection', { err: e instanceof Error ? e.stack ?? e.message : String(e) }));
  // Last resort, not the fix: every stream has its errors handled where it is made
  // (lib/stream-guard), and the torture harness fails on this line appearing. A
  // connection's failure that still escapes ends that connection only (its stream
  // is already destroyed; no daemon state lives in it), so berthd keeps serving;
  // anything else may have broken an invariant: log it and exit (state is crash-safe,
  // containers keep running, the next start reconciles).
  process.on('uncaughtException', (err) => {
    const fields = { err: err.stack ?? err.message, code: (err as { code?: string }).code };
    if (isConnectionError(err)) { daemon.log.error('uncaught exception from a connection (a bug; the daemon keeps running)', fields); return; }
    daemon.log.error('uncaught exception (a bug; the daemon exits)', fields);
    process.exit(70);
  });
}
