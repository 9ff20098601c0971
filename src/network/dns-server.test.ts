import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { answer, type DnsAnswerSource } from './dns-server.js';

const query = (name: string, type: 'A' | 'AAAA' = 'A') => dnsPacket.encode({ type: 'query', id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
const decode = (b: Buffer | undefined) => dnsPacket.decode(b!) as dnsPacket.DecodedPacket & { rcode: string };

const source: DnsAnswerSource = {
  lookup: (ip) => (ip === '10.1.0.5' ? { resolve: (n) => (n === 'web' || n === 'web.net1' ? ['10.1.0.2'] : n === 'six' ? ['10.1.0.3', 'fd00:1::3'] : []), upstreams: ['127.0.0.53'] } : ip === '10.1.0.6' ? { resolve: () => [], upstreams: [] } : undefined),
};

test('container names resolve to their addresses, authoritatively', async () => {
  const r = decode(await answer(query('web'), '10.1.0.5', source, async () => undefined));
  assert.equal(r.id, 42);
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.flag_aa, true);
  assert.deepEqual(r.answers?.map((a) => [a.type, (a as { data: string }).data]), [['A', '10.1.0.2']]);
  const fq = decode(await answer(query('web.net1.'), '10.1.0.5', source, async () => undefined));
  assert.equal(fq.answers?.length, 1);
});

test('a container with an IPv6 address answers AAAA with it, and A with its IPv4 one only', async () => {
  const six = decode(await answer(query('six', 'AAAA'), '10.1.0.5', source, async () => undefined));
  assert.deepEqual(six.answers?.map((a) => [a.type, (a as { data: string }).data]), [['AAAA', 'fd00:1::3']]);
  const four = decode(await answer(query('six'), '10.1.0.5', source, async () => undefined));
  assert.deepEqual(four.answers?.map((a) => [a.type, (a as { data: string }).data]), [['A', '10.1.0.3']]);
});

test('a container name without IPv6 has no AAAA: NODATA, not a forward', async () => {
  let forwarded = false;
  const r = decode(await answer(query('web', 'AAAA'), '10.1.0.5', source, async () => { forwarded = true; return undefined; }));
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, []);
  assert.equal(forwarded, false);
});

test('other names are forwarded to the upstreams and the answer relayed as is', async () => {
  const relayed = Buffer.from(dnsPacket.encode({ type: 'response', id: 42, questions: [{ type: 'A', name: 'example.org' }], answers: [{ type: 'A', name: 'example.org', data: '192.0.2.1' }] }));
  let sentTo: string[] = [];
  const out = await answer(query('example.org'), '10.1.0.5', source, async (_q, ups) => { sentTo = ups; return relayed; });
  assert.deepEqual(sentTo, ['127.0.0.53']);
  assert.deepEqual(out, relayed);
  const failed = decode(await answer(query('example.org'), '10.1.0.5', source, async () => undefined));
  assert.equal(failed.rcode, 'SERVFAIL');
  const noUpstream = decode(await answer(query('example.org'), '10.1.0.6', source, async () => { throw new Error('must not forward'); }));
  assert.equal(noUpstream.rcode, 'SERVFAIL');
});

test('unknown sources are refused; garbage is dropped', async () => {
  const r = decode(await answer(query('web'), '192.0.2.99', source, async () => undefined));
  assert.equal(r.rcode, 'REFUSED');
  assert.deepEqual(r.answers, []);
  assert.equal(await answer(Buffer.from('nonsense'), '10.1.0.5', source, async () => undefined), undefined);
});

