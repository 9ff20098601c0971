/**
 * berth and a real dockerd (Debian's docker.io) on one host at once, the
 * unmodified docker CLI driving each: both run busybox; with FORWARD's
 * policy at DROP (what dockerd sets on a host where it turns ip_forward on
 * itself) a berth container's published port answers at localhost and from
 * a machine beyond the host, its outbound NAT works, and that is berth's own
 * FORWARD chain at work (without its jump the same traffic is dropped); a
 * dockerd container's published port answers too, each engine's containers
 * reach the other's published ports, a port dockerd publishes is refused by
 * berth; berth's cleanup leaves dockerd's bridge, chains and rules as they
 * were and dockerd's (the harness's) leaves berth's; afterwards nothing of
 * either is left and the policy is back.
 *
 * The "machine beyond" is a network namespace wired to the host with a veth
 * pair, as in network-nat.test.ts: no traffic leaves this machine.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TestDaemon, NET_MARK, iptablesRulesMentioning, linksNamed, processesMentioning, run } from './harness.js';
import { ThrowawayDockerd, DOCKERD_PATH, DOCKERD_CLAIM, DOCKERD_HOST_PATHS, dockerChainsPresent, dockerdRules, forwardPolicy } from './dockerd-harness.js';
import { freePort, httpGet, wireOutside } from './net-helpers.js';

if (!DOCKERD_PATH) throw new Error('dockerd is not installed: scripts/install-deps.sh installs docker.io');

const berthA = new TestDaemon();
let berthB: TestDaemon | undefined;
const dockerd = new ThrowawayDockerd({ forwardPolicy: 'DROP' });
const tag = Math.random().toString(36).slice(2, 7);
// NET_MARK + '-': counted by the leftover check, never matched by a test daemon's own cleanup
const ns = `${NET_MARK}-ns${tag}`;
const hostIf = `${NET_MARK}-h${tag}`;
const peerIf = `${NET_MARK}-p${tag}`;
const [a, b, c] = berthA.subnet(250).split('/')[0].split('.');
const hostAddr = `${a}.${b}.${c}.1`;
const outsideAddr = `${a}.${b}.${c}.2`;
let outside: Awaited<ReturnType<typeof wireOutside>> | undefined;
let policyBefore = '';
const existedBefore = Object.fromEntries(DOCKERD_HOST_PATHS.map((p) => [p, existsSync(p)]));

const HTTPD = (text: string) => ['sh', '-c', `mkdir -p /www && echo "${text} $(hostname)" > /www/index.html && exec httpd -f -p 3000 -h /www`];
/** Ask the outside for the address it sees us from (the outside has no route to any container subnet). */
const ASK = `for i in 1 2 3; do nc -w 2 ${outsideAddr} 9000 </dev/null && exit 0; sleep 0.5; done; exit 1`;
const ports: Record<'berth' | 'dockerd' | 'berthB', number> = { berth: 0, dockerd: 0, berthB: 0 };

before(async () => {
  policyBefore = forwardPolicy();
  await berthA.start();
  await berthA.importBusybox();
  await dockerd.start();
  await dockerd.importBusybox();
  outside = await wireOutside({ ns, hostIf, peerIf, hostAddr, outsideAddr });
});

after(async () => {
  // a safety net: the last tests clean up and check; this only runs what they did not reach
  outside?.remove();
  await dockerd.cleanup();
  await berthA.cleanup();
  await berthB?.cleanup();
});

/** An HTTP GET from the machine beyond the host, to the host's address on its link. */
async function getFromOutside(port: number): Promise<string> {
  const r = await run('ip', ['netns', 'exec', ns, 'curl', '-sS', '--max-time', '3', '--retry', '3', '--retry-connrefused', '--retry-delay', '1', `http://${hostAddr}:${port}/`], { timeoutMs: 30000 });
  assert.equal(r.code, 0, `GET ${hostAddr}:${port} from outside: ${r.stderr}`);
  return r.stdout;
}

/** iptables-save lines of dockerd (its chains and its rules elsewhere), sorted. */
function dockerdState(): string[] {
  const lines: string[] = [];
  for (const table of ['filter', 'nat']) {
    const chains = dockerChainsPresent().filter((x) => x.startsWith(`${table} `)).map((x) => x.split(' ')[1]);
    for (const chain of chains) lines.push(...execFileSync('iptables', ['-w', '-t', table, '-S', chain]).toString().trim().split('\n').map((l) => `${table} ${l}`));
  }
  lines.push(...dockerdRules(dockerd.bridge, dockerd.subnet).map((r) => `${r.table} ${r.args.join(' ')}`));
  lines.push(`link ${existsSync(`/sys/class/net/${dockerd.bridge}`)}`);
  return lines.sort();
}

