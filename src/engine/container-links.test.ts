import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkEnv, linkHostLines, normalizeLinks, parseLink, linkTargets } from './container-links.js';
import type { ContainerRecord } from './container-types.js';

const rec = (name: string, o: Partial<{ running: boolean; ip: string; env: string[]; ports: string[]; links: string[] }> = {}) => ({
  id: name.padEnd(64, '0'), name,
  config: { Env: o.env ?? [], ExposedPorts: Object.fromEntries((o.ports ?? []).map((p) => [p, {}])) },
  hostConfig: { Links: o.links ?? [] },
  state: { Status: o.running === false ? 'exited' : 'running' },
  net: o.ip ? { endpoints: { bridge: { live: { ip: o.ip } } } } : { endpoints: {} },
}) as unknown as ContainerRecord;

test('link specs and their stored form', () => {
  assert.deepEqual(parseLink('web'), { target: 'web', alias: 'web' });
  assert.deepEqual(parseLink('web:db'), { target: 'web', alias: 'db' });
  assert.deepEqual(parseLink('/web:/app/db'), { target: 'web', alias: 'db' });
  for (const bad of ['', 'a:b:c', 'web:', 'web:-x']) assert.throws(() => parseLink(bad), /invalid link/, bad);
  const all = new Map([['web', rec('web')], ['app', rec('app')]]);
  const lookup = (r: string) => { const x = all.get(r); if (!x) throw new Error('no'); return x; };
  assert.deepEqual(normalizeLinks(['web:db', 'web'], 'app', lookup), ['/web:/app/db', '/web:/app/web']);
  assert.throws(() => normalizeLinks(['nope'], 'app', lookup), /could not get container for nope/);
  assert.throws(() => normalizeLinks(['app'], 'app', lookup), /cannot link to itself/);
});

test("hosts lines and Docker's link variables", () => {
  const web = rec('web', { ip: '10.209.0.5', env: ['PATH=/bin', 'SECRET=s3', 'EMPTY'], ports: ['8080/tcp', '53/udp', '3000/tcp'] });
  const app = rec('app', { links: ['/web:/app/db-1'] });
  const targets = linkTargets(app, (r) => (r === 'web' ? web : undefined));
  assert.deepEqual(linkHostLines(targets), [`10.209.0.5\tdb-1 ${web.id.slice(0, 12)} web`]);
  assert.deepEqual(linkEnv('app', targets), [
    'DB_1_PORT=udp://10.209.0.5:53',
    'DB_1_PORT_53_UDP=udp://10.209.0.5:53', 'DB_1_PORT_53_UDP_ADDR=10.209.0.5', 'DB_1_PORT_53_UDP_PORT=53', 'DB_1_PORT_53_UDP_PROTO=udp',
    'DB_1_PORT_3000_TCP=tcp://10.209.0.5:3000', 'DB_1_PORT_3000_TCP_ADDR=10.209.0.5', 'DB_1_PORT_3000_TCP_PORT=3000', 'DB_1_PORT_3000_TCP_PROTO=tcp',
    'DB_1_PORT_8080_TCP=tcp://10.209.0.5:8080', 'DB_1_PORT_8080_TCP_ADDR=10.209.0.5', 'DB_1_PORT_8080_TCP_PORT=8080', 'DB_1_PORT_8080_TCP_PROTO=tcp',
    'DB_1_NAME=/app/db-1', 'DB_1_ENV_SECRET=s3', 'DB_1_ENV_EMPTY=',
  ]);
  assert.throws(() => linkTargets(app, () => rec('web', { running: false })), /Cannot link to a non running container: \/web AS \/app\/db-1/);
  assert.throws(() => linkTargets(app, () => rec('web')), /does not belong to the default network/);
});
