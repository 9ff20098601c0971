/**
 * test/integration/net-helpers — small network helpers for the networking
 * tests: a free host port, a raw HTTP GET with retries, and a "machine
 * beyond the host" to test NAT against without leaving this machine.
 */
import { createServer as createTcpServer, connect } from 'node:net';
import { execFileSync, spawn } from 'node:child_process';

/** A host port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

/** One HTTP GET over a raw socket (no proxy, no keep-alive); retries while the server starts. */
export async function httpGet(host: string, port: number, timeoutMs = 10000): Promise<string> {
  const once = () => new Promise<string>((resolve, reject) => {
    const s = connect({ host, port });
    let data = '';
    s.setTimeout(3000, () => s.destroy(new Error('timeout')));
    s.on('connect', () => s.write(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
    s.on('data', (c) => { data += c.toString(); });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await once();
      if (r.startsWith('HTTP/1.')) return r;
      throw new Error(`not HTTP: ${r}`);
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The machine beyond the host: a network namespace `ns` wired to the host by
 * a veth pair (`hostIf` with `hostAddr`/24 on the host, `peerIf` with
 * `outsideAddr`/24 inside), where a server on :9000 answers each connection
 * with the address it came from. It has no route to any container subnet, so
 * only NATed traffic gets an answer. `remove()` kills the server and deletes
 * the link and the namespace; `strict` makes a failed delete throw.
 */
export async function wireOutside(o: { ns: string; hostIf: string; peerIf: string; hostAddr: string; outsideAddr: string }): Promise<{ remove(strict?: boolean): void }> {
  execFileSync('ip', ['netns', 'add', o.ns]);
  execFileSync('ip', ['link', 'add', o.hostIf, 'type', 'veth', 'peer', 'name', o.peerIf]);
  execFileSync('ip', ['link', 'set', o.peerIf, 'netns', o.ns]);
  execFileSync('ip', ['addr', 'add', `${o.hostAddr}/24`, 'dev', o.hostIf]);
  execFileSync('ip', ['link', 'set', o.hostIf, 'up']);
  execFileSync('ip', ['-n', o.ns, 'addr', 'add', `${o.outsideAddr}/24`, 'dev', o.peerIf]);
  execFileSync('ip', ['-n', o.ns, 'link', 'set', o.peerIf, 'up']);
  execFileSync('ip', ['-n', o.ns, 'link', 'set', 'lo', 'up']);
  const server = spawn('ip', ['netns', 'exec', o.ns, process.execPath, '-e', "require('net').createServer((s) => s.end(s.remoteAddress.replace('::ffff:', '') + '\\n')).listen(9000)"], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try { execFileSync('ip', ['netns', 'exec', o.ns, 'sh', '-c', 'grep -q ":2328 " /proc/net/tcp /proc/net/tcp6']); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  return {
    remove(strict = false) {
      if (server.pid && server.exitCode === null) { try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone */ } }
      for (const args of [['link', 'del', o.hostIf], ['netns', 'del', o.ns]]) {
        try { execFileSync('ip', args, { stdio: 'ignore' }); } catch (err) { if (strict) throw err; }
      }
    },
  };
}
