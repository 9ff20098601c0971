/**
 * server/routes/session-routes — `POST /session`: a client's BuildKit
 * session, as dockerode and the docker CLI open one before a BuildKit build
 * (`Upgrade: h2c`, `X-Docker-Expose-Session-Uuid`, `-Name`, `-Sharedkey`,
 * one `X-Docker-Expose-Session-Grpc-Method` per service the client serves).
 * The connection is hijacked (101, as dockerd answers) and kept until the
 * client closes it; `POST /build?version=2&session=<uuid>` finds it here.
 * berthd calls none of the session's services yet: a build reads its
 * context from the request body (FileSync, Auth, Secrets and SSH over the
 * session are the BuildKit API's, still to come).
 */
import { invalidArgument } from '../../errdefs/errors.js';
import type { Logger } from '../../lib/log.js';
import { hijack } from '../hijack.js';
import type { Router } from '../router.js';

export interface BuildSession { id: string; name: string; methods: string[]; opened: Date }

/** The open sessions, by their UUID (one registry per API server). */
export class BuildSessions {
  private readonly open = new Map<string, BuildSession>();

  add(s: BuildSession): void { this.open.set(s.id, s); }
  remove(id: string): void { this.open.delete(id); }
  get(id: string): BuildSession | undefined { return this.open.get(id); }

  /** The session `id`, waiting up to `ms` for a client that opens it at the same time as its build. */
  async wait(id: string, ms = 2000): Promise<BuildSession | undefined> {
    for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 25))) {
      const s = this.open.get(id);
      if (s || Date.now() >= end) return s;
    }
  }
}

const header = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function sessionRoutes(r: Router, sessions: BuildSessions, log?: Logger): void {
  r.add('POST', '/session', async ({ req, upgrade, signal }) => {
    const id = header(req.headers['x-docker-expose-session-uuid'])[0] ?? '';
    if (!id) throw invalidArgument('session: missing X-Docker-Expose-Session-Uuid header');
    if (!/^[\w.-]{1,128}$/.test(id)) throw invalidArgument(`session: invalid session ID ${JSON.stringify(id.slice(0, 64))}`);
    if (!upgrade || String(req.headers.upgrade ?? '').toLowerCase() !== 'h2c') throw invalidArgument('session: the connection must upgrade to h2c (Connection: Upgrade, Upgrade: h2c)');
    if (sessions.get(id)) throw invalidArgument(`session ${id} is already open`);
    const methods = header(req.headers['x-docker-expose-session-grpc-method']).flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean);
    const s = hijack(upgrade, 'application/vnd.docker.raw-stream', { log, signal, protocol: 'h2c' });
    sessions.add({ id, name: header(req.headers['x-docker-expose-session-name'])[0] ?? '', methods, opened: new Date() });
    // what the client sends (its gRPC server's preface) is read and dropped until it closes the session
    const input = s.input();
    input.resume();
    await new Promise<void>((resolve) => { input.once('end', resolve); input.once('close', resolve); signal.addEventListener('abort', () => resolve(), { once: true }); });
    sessions.remove(id);
    s.finish();
  });
}
