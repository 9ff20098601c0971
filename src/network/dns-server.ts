/**
 * network/dns-server — berth's embedded DNS server (Docker's 127.0.0.11).
 * One UDP + TCP listener per daemon on the host (all addresses, one port);
 * inside each container on a user-defined network, 127.0.0.11:53 is DNATed
 * to the network's gateway address and that port (see `redirect()`), so the
 * server sees the container's own address as the source. A query from an
 * address the engine knows is answered from the container's networks
 * (names, aliases, short IDs → A records); anything else that source asks is
 * forwarded to its upstream resolvers (the container's --dns, else the
 * host's resolv.conf) and the answer relayed. Sources the engine does not
 * know get REFUSED, so the port is no open resolver.
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
    if (q.type === 'A') return reply('NOERROR', ips.map((ip) => ({ name: q.name, type: 'A', class: 'IN', ttl: TTL, data: ip }) as dnsPacket.Answer));
    return reply('NOERROR'); // a container name has no AAAA/MX/…: NODATA, as Docker answers
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

export class EmbeddedDnsServer {
  private udp?: Socket;
  private tcp?: Server;
  private readonly conns = new Set<TcpSocket>();
  port = 0;

  constructor(private readonly o: { source: DnsAnswerSource; log: Logger; forward?: (q: Buffer, upstreams: string[]) => Promise<Buffer | undefined> }) {}

  /** Listen on `port` (0 = any) for UDP and TCP on every host address; falls back to a new port when `port` is taken. */
  async start(port = 0): Promise<number> {
    // UDP picks a free port, TCP may find that port taken: try again with another
    let lastErr: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try { await this.listen(attempt === 0 ? port : 0); return this.port; } catch (err) {
        lastErr = err;
        if (attempt === 0 && port) this.o.log.info('embedded DNS port taken; using a new one', { port });
        await this.close();
      }
    }
    throw lastErr;
  }

  private async listen(port: number): Promise<void> {
    const udp = createSocket({ type: 'udp4' });
    this.udp = udp;
    await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind({ port, address: '0.0.0.0', exclusive: true }, () => { udp.removeListener('error', reject); resolve(); }); });
    this.port = udp.address().port;
    udp.on('error', (e) => this.o.log.warn('embedded DNS (udp) error', { err: e.message }));
    udp.on('message', (m, rinfo) => {
      void this.handle(m, rinfo.address).then((out) => { if (out) udp.send(out, rinfo.port, rinfo.address); });
    });
    const tcp = createServer((c) => this.serveTcp(c));
    await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen({ port: this.port, host: '0.0.0.0', exclusive: true }, () => { tcp.removeListener('error', reject); resolve(); }); });
    tcp.on('error', (e) => this.o.log.warn('embedded DNS (tcp) error', { err: e.message }));
    this.tcp = tcp;
  }

  private handle(m: Buffer, from: string): Promise<Buffer | undefined> {
    this.o.log.debug('dns query', { from });
    return answer(m, from.replace(/^::ffff:/, ''), this.o.source, this.o.forward ?? forwardUdp).catch((e) => { this.o.log.warn('embedded DNS answer failed', { err: (e as Error).message }); return undefined; });
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
    for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    await new Promise<void>((r) => { if (!this.udp) return r(); try { this.udp.close(() => r()); } catch { r(); } });
    this.tcp = undefined;
    this.udp = undefined;
  }

  /**
   * Inside the namespace at `netnsPath`: send 127.0.0.11:53 (udp and tcp) to
   * `gateway`:port, with the container's own address as the source
   * (route_localnet lets a 127/8-sourced packet leave through eth0 before
   * POSTROUTING rewrites it). Idempotent: the namespace's chains are rebuilt.
   */
  async redirect(netnsPath: string, gateway: string): Promise<void> {
    const ipt = new Iptables(netnsPath);
    await ipt.sysctl('net.ipv4.conf.all.route_localnet', '1');
    const out = `${DNS_CHAIN}-OUT`;
    const post = `${DNS_CHAIN}-POST`;
    for (const c of [out, post]) { await ipt.ensureChain('nat', c); await ipt.flush('nat', c); }
    for (const proto of ['udp', 'tcp']) {
      await ipt.append('nat', out, ['-d', '127.0.0.11/32', '-p', proto, '--dport', '53', '-j', 'DNAT', '--to-destination', `${gateway}:${this.port}`]);
      await ipt.append('nat', post, ['-s', '127.0.0.0/8', '-d', `${gateway}/32`, '-p', proto, '--dport', String(this.port), '-j', 'MASQUERADE']);
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
