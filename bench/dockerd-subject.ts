/**
 * bench/dockerd-subject — the dockerd the benches measure beside berthd.
 *
 * When dockerd is installed (Debian's docker.io: `command -v dockerd`), a
 * throwaway one from test/integration/dockerd-harness.ts: its own temp roots,
 * socket, bridge and cgroup parent, the containerd it starts itself, the
 * bench's fixtures loaded with `docker import`, and every trace removed at
 * `stop()`. Otherwise, as before, a dockerd that already answers at
 * /var/run/docker.sock and has the images the bench needs. Otherwise none,
 * with the reason.
 */
import { existsSync, rmSync, rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { api } from '../test/integration/harness.js';
import { ThrowawayDockerd, DOCKERD_PATH, HOST_BEFORE_DOCKERD } from '../test/integration/dockerd-harness.js';

const SYSTEM_SOCK = '/var/run/docker.sock';

export interface DockerdSubject {
  /** what was measured, for the report ("throwaway dockerd 20.10.24+dfsg1 (containerd 1.6.20~ds1)") */
  label: string;
  sock: string;
  /** DOCKER_HOST (and DOCKER_CONFIG) for the docker CLI */
  env: Record<string, string>;
  /** Remove its containers, stop it and clean the host (a no-op for a system dockerd). */
  stop(): Promise<void>;
}

export type Dockerd = { subject: DockerdSubject } | { reason: string };

async function answers(sock: string): Promise<boolean> {
  if (!existsSync(sock)) return false;
  try {
    const ping = await Promise.race([api(sock, 'GET', '/_ping'), new Promise<never>((_, r) => setTimeout(() => r(new Error('timeout')), 2000))]);
    return ping.status === 200;
  } catch { return false; }
}

async function label(sock: string, what: string): Promise<string> {
  try {
    const v = (await api(sock, 'GET', '/version')).json<{ Version: string; Components?: { Name: string; Version: string }[] }>();
    const ctd = v.Components?.find((c) => c.Name === 'containerd');
    return `${what} ${v.Version}${ctd ? ` (containerd ${ctd.Version})` : ''}`;
  } catch { return what; }
}

/**
 * Start (or find) the dockerd to compare with. `prepare` loads the images a
 * throwaway one needs; `needs` are the images a system dockerd must have.
 */
export async function dockerdSubject(needs: string[], prepare: (d: ThrowawayDockerd) => Promise<void>): Promise<Dockerd> {
  if (DOCKERD_PATH) {
    const d = new ThrowawayDockerd();
    try {
      await d.start();
      await prepare(d);
    } catch (e) {
      await d.cleanup();
      return { reason: `dockerd at ${DOCKERD_PATH} could not be started for the bench: ${(e as Error).message.split('\n')[0]}` };
    }
    return {
      subject: {
        label: await label(d.sock, 'throwaway dockerd'), sock: d.sock, env: d.env,
        stop: async () => {
          const left = await d.cleanup();
          if (left.length) console.log(`dockerd cleanup: ${left.join('; ')}`);
          // the harness's record for the test suite's leftover check: not a bench's business
          rmSync(HOST_BEFORE_DOCKERD, { force: true });
          try { rmdirSync(dirname(HOST_BEFORE_DOCKERD)); } catch { /* holds fixtures, or gone */ }
        },
      },
    };
  }
  if (await answers(SYSTEM_SOCK)) {
    for (const ref of needs) {
      if ((await api(SYSTEM_SOCK, 'GET', `/images/${ref}/json`)).status !== 200) return { reason: `the dockerd at ${SYSTEM_SOCK} has no ${ref}` };
    }
    return { subject: { label: await label(SYSTEM_SOCK, `dockerd at ${SYSTEM_SOCK}`), sock: SYSTEM_SOCK, env: { DOCKER_HOST: `unix://${SYSTEM_SOCK}` }, stop: async () => {} } };
  }
  return { reason: 'no dockerd installed (apt-get install docker.io) and none answers at /var/run/docker.sock' };
}

/** The docker CLI's version line, for the reports. */
export function dockerCliVersion(): string {
  try { return execFileSync('docker', ['--version']).toString().trim(); } catch { return 'docker CLI: unknown'; }
}
