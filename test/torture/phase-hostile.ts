/**
 * test/torture/phase-hostile — phase D, the HTTP side: malformed, wrongly
 * typed, huge (50 MB) and deeply nested JSON bodies; 10,000 headers and a
 * 1 MB header; 200 slow half-open connections held while berthd must keep
 * serving; path-traversal names and IDs for containers, volumes, networks
 * and images. The tar side is hostile-archives. Each input is judged by
 * hostile-check (4xx in Docker's format, nothing outside the roots).
 */
import { sleep } from '../integration/harness.js';
import { connectUnix, call } from './raw-http.js';
import { climb, tarOfFiles } from './hostile-tar.js';
import { HostileJudge, hostileCall, type Expect } from './hostile-check.js';
import type { DaemonUnderTest } from './daemon-under-test.js';
import type { Report } from './report.js';
import { runHostileArchives } from './hostile-archives.js';

export interface HostileOptions { holdMs: number; swapMs: number; hugeMb: number }

const nested = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

export async function runHostile(dut: DaemonUnderTest, report: Report, judge: HostileJudge, o: HostileOptions): Promise<void> {
  const sock = dut.sock;
  const v = '/v1.47';
  const canaryDir = judge.canary.dir;
  const post = async (input: string, path: string, body: Buffer | string, expect: Expect = '4xx', method = 'POST') => {
    const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
    await dut.track(`D ${input}`, async () => judge.judge(input, await hostileCall(sock, method, path, { body: b, headers: { 'Content-Type': 'application/json' } }), expect));
  };
  const get = async (input: string, method: string, path: string, expect: Expect = '4xx') => {
    await dut.track(`D ${input}`, async () => judge.judge(input, await hostileCall(sock, method, path), expect));
  };

  // --- malformed and wrongly typed JSON ----------------------------------
  const badJson: [string, string][] = [
    ['unterminated object', '{'], ['truncated value', '{"Image":'], ['bare word', 'nul'], ['trailing garbage', '{"Image":"busybox"} x'],
    ['invalid utf-8', '{"Image":"\xff\xfe"}'], ['NUL in body', '{"Image":"busy\u0000box"}'], ['array body', '[]'], ['string body', '"busybox"'],
    ['number body', '1e999'], ['Image a number', '{"Image":5}'], ['Env a string', '{"Image":"busybox","Env":"A=1"}'],
    ['Memory a string', '{"Image":"busybox","HostConfig":{"Memory":"lots"}}'], ['bad exposed port', '{"Image":"busybox","ExposedPorts":{"abc/xyz":{}}}'],
    ['host port out of range', '{"Image":"busybox","HostConfig":{"PortBindings":{"80/tcp":[{"HostPort":"99999"}]}}}'],
    ['bad bind mode', '{"Image":"busybox","HostConfig":{"Binds":["/etc:/x:zz"]}}'], ['relative WorkingDir', '{"Image":"busybox","WorkingDir":"relative"}'],
    ['relative bind mount source', '{"Image":"busybox","HostConfig":{"Mounts":[{"Type":"bind","Source":"relative","Target":"/x"}]}}'],
    ['bogus restart policy', '{"Image":"busybox","HostConfig":{"RestartPolicy":{"Name":"bogus"}}}'], ['Labels an array', '{"Image":"busybox","Labels":["a"]}'],
  ];
  for (const [name, body] of badJson) await post(`create with ${name}`, `${v}/containers/create`, Buffer.from(body, 'latin1'));
  for (const [name, path] of [['network create', '/networks/create'], ['volume create', '/volumes/create'], ['exec create', '/containers/torture-none/exec']] as const) {
    await post(`${name} with unterminated object`, `${v}${path}`, '{"Name":');
    await post(`${name} with a number body`, `${v}${path}`, '42');
  }
  await post('network create with a bad subnet', `${v}/networks/create`, JSON.stringify({ Name: 'torture-badnet', IPAM: { Config: [{ Subnet: '999.1.1.1/99' }] } }));
  await post('exec create with Cmd a number', `${v}/containers/torture-none/exec`, '{"Cmd":5}');

  // --- huge and deeply nested JSON --------------------------------------
  const huge = Buffer.alloc(o.hugeMb << 20, 0x61);
  Buffer.from('{"Image":"busybox","Env":["A=').copy(huge, 0);
  Buffer.from('"]}').copy(huge, huge.length - 3);
  await post(`create with a ${o.hugeMb} MB JSON body`, `${v}/containers/create`, huge);
  await post(`network create with a ${o.hugeMb} MB JSON body`, `${v}/networks/create`, huge);
  huge.fill(0);
  for (const depth of [1000, 100000]) {
    await post(`create with Labels nested ${depth} deep`, `${v}/containers/create`, `{"Image":"busybox","Labels":${nested(depth, '{"a":', '}', '"x"')}}`);
    await post(`create with a body of ${depth} nested arrays`, `${v}/containers/create`, nested(depth, '[', ']'));
    // unknown fields are ignored by dockerd's decoder: only no 5xx (no recursion limit hit)
    await post(`create with HostConfig nested ${depth} deep`, `${v}/containers/create`, `{"Image":"busybox","HostConfig":${nested(depth, '{"LogConfig":', '}', '{}')}}`, 'no-5xx');
    await post(`create with Hostname an object nested ${depth} deep`, `${v}/containers/create`, `{"Image":"busybox","Hostname":${nested(depth, '{"a":', '}', '"x"')}}`);
    await post(`volume create with DriverOpts nested ${depth} deep`, `${v}/volumes/create`, `{"Name":"torture-nest","DriverOpts":${nested(depth, '{"a":', '}', '"x"')}}`);
  }
  await get('filters nested 100000 deep', 'GET', `${v}/containers/json?filters=${encodeURIComponent(nested(100000, '{"a":', '}', '"x"'))}`);

  // --- headers: dockerd (Go's net/http) reads up to 1 MiB of request head and answers 431 beyond --------
  const manyHeaders: Record<string, string> = {};
  for (let i = 0; i < 10000; i++) manyHeaders[`X-Torture-${i}`] = 'v';
  const head = (input: string, path: string, headers: Record<string, string>, expect: Expect) =>
    dut.track(`D ${input}`, async () => judge.judge(input, await hostileCall(sock, 'GET', path, { headers }), expect));
  await head('GET with 10,000 headers (within 1 MiB)', `${v}/containers/json`, manyHeaders, 'no-5xx');
  await head('GET with a 1 MB header (within 1 MiB)', `${v}/containers/json`, { 'X-Torture-Big': 'b'.repeat(1000000) }, 'no-5xx');
  await head('GET with a 2 MB header', `${v}/containers/json`, { 'X-Torture-Big': 'b'.repeat(2 << 20) }, '4xx');
  await head('GET with a 1 MB URL (within 1 MiB)', `${v}/containers/json?x=${'u'.repeat(1000000)}`, {}, 'no-5xx');
  await head('GET with a 2 MB URL', `${v}/containers/json?x=${'u'.repeat(2 << 20)}`, {}, '4xx');
  const many2: Record<string, string> = {};
  for (let i = 0; i < 100000; i++) many2[`X-Torture-${i}`] = 'v';
  await head('GET with 100,000 headers (over 1 MiB)', `${v}/containers/json`, many2, '4xx');

  // --- 200 slow half-open connections -----------------------------------
  await slowConnections(dut, report, o.holdMs);

  // --- path traversal in names and IDs -----------------------------------
  const escName = climb(`${canaryDir}/by-name`);
  for (const name of ['..', '.', '/..', escName, '../../../etc', 'a/b', 'a\\b', 'a\u0000b', 'a\nb', '%2e%2e%2f%2e%2e']) {
    await post(`container create named ${JSON.stringify(name)}`, `${v}/containers/create?name=${encodeURIComponent(name)}`, '{"Image":"busybox","Cmd":["true"]}');
    await post(`volume create named ${JSON.stringify(name)}`, `${v}/volumes/create`, JSON.stringify({ Name: name }));
    await get(`tag busybox with tag ${JSON.stringify(name)}`, 'POST', `${v}/images/busybox/tag?repo=torture&tag=${encodeURIComponent(name)}`);
    if (name !== 'a/b') { // a/b is a valid image reference (docker.io/a/b)
      await get(`pull of ${JSON.stringify(name)}`, 'POST', `${v}/images/create?fromImage=${encodeURIComponent(name)}&tag=latest`);
      await post(`build tagged ${JSON.stringify(name)}`, `${v}/build?t=${encodeURIComponent(name)}`, Buffer.alloc(1024));
      await get(`tag busybox as ${JSON.stringify(name)}`, 'POST', `${v}/images/busybox/tag?repo=${encodeURIComponent(name)}&tag=x`);
    }
    // networks: dockerd takes almost any name; it must not reach the host's files
    await post(`network create named ${JSON.stringify(name)}`, `${v}/networks/create`, JSON.stringify({ Name: name }), 'no-5xx');
  }
  for (const bridgeName of ['../../x', 'a/b', 'x'.repeat(40), '..']) {
    await post(`network with bridge name ${JSON.stringify(bridgeName)}`, `${v}/networks/create`, JSON.stringify({ Name: 'torture-brname', Options: { 'com.docker.network.bridge.name': bridgeName } }));
  }
  await post('import with repo ../../x', `${v}/images/create?fromSrc=-&repo=${encodeURIComponent('../../x')}&tag=latest`, tarOfFiles({ f: 'x' }));
  const idPaths = ['..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e', '..%2f', encodeURIComponent(escName)];
  for (const p of idPaths) {
    for (const [m, tmpl] of [['GET', '/containers/%/json'], ['DELETE', '/containers/%?force=1'], ['GET', '/containers/%/archive?path=/etc'], ['GET', '/containers/%/export'],
      ['POST', '/containers/%/start'], ['GET', '/volumes/%'], ['DELETE', '/volumes/%'], ['GET', '/networks/%'], ['DELETE', '/networks/%'],
      ['GET', '/images/%/json'], ['GET', '/images/%/get'], ['DELETE', '/images/%'], ['GET', '/images/%/history']] as const) {
      await get(`${m} ${tmpl.replace('%', p)}`, m, `${v}${tmpl.replace('%', p)}`);
    }
  }
  await runHostileArchives(dut, report, judge, { swapMs: o.swapMs });
}