const quiet = async () => (await import('../lib/log.js')).createLogger({ level: 'error' });
const udpQuery = async (host: string, port: number, q: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> => {
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  return new Promise<Buffer | undefined>((resolve) => {
    const done = (b?: Buffer) => { clearTimeout(t); s.close(); resolve(b); };
    const t = setTimeout(() => done(), timeoutMs);
    s.on('message', (m) => done(m));
    s.on('error', () => done());
    s.connect(port, host, () => s.send(q));
  });
};

test('a listener binds its address only, takes a new port when the wanted one is taken there, and answers over UDP and TCP', async () => {
  const { createServer } = await import('node:net');
  const { EmbeddedDnsServer, queryTcp } = await import('./dns-server.js');
  const blocker = createServer();
  const taken = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)));
  const ports: number[] = [];
  const srv = new EmbeddedDnsServer({ source: { lookup: () => ({ resolve: (n) => (n === 'web' ? ['10.0.0.9'] : []), upstreams: [] }) }, log: await quiet(), port: taken, onPort: (p) => ports.push(p) });
  try {
    const port = await srv.serve('net1', '127.0.0.1');
    assert.notEqual(port, taken);
    assert.deepEqual(ports, [], 'the kept port stays the server\'s port');
    const tcp = decode(await queryTcp('127.0.0.1', port, query('web')));
    assert.deepEqual(tcp.answers?.map((a) => (a as { data: string }).data), ['10.0.0.9']);
    assert.equal(decode(await udpQuery('127.0.0.1', port, query('web'))).answers?.length, 1);
    // not a wildcard bind: the same port on another local address is nobody's
    assert.equal(await udpQuery('127.0.0.2', port, query('web'), 500), undefined);
    await assert.rejects(queryTcp('127.0.0.2', port, query('web')), /ECONNREFUSED/);
    // a second network on another address gets the server's port when it is free there
    const second = await srv.serve('net2', '127.0.0.2');
    assert.equal(second, taken);
    assert.equal(await srv.serve('net2', '127.0.0.2'), taken, 'idempotent');
    await srv.stop('net1');
    assert.equal(await udpQuery('127.0.0.1', port, query('web'), 500), undefined, 'closed with its network');
    assert.equal(await srv.portOf('net1'), undefined);
    assert.equal(decode(await udpQuery('127.0.0.2', second, query('web'))).answers?.length, 1, 'the other network keeps its listener');
  } finally {
    await srv.close();
    blocker.close();
  }
});

test('concurrent serve() calls share one listener; the first port found becomes the server\'s port', async () => {
  const { EmbeddedDnsServer } = await import('./dns-server.js');
  const ports: number[] = [];
  const srv = new EmbeddedDnsServer({ source: { lookup: () => undefined }, log: await quiet(), onPort: (p) => ports.push(p) });
  try {
    const got = await Promise.all([srv.serve('n', '127.0.0.1'), srv.serve('n', '127.0.0.1'), srv.serve('n', '127.0.0.1')]);
    assert.equal(new Set(got).size, 1);
    assert.deepEqual(ports, [got[0]]);
    assert.equal(srv.port, got[0]);
    await assert.rejects(srv.serve('far', '192.0.2.123'), /EADDRNOTAVAIL/, 'an address not on the host fails at once');
  } finally {
    await srv.close();
  }
});

test('an answer that arrives after its listener closed is dropped without an error reaching the process', async () => {
  const { EmbeddedDnsServer } = await import('./dns-server.js');
  const { createSocket } = await import('node:dgram');
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  let release!: () => void;
  const forwarded = new Promise<void>((r) => { release = r; });
  let asked!: () => void;
  const wasAsked = new Promise<void>((r) => { asked = r; });
  const relay = Buffer.from(dnsPacket.encode({ type: 'response', id: 42, questions: [{ type: 'A', name: 'example.org' }] }));
  const srv = new EmbeddedDnsServer({ source: { lookup: () => ({ resolve: () => [], upstreams: ['192.0.2.1'] }) }, log: await quiet(), forward: async () => { asked(); await forwarded; return relay; } });
  try {
    const port = await srv.serve('n', '127.0.0.1');
    const s = createSocket('udp4');
    s.send(query('example.org'), port, '127.0.0.1');
    await wasAsked;
    await srv.stop('n');
    release();
    await new Promise((r) => setTimeout(r, 200));
    s.close();
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await srv.close();
  }
});

test('forwarding to a refused upstream fails fast (connected socket sees the ICMP error)', async () => {
  const { forwardUdp } = await import('./dns-server.js');
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  const port = await new Promise<number>((r) => s.bind(0, '127.0.0.1', () => r(s.address().port)));
  s.close(); // nothing listens there now
  const t0 = Date.now();
  assert.equal(await forwardUdp(query('example.org'), [`127.0.0.1:${port}`], 5000), undefined);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});