/** A berth daemon's iptables rules and links, sorted. */
function berthState(d: TestDaemon): string[] {
  return [...iptablesRulesMentioning(d.netPrefix).map((r) => `${r.table} ${r.rule}`), ...linksNamed(d.netPrefix).map((l) => `link ${l}`)].sort();
}

test('the docker CLI runs busybox on berthd and on dockerd, at the same time', async () => {
  const [vb, vd] = await Promise.all([
    berthA.docker(['version', '--format', '{{.Server.Platform.Name}}|{{.Server.Version}}']),
    dockerd.docker(['version', '--format', '{{.Server.Platform.Name}}|{{.Server.Version}}']),
  ]);
  assert.equal(vb.code, 0, vb.stderr);
  assert.equal(vd.code, 0, vd.stderr);
  assert.match(vb.stdout, /^berth\|/);
  const dockerdVersion = /Docker version ([^,\s]+)/.exec(execFileSync(DOCKERD_PATH!, ['--version']).toString())![1];
  assert.equal(vd.stdout.trim().split('|')[1], dockerdVersion, 'the second daemon is the installed dockerd');
  const [rb, rd] = await Promise.all([
    berthA.docker(['run', '--rm', 'busybox', 'echo', 'from-berth']),
    dockerd.docker(['run', '--rm', 'busybox', 'echo', 'from-dockerd']),
  ]);
  assert.equal(rb.code, 0, rb.stderr);
  assert.equal(rd.code, 0, rd.stderr);
  assert.equal(rb.stdout, 'from-berth\n');
  assert.equal(rd.stdout, 'from-dockerd\n');
});

test('FORWARD policy DROP: a berth container\'s published port answers at localhost and from outside; its outbound NAT works', async () => {
  assert.equal(forwardPolicy(), 'DROP');
  ports.berth = await freePort();
  const r = await berthA.docker(['run', '-d', '--name', 'web', '-p', `${ports.berth}:3000`, 'busybox', ...HTTPD('berth')]);
  assert.equal(r.code, 0, r.stderr);
  const short = r.stdout.trim().slice(0, 12);
  assert.match(await httpGet('127.0.0.1', ports.berth), new RegExp(`berth ${short}`));
  assert.equal(await getFromOutside(ports.berth), `berth ${short}\n`);
  const nat = await berthA.docker(['run', '--rm', 'busybox', 'sh', '-c', ASK]);
  assert.equal(nat.code, 0, nat.stderr);
  assert.equal(nat.stdout.trim(), hostAddr, 'the outside sees the host address');
});

test('control: without berth\'s FORWARD chain the same outbound traffic is dropped (the policy really is DROP)', async () => {
  const jump = ['-j', `${berthA.netPrefix}-FORWARD`];
  execFileSync('iptables', ['-w', '-D', 'FORWARD', ...jump]);
  try {
    const r = await berthA.docker(['run', '--rm', 'busybox', 'sh', '-c', `nc -w 2 ${outsideAddr} 9000 </dev/null && echo REACHED; true`]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /REACHED|\d+\.\d+\.\d+\.\d+/);
  } finally {
    execFileSync('iptables', ['-w', '-I', 'FORWARD', '1', ...jump]);
  }
  const again = await berthA.docker(['run', '--rm', 'busybox', 'sh', '-c', ASK]);
  assert.equal(again.stdout.trim(), hostAddr, again.stderr);
});

test('a dockerd container\'s published port answers at localhost and from outside; its outbound NAT works', async () => {
  ports.dockerd = await freePort();
  const r = await dockerd.docker(['run', '-d', '--name', 'web', '-p', `${ports.dockerd}:3000`, 'busybox', ...HTTPD('dockerd')]);
  assert.equal(r.code, 0, r.stderr);
  const short = r.stdout.trim().slice(0, 12);
  assert.match(await httpGet('127.0.0.1', ports.dockerd), new RegExp(`dockerd ${short}`));
  assert.equal(await getFromOutside(ports.dockerd), `dockerd ${short}\n`);
  const nat = await dockerd.docker(['run', '--rm', 'busybox', 'sh', '-c', ASK]);
  assert.equal(nat.code, 0, nat.stderr);
  assert.equal(nat.stdout.trim(), hostAddr);
});

test('each engine\'s containers reach the other\'s published port through the host', async () => {
  // (busybox-static's wget crashes on this Debian; nc speaks HTTP/1.0 well enough)
  const fetch = (port: number) => `for i in 1 2 3; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${hostAddr} ${port} | grep -E '^(berth|dockerd) ' && exit 0; sleep 1; done; exit 1`;
  const fromBerth = await berthA.docker(['run', '--rm', 'busybox', 'sh', '-c', fetch(ports.dockerd)]);
  assert.equal(fromBerth.code, 0, fromBerth.stderr);
  assert.match(fromBerth.stdout, /^dockerd /);
  const fromDockerd = await dockerd.docker(['run', '--rm', 'busybox', 'sh', '-c', fetch(ports.berth)]);
  assert.equal(fromDockerd.code, 0, fromDockerd.stderr);
  assert.match(fromDockerd.stdout, /^berth /);
});

