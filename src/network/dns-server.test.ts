import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { answer, type DnsAnswerSource } from './dns-server.js';

const query = (name: string, type: 'A' | 'AAAA' = 'A') => dnsPacket.encode({ type: 'query', id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
const decode = (b: Buffer | undefined) => dnsPacket.decode(b!) as dnsPacket.DecodedPacket & { rcode: string };

const source: DnsAnswerSource = {
  lookup: (ip) => (ip === '10.1.0.5' ? { resolve: (n) => (n === 'web' || n === 'web.net1' ? ['10.1.0.2'] : []), upstreams: ['127.0.0.53'] } : ip === '10.1.0.6' ? { resolve: () => [], upstreams: [] } : undefined),
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

test('a container name has no AAAA: NODATA, not a forward', async () => {
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

test('the server takes a new port when the wanted one is taken (udp or tcp), and answers over both', async () => {
  const { createServer } = await import('node:net');
  const { createSocket } = await import('node:dgram');
  const { EmbeddedDnsServer, queryTcp } = await import('./dns-server.js');
  const { createLogger } = await import('../lib/log.js');
  const blocker = createServer();
  const taken = await new Promise<number>((r) => blocker.listen(0, '0.0.0.0', () => r((blocker.address() as { port: number }).port)));
  const srv = new EmbeddedDnsServer({ source: { lookup: () => ({ resolve: (n) => (n === 'web' ? ['10.0.0.9'] : []), upstreams: [] }) }, log: createLogger({ level: 'error' }) });
  try {
    const port = await srv.start(taken);
    assert.notEqual(port, taken);
    const tcp = decode(await queryTcp('127.0.0.1', port, query('web')));
    assert.deepEqual(tcp.answers?.map((a) => (a as { data: string }).data), ['10.0.0.9']);
    const s = createSocket('udp4');
    const udp = await new Promise<Buffer>((resolve) => { s.on('message', (m) => resolve(m)); s.send(query('web'), port, '127.0.0.1'); });
    s.close();
    assert.equal(decode(udp).answers?.length, 1);
  } finally {
    await srv.close();
    blocker.close();
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
