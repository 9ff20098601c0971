/**
 * network/dns-server — berth's embedded DNS server (Docker's 127.0.0.11).
 * dockerd keeps its resolver inside each container's namespace; berthd
 * (one Node process, which cannot enter namespaces) listens on the host,
 * but only where containers reach it: one UDP + TCP listener per
 * user-defined network, bound to that network's gateway address (the host
 * side of its bridge), never on a wildcard, loopback or external address.
 * A listener is opened when a container attaches to the network (the
 * bridge has its gateway address by then) or is re-adopted at daemon start,
 * and closed when the network goes. Inside each container, 127.0.0.11:53
 * is DNATed to the gateway and the listener's port (see `redirect()`), so
 * the server sees the container's own address as the source. A query from
 * an address the engine knows is answered from the container's networks
 * (names, aliases, short IDs → A records); anything else that source asks
 * is forwarded to its upstream resolvers (the container's --dns, else the
 * host's resolv.conf) and the answer relayed. Sources the engine does not
 * know get REFUSED, so no listener is an open resolver.
 *
 * Vocabulary: `key` names a listener (the network ID); every listener tries
 * the server's `port` first (kept across daemon restarts by the caller, so
 * running containers' redirects stay valid), another one if it is taken.
 * Socket errors are logged, never thrown at the process.
 *
 * May import: errdefs, lib, network/iptables.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket, connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Logger } from '../lib/log.js';
import { Iptables } from './iptables.js';

export interface DnsAnswerSource {
  /**
   * The container behind `sourceIp`, or undefined (→ REFUSED). `resolve`
   * returns the IPv4 addresses a name has on that container's networks
   * (empty: not a container name); `upstreams` the servers to forward to.
   */
  lookup(sourceIp: string): { resolve(name: string): string[]; upstreams: string[] } | undefined;
}

const TTL = 600;
const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
export const DNS_CHAIN = 'BERTH-DNS';