test('berth refuses a host port that dockerd publishes, and dockerd\'s container keeps it', async () => {
  const r = await berthA.docker(['run', '-d', '--name', 'clash', '-p', `${ports.dockerd}:3000`, 'busybox', ...HTTPD('clash')]);
  assert.equal(r.code, 125, r.stdout);
  // dockerd's userland proxy holds the port, so berth's own socket hold is refused first (before its DNAT-rule check)
  assert.match(r.stderr, new RegExp(`Error response from daemon: driver failed programming external connectivity: Bind for 0\\.0\\.0\\.0:${ports.dockerd} failed: port is already allocated\\n`));
  assert.match(await httpGet('127.0.0.1', ports.dockerd), /dockerd /);
  await berthA.docker(['rm', '-f', 'clash']); // the created container, if one was kept
});

test('berth\'s cleanup leaves dockerd\'s bridge, chains and rules as they were, and its container serving', async () => {
  const before = dockerdState();
  assert.ok(before.some((l) => l.startsWith('filter -N DOCKER-USER')), before.join('\n'));
  assert.ok(before.some((l) => l.includes(`--dport ${ports.dockerd} -j DNAT`)), before.join('\n'));
  await berthA.cleanup();
  assert.deepEqual(berthState(berthA), [], 'berth left nothing');
  assert.deepEqual(dockerdState(), before);
  assert.match(await httpGet('127.0.0.1', ports.dockerd), /dockerd /);
  assert.match(await getFromOutside(ports.dockerd), /^dockerd /);
  assert.equal(forwardPolicy(), 'DROP', 'berth does not touch the policy');
});

test('dockerd\'s cleanup leaves a running berth\'s bridge, chains and rules as they were, and its container serving', async () => {
  berthB = new TestDaemon();
  await berthB.start();
  await berthB.importBusybox();
  ports.berthB = await freePort();
  const r = await berthB.docker(['run', '-d', '--name', 'web', '-p', `${ports.berthB}:3000`, 'busybox', ...HTTPD('berthB')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await getFromOutside(ports.berthB), `berthB ${r.stdout.trim().slice(0, 12)}\n`, 'served under DROP, beside dockerd');
  const natB = await berthB.docker(['run', '--rm', 'busybox', 'sh', '-c', ASK]);
  assert.equal(natB.stdout.trim(), hostAddr, `outbound NAT of a berth started after dockerd, under DROP: ${natB.stderr}`);
  const before = berthState(berthB);
  assert.ok(before.some((l) => l.includes(`${berthB!.netPrefix}-FORWARD`)), before.join('\n'));
  const dockerdPid = dockerd.pid!;

  assert.deepEqual(await dockerd.cleanup(), [], 'dockerd cleaned up without problems');

  assert.deepEqual(berthState(berthB), before);
  assert.match(await httpGet('127.0.0.1', ports.berthB), /berthB /);
  assert.match(await getFromOutside(ports.berthB), /^berthB /);
  const nat = await berthB.docker(['run', '--rm', 'busybox', 'sh', '-c', ASK]);
  assert.equal(nat.stdout.trim(), hostAddr, nat.stderr);
  // nothing of dockerd is left
  assert.equal(forwardPolicy(), policyBefore, 'FORWARD policy restored');
  assert.deepEqual(dockerChainsPresent(), []);
  assert.deepEqual(dockerdRules(dockerd.bridge, dockerd.subnet), []);
  assert.equal(existsSync(`/sys/class/net/${dockerd.bridge}`), false);
  assert.deepEqual(processesMentioning(dockerd.root), []);
  assert.throws(() => process.kill(dockerdPid, 0), 'dockerd is gone');
  assert.equal(existsSync(dockerd.root), false);
  assert.equal(existsSync(DOCKERD_CLAIM), false);
  assert.deepEqual(Object.fromEntries(DOCKERD_HOST_PATHS.map((p) => [p, existsSync(p)])), existedBefore);
});

test('afterwards nothing of either engine is left', async () => {
  await berthB!.cleanup();
  assert.deepEqual(berthState(berthB!), []);
  outside!.remove(true);
  for (const d of [berthA, berthB!]) {
    assert.deepEqual(processesMentioning(d.root), []);
    assert.equal(existsSync(d.root), false);
  }
  assert.deepEqual(linksNamed(`${NET_MARK}-`), []);
  assert.equal(forwardPolicy(), policyBefore);
});
