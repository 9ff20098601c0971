/**
 * network/port-reservations — hold every published host port with a real
 * socket for as long as the container publishes it, as Docker does, so a
 * port another program (or another daemon) uses is refused at start with a
 * clear error, and a port berth publishes cannot be taken by anyone else.
 * Traffic itself is DNATed to the container by the portmap plugin; a
 * reservation socket that is reached anyway (it should not be) closes the
 * connection at once. Random host ports (HostPort "") are picked by the
 * kernel from its ephemeral range by binding port 0.
 *
 * May import: errdefs, network/port-bindings.
 */
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { conflict } from '../errdefs/errors.js';
import type { BoundPort, PortMapping } from './port-bindings.js';

type Holder = Server | Socket;

function bindOne(protocol: 'tcp' | 'udp', host: string, port: number): Promise<{ holder: Holder; port: number }> {
  return new Promise((resolve, reject) => {
    if (protocol === 'tcp') {
      const srv = createServer((s) => s.destroy());
      srv.once('error', reject);
      srv.listen({ host, port, exclusive: true, backlog: 1 }, () => {
        srv.removeListener('error', reject);
        srv.on('error', () => {});
        srv.unref();
        resolve({ holder: srv, port: (srv.address() as { port: number }).port });
      });
    } else {
      const s = createSocket({ type: 'udp4', reuseAddr: false });
      s.once('error', reject);
      s.bind({ address: host, port, exclusive: true }, () => {
        s.removeListener('error', reject);
        s.on('error', () => {});
        s.on('message', () => {});
        s.unref();
        resolve({ holder: s, port: s.address().port });
      });
    }
  });
}

function closeHolder(h: Holder): Promise<void> {
  return new Promise((resolve) => {
    if ('listen' in h) h.close(() => resolve()); else { try { h.close(() => resolve()); } catch { resolve(); } }
  });
}

export class PortReservations {
  private readonly held = new Map<string, { bound: BoundPort; holder: Holder }[]>();

  /**
   * Bind every mapping (picking the first free port of a range, or any port
   * for 0) and remember the sockets under `owner`. All or nothing: on a
   * failure the ones already bound are released and a conflict is thrown.
   */
  async reserve(owner: string, mappings: PortMapping[]): Promise<BoundPort[]> {
    const got: { bound: BoundPort; holder: Holder }[] = [];
    try {
      for (const m of mappings) {
        const host = m.hostIp || '0.0.0.0';
        let lastErr: unknown;
        let done = false;
        for (let p = m.hostPort; p <= m.hostPortEnd && !done; p++) {
          try {
            const { holder, port } = await bindOne(m.protocol, host, p);
            got.push({ holder, bound: { containerPort: m.containerPort, protocol: m.protocol, hostIp: m.hostIp, hostPort: port } });
            done = true;
          } catch (err) { lastErr = err; }
        }
        if (!done) {
          const code = (lastErr as NodeJS.ErrnoException)?.code;
          const what = m.hostPort === m.hostPortEnd ? `${host}:${m.hostPort}` : `${host}:${m.hostPort}-${m.hostPortEnd}`;
          if (code === 'EADDRNOTAVAIL') throw conflict(`driver failed programming external connectivity: Error starting userland proxy: listen ${m.protocol} ${what}: bind: cannot assign requested address`, 'PORT_IN_USE');
          throw conflict(`driver failed programming external connectivity: Bind for ${what} failed: port is already allocated`, 'PORT_IN_USE');
        }
      }
    } catch (err) {
      await Promise.all(got.map((g) => closeHolder(g.holder)));
      throw err;
    }
    const prev = this.held.get(owner) ?? [];
    this.held.set(owner, [...prev, ...got]);
    return got.map((g) => g.bound);
  }

  /** Re-take exact ports after a daemon restart (best effort: returns the ones that could not be bound). */
  async readopt(owner: string, bound: BoundPort[]): Promise<BoundPort[]> {
    const failed: BoundPort[] = [];
    if (this.held.has(owner)) return failed; // already holding them (started again meanwhile)
    for (const b of bound) {
      try { await this.reserve(owner, [{ ...b, hostPortEnd: b.hostPort }]); } catch { failed.push(b); }
    }
    return failed;
  }

  async release(owner: string): Promise<void> {
    const list = this.held.get(owner);
    this.held.delete(owner);
    await Promise.all((list ?? []).map((g) => closeHolder(g.holder)));
  }

  async releaseAll(): Promise<void> {
    for (const k of [...this.held.keys()]) await this.release(k);
  }
}
