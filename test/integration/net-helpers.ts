/**
 * test/integration/net-helpers — small network helpers for the networking
 * tests: a free host port, a raw HTTP GET with retries.
 */
import { createServer as createTcpServer, connect } from 'node:net';

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