/** Answer one query message (pure apart from the forwarder). */
export async function answer(query: Buffer, sourceIp: string, source: DnsAnswerSource, forward: (q: Buffer, upstreams: string[]) => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
  let msg: dnsPacket.Packet;
  try { msg = dnsPacket.decode(query); } catch { return undefined; }
  const q = msg.questions?.[0];
  // dns-packet takes the rcode in the low 4 bits of `flags`
  const reply = (rcode: keyof typeof RCODES, answers: dnsPacket.Answer[] = [], aa = true) => dnsPacket.encode({
    id: msg.id, type: 'response', flags: (aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | RCODES[rcode],
    questions: msg.questions, answers,
  });
  const who = source.lookup(sourceIp);
  if (!who) return reply('REFUSED', [], false);
  if (!q) return reply('FORMERR', [], false);
  const name = q.name.replace(/\.$/, '');
  const ips = name ? who.resolve(name) : [];
  if (ips.length) {
    // a container name has only A and (on networks with IPv6) AAAA records; the rest is NODATA, as Docker answers
    if (q.type === 'A' || q.type === 'AAAA') {
      const family = q.type === 'AAAA';
      return reply('NOERROR', ips.filter((ip) => ip.includes(':') === family).map((ip) => ({ name: q.name, type: q.type, class: 'IN', ttl: TTL, data: ip }) as dnsPacket.Answer));
    }
    return reply('NOERROR');
  }
  if (!who.upstreams.length) return reply('SERVFAIL', [], false);
  const fwd = await forward(query, who.upstreams);
  return fwd ?? reply('SERVFAIL', [], false);
}

/** Send a query to each upstream in turn over UDP (2 s each); the first answer wins. */
export async function forwardUdp(query: Buffer, upstreams: string[], timeoutMs = 2000): Promise<Buffer | undefined> {
  for (const up of upstreams) {
    const [host, port] = up.includes(']:') || /^[\d.]+:\d+$/.test(up) ? [up.replace(/^\[|\]?:\d+$/g, ''), Number(up.split(':').pop())] : [up, 53];
    const r = await new Promise<Buffer | undefined>((resolve) => {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      const done = (b?: Buffer) => { clearTimeout(t); s.close(); resolve(b); };
      const t = setTimeout(() => done(), timeoutMs);
      s.on('message', (m) => done(m));
      s.on('error', () => done()); // connected: a refused port (ICMP) fails fast instead of timing out
      s.connect(port, host, () => s.send(query));
    });
    if (r) return r;
  }
  return undefined;
}

type Forward = (q: Buffer, upstreams: string[]) => Promise<Buffer | undefined>;

/** One UDP + TCP listener on one address and port. */
class Listener {
  private udp?: Socket;
  private tcp?: Server;
  private readonly conns = new Set<TcpSocket>();
  port = 0;

  constructor(readonly address: string, private readonly handle: (m: Buffer, from: string) => Promise<Buffer | undefined>, private readonly log: Logger) {}

  /** Bind UDP then TCP on address:port (0 = any); throws (with both closed) when either is taken. */
  async listen(port: number): Promise<void> {
    try {
      const udp = createSocket({ type: 'udp4' });
      this.udp = udp;
      await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind({ port, address: this.address, exclusive: true }, () => { udp.removeListener('error', reject); resolve(); }); });
      this.port = udp.address().port;
      udp.on('error', (e) => this.log.warn('embedded DNS (udp) error', { address: this.address, err: e.message }));
      udp.on('message', (m, rinfo) => {
        void this.handle(m, rinfo.address).then((out) => {
          if (!out || this.udp !== udp) return;
          try { udp.send(out, rinfo.port, rinfo.address, (e) => { if (e) this.log.debug('embedded DNS reply not sent', { to: rinfo.address, err: e.message }); }); } catch (e) {
            this.log.debug('embedded DNS reply not sent', { to: rinfo.address, err: (e as Error).message }); // closed meanwhile
          }
        });
      });
      const tcp = createServer((c) => this.serveTcp(c));
      this.tcp = tcp;
      await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen({ port: this.port, host: this.address, exclusive: true }, () => { tcp.removeListener('error', reject); resolve(); }); });
      tcp.on('error', (e) => this.log.warn('embedded DNS (tcp) error', { address: this.address, err: e.message }));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** DNS over TCP: 2-byte length-prefixed messages. */
  private serveTcp(c: TcpSocket): void {
    this.conns.add(c);
    c.setTimeout(10000, () => c.destroy());
    c.on('close', () => this.conns.delete(c));
    c.on('error', () => {});
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.handle(Buffer.from(msg), c.remoteAddress ?? '').then((out) => {
          if (out && !c.destroyed) { const len = Buffer.alloc(2); len.writeUInt16BE(out.length); c.write(Buffer.concat([len, out])); }
        });
      }
    });
  }

  async close(): Promise<void> {
    const { tcp, udp } = this;
    this.tcp = undefined;
    this.udp = undefined;
    for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => (tcp?.listening ? tcp.close(() => r()) : r()));
    await new Promise<void>((r) => { if (!udp) return r(); try { udp.close(() => r()); } catch { r(); } });
  }
}

export class EmbeddedDnsServer {
  private readonly listeners = new Map<string, Promise<Listener>>();
  /** The port every listener tries first: given (kept by the daemon) or the first one a listener got. */
  port: number;

  constructor(private readonly o: { source: DnsAnswerSource; log: Logger; forward?: Forward; port?: number; onPort?: (port: number) => void }) {
    this.port = o.port ?? 0;
  }

  /**
   * Make sure listener `key` listens on `address` (a gateway address on the
   * host); returns its port. Idempotent, and concurrent calls share one
   * listener. Tries the server's port, then new ones (UDP may get a port
   * whose TCP side is taken).
   */
  async serve(key: string, address: string): Promise<number> {
    const cur = this.listeners.get(key);
    if (cur) {
      const l = await cur.catch(() => undefined);
      if (l && l.address === address) return l.port;
      if (this.listeners.get(key) === cur) { this.listeners.delete(key); await l?.close(); }
      return this.serve(key, address);
    }
    const p = this.open(address);
    this.listeners.set(key, p);
    try { return (await p).port; } catch (err) {
      if (this.listeners.get(key) === p) this.listeners.delete(key);
      throw err;
    }
  }