/** Hold `count` connections that sent half a request line; berthd must keep serving others meanwhile. */
async function slowConnections(dut: DaemonUnderTest, report: Report, holdMs: number, count = 200): Promise<void> {
  const socks = [];
  for (let i = 0; i < count; i++) {
    try {
      const s = await connectUnix(dut.sock);
      s.on('error', () => {});
      s.write(i % 2 ? 'POST /v1.47/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Length: 100\r\n\r\n{"Ima' : `GET /v1.47/containers/js`);
      socks.push(s);
    } catch (err) {
      report.fail({ phase: 'D', kind: 'hostile-dropped', message: `slow connection ${i}: berthd refused it: ${(err as Error).message}` });
      break;
    }
  }
  report.count('D', 'slowConnections', socks.length);
  report.count('D', 'inputsTried');
  const end = Date.now() + holdMs;
  let served = 0;
  let worst = 0;
  while (Date.now() < end) {
    const t0 = Date.now();
    const r = await call(dut.sock, 'GET', '/v1.47/containers/json?all=1', undefined, { timeoutMs: 10000 }).catch((e: Error) => e);
    worst = Math.max(worst, Date.now() - t0);
    if (r instanceof Error || r.status !== 200) {
      report.fail({ phase: 'D', kind: 'hostile-dos', message: `with ${socks.length} slow half-open connections held, GET /containers/json failed: ${r instanceof Error ? r.message : r.status}` });
      break;
    }
    served++;
    await sleep(200);
  }
  report.count('D', 'servedWhileSlowHeld', served);
  report.count('D', 'slowHeldWorstMs', worst);
  const stillOpen = socks.filter((s) => !s.destroyed && !s.readableEnded).length;
  report.count('D', 'slowStillOpenAtEnd', stillOpen);
  for (const s of socks) s.destroy();
  const after = await call(dut.sock, 'GET', '/_ping', undefined, { timeoutMs: 10000 }).catch((e: Error) => e);
  if (after instanceof Error || after.status !== 200) report.fail({ phase: 'D', kind: 'hostile-dos', message: `after releasing ${socks.length} slow connections berthd did not answer /_ping` });
}