  private async open(address: string): Promise<Listener> {
    const l = new Listener(address, (m, from) => this.handle(m, from), this.o.log);
    let lastErr: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      const want = attempt === 0 ? this.port : 0;
      try {
        await l.listen(want);
        if (!this.port) { this.port = l.port; this.o.onPort?.(l.port); }
        if (want && l.port !== want) this.o.log.info('embedded DNS port taken on this address; using a new one', { address, port: want, now: l.port });
        return l;
      } catch (err) {
        lastErr = err;
        if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') break; // the address is not on the host (yet)
      }
    }
    throw lastErr;
  }

  /** The port of listener `key`, if it listens. */
  async portOf(key: string): Promise<number | undefined> {
    return (await this.listeners.get(key)?.catch(() => undefined))?.port;
  }

  /** Close listener `key` (its network is gone). */
  async stop(key: string): Promise<void> {
    const p = this.listeners.get(key);
    if (!p) return;
    this.listeners.delete(key);
    await (await p.catch(() => undefined))?.close();
  }

  /** Close every listener (daemon stop). */
  async close(): Promise<void> {
    for (const key of [...this.listeners.keys()]) await this.stop(key);
  }

  private handle(m: Buffer, from: string): Promise<Buffer | undefined> {
    this.o.log.debug('dns query', { from });
    try {
      return answer(m, from.replace(/^::ffff:/, ''), this.o.source, this.o.forward ?? forwardUdp).catch((e) => { this.o.log.warn('embedded DNS answer failed', { err: (e as Error).message }); return undefined; });
    } catch (e) {
      this.o.log.warn('embedded DNS answer failed', { err: (e as Error).message });
      return Promise.resolve(undefined);
    }
  }

  /**
   * Inside the namespace at `netnsPath`: send 127.0.0.11:53 (udp and tcp) to
   * `gateway`:`port` (the listener `serve()` opened there), with the container's own address as the source
   * (route_localnet lets a 127/8-sourced packet leave through eth0 before
   * POSTROUTING rewrites it). Idempotent: the namespace's chains are rebuilt.
   */
  async redirect(netnsPath: string, gateway: string, port: number): Promise<void> {
    const ipt = new Iptables(netnsPath);
    await ipt.sysctl('net.ipv4.conf.all.route_localnet', '1');
    const out = `${DNS_CHAIN}-OUT`;
    const post = `${DNS_CHAIN}-POST`;
    for (const c of [out, post]) { await ipt.ensureChain('nat', c); await ipt.flush('nat', c); }
    for (const proto of ['udp', 'tcp']) {
      await ipt.append('nat', out, ['-d', '127.0.0.11/32', '-p', proto, '--dport', '53', '-j', 'DNAT', '--to-destination', `${gateway}:${port}`]);
      await ipt.append('nat', post, ['-s', '127.0.0.0/8', '-d', `${gateway}/32`, '-p', proto, '--dport', String(port), '-j', 'MASQUERADE']);
    }
    await ipt.ensureInserted('nat', 'OUTPUT', ['-j', out]);
    await ipt.ensureInserted('nat', 'POSTROUTING', ['-j', post]);
  }
}

/** TCP DNS client helper for tests: one query, one answer. */
export function queryTcp(host: string, port: number, q: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = connect({ host, port });
    let buf = Buffer.alloc(0);
    c.on('connect', () => { const len = Buffer.alloc(2); len.writeUInt16BE(q.length); c.write(Buffer.concat([len, q])); });
    c.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { c.destroy(); resolve(buf.subarray(2, 2 + buf.readUInt16BE(0))); } });
    c.on('error', reject);
  });
}
