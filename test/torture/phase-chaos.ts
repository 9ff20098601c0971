/**
 * test/torture/phase-chaos — phase A: N concurrent clients, each with its
 * own generator forked from the seed, doing random sequences over the raw
 * API on a shared pool of containers (sleepers, flooders, stdin readers,
 * TTY shells, short-lived echoers): create/start/attach (hijacked, with
 * stdin)/exec (hijacked)/logs?follow=1/stop/kill/restart/rm/inspect/
 * events/wait/archive get+put/export/stats, bursts of quick calls, slow
 * readers of flooding containers — with faults injected (faulty-request).
 */
import { sleep } from '../integration/harness.js';
import type { DaemonUnderTest } from './daemon-under-test.js';
import { faultyRequest, hijack, type RequestEnv, noteStatus } from './faulty-request.js';
import { call, type HttpConn } from './raw-http.js';
import { Rng, seedOf } from './prng.js';
import type { Report } from './report.js';
import { tarOfFiles } from './hostile-tar.js';

/** How long operations may run on after the phase's time is up. */
const GRACE_MS = 5000;

type Kind = 'sleeper' | 'flood' | 'stdin' | 'tty' | 'short' | 'ticker';

const KIND_CONFIG: Record<Kind, Record<string, unknown>> = {
  sleeper: { Cmd: ['sleep', '600'] },
  flood: { Cmd: ['sh', '-c', 'yes torture-flood-0123456789abcdef | head -c 30000000'], HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '4m', 'max-file': '2' } } } },
  stdin: { Cmd: ['cat'], OpenStdin: true, AttachStdin: true, AttachStdout: true, AttachStderr: true },
  tty: { Cmd: ['sh'], OpenStdin: true, Tty: true, AttachStdin: true, AttachStdout: true },
  short: { Cmd: ['sh', '-c', 'echo out; echo err >&2; sleep 0.3; exit 3'] },
  ticker: { Cmd: ['sh', '-c', 'while :; do date; sleep 0.2; done'] },
};
const KIND_WEIGHTS: Record<Kind, number> = { sleeper: 4, flood: 1, stdin: 3, tty: 2, short: 3, ticker: 2 };

/** Weights of the operations a client picks from. */
const OPS = {
  create: 10, start: 9, stop: 4, kill: 4, restart: 3, rm: 5, inspect: 7, list: 3, attach: 7, exec: 7, logs: 5,
  events: 3, wait: 3, archiveGet: 4, archivePut: 3, export: 3, stats: 2, burst: 2, slowFlood: 2,
};
type Op = keyof typeof OPS;

/** The containers the clients share (by name: a create cut before its answer still lands in the pool at the next list). */
class Pool {
  readonly kinds = new Map<string, Kind>();
  /** Containers that hung a request: no longer picked (a list does not bring them back). */
  readonly quarantined = new Set<string>();
  ids: { id: string; name: string }[] = [];
  constructor(readonly max: number) {}
  add(id: string, name: string): void { this.ids.push({ id, name }); }
  drop(id: string): void { this.ids = this.ids.filter((c) => c.id !== id && c.name !== id); }
  pick(rng: Rng, kind?: Kind): { id: string; name: string; kind?: Kind } | undefined {
    const from = kind ? this.ids.filter((c) => this.kinds.get(c.name) === kind) : this.ids;
    if (!from.length) return undefined;
    const c = rng.pick(from);
    return { ...c, kind: this.kinds.get(c.name) };
  }
  count(kind: Kind): number { return this.ids.filter((c) => this.kinds.get(c.name) === kind).length; }
  quarantine(id: string): boolean { if (this.quarantined.has(id)) return false; this.quarantined.add(id); this.drop(id); return true; }
  resync(list: { Id: string; Names: string[] }[]): void { this.ids = list.filter((c) => !this.quarantined.has(c.Id)).map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, '') })); }
}

export interface ChaosOptions { clients: number; durationMs: number }

export async function runChaos(dut: DaemonUnderTest, report: Report, seed: string, o: ChaosOptions): Promise<void> {
  const pool = new Pool(Math.min(60, o.clients * 2));
  const deadline = Date.now() + o.durationMs;
  const conns = new Set<HttpConn>();
  let stopping = false;
  report.count('A', 'clients', o.clients);
  const all = Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  // time is up: operations still running get a grace period, then their connections are dropped
  await Promise.race([all, sleep(o.durationMs + GRACE_MS)]);
  stopping = true;
  report.count('A', 'droppedAtEnd', conns.size);
  const stuck = dut.inflightOps();
  if (stuck.length) report.anomaly({ phase: 'A', kind: 'stuck-at-end', message: `${stuck.length} operations still running ${GRACE_MS / 1000} s after the phase's time was up (their connections dropped)`, inFlight: stuck, op: stuck.slice(0, 6).join(' | ') });
  for (const c of conns) c.destroy();
  await all;
  report.count('A', 'msPastDeadline', Math.max(0, Date.now() - deadline));

  async function client(n: number): Promise<void> {
    const rng = new Rng(seedOf(seed, 'A', n));
    const env: RequestEnv = { dut, report, phase: 'A', rng, conns, stopping: () => stopping };
    let made = 0;
    // staggered start: not all clients' first create in the same millisecond
    await sleep(rng.int(0, 500));
    while (Date.now() < deadline && !stopping) {
      if (!(await dut.ready())) return;
      let op = rng.weighted(OPS);
      if (op === 'create' && pool.ids.length >= pool.max) op = 'rm';
      const target = pool.pick(rng);
      if (op !== 'create' && op !== 'list' && op !== 'events' && op !== 'burst' && op !== 'slowFlood' && !target) op = 'create';
      const label = `client ${n} op ${op}${target ? ` on ${target.name}` : ''}`;
      // a container that hangs requests is left alone from then on, so the other clients keep going
      env.onHang = () => { if (target && pool.quarantine(target.id)) report.count('A', 'quarantined'); };
      report.count('A', 'operations');
      report.count('A', `op.${op}`);
      const t0 = Date.now();
      await dut.track(label, () => doOp(env, op, target, n, () => `tc${n}x${made++}`)).catch((err: Error) => {
        report.anomaly({ phase: 'A', kind: 'harness-error', message: `${op}: ${err.message}`, op: label });
      });
      if (Date.now() - t0 > 60000 && !stopping) report.anomaly({ phase: 'A', kind: 'slow-op', message: `${op} took ${Math.round((Date.now() - t0) / 1000)} s`, op: label });
    }
  }

  async function doOp(env: RequestEnv, op: Op, t: ReturnType<Pool['pick']>, n: number, newName: () => string): Promise<void> {
    const { rng } = env;
    const v = '/v1.47';
    switch (op) {
      case 'create': {
        let kind = rng.weighted(KIND_WEIGHTS);
        if (kind === 'flood' && pool.count('flood') >= 2) kind = 'short';
        const name = newName();
        pool.kinds.set(name, kind);
        const r = await faultyRequest(env, `create ${kind} ${name}`, 'POST', `${v}/containers/create?name=${name}`, { json: { Image: 'busybox', ...KIND_CONFIG[kind] } });
        if (r.status === 201) report.count('A', 'containersCreated');
        if (r.status === 201 && r.body?.length) { try { pool.add((JSON.parse(r.body.toString()) as { Id: string }).Id, name); } catch { /* cut body */ } }
        if (r.status === 201 && rng.chance(0.7)) {
          const id = pool.ids.find((c) => c.name === name)?.id ?? name;
          await faultyRequest(env, `start ${name}`, 'POST', `${v}/containers/${id}/start`);
        }
        return;
      }
      case 'start': await faultyRequest(env, `start ${t!.name}`, 'POST', `${v}/containers/${t!.id}/start`); return;
      case 'stop': await faultyRequest(env, `stop ${t!.name}`, 'POST', `${v}/containers/${t!.id}/stop?t=${rng.int(0, 2)}`); return;
      case 'kill': await faultyRequest(env, `kill ${t!.name}`, 'POST', `${v}/containers/${t!.id}/kill?signal=${rng.pick(['KILL', 'TERM', 'INT', 'HUP'])}`); return;
      case 'restart': await faultyRequest(env, `restart ${t!.name}`, 'POST', `${v}/containers/${t!.id}/restart?t=${rng.int(0, 1)}`); return;
      case 'rm': {
        if (!t) return;
        const r = await faultyRequest(env, `rm ${t.name}`, 'DELETE', `${v}/containers/${t.id}?force=${rng.chance(0.75) ? 1 : 0}&v=1`);
        if (r.status === 204 || r.status === 404) pool.drop(t.id);
        return;
      }
      case 'inspect': {
        const r = await faultyRequest(env, `inspect ${t!.name}`, 'GET', `${v}/containers/${t!.id}/json`, { fault: rng.chance(0.2) ? undefined : 'none' });
        if (r.status === 404) pool.drop(t!.id);
        return;
      }
      case 'list': {
        const r = await faultyRequest(env, 'list', 'GET', `${v}/containers/json?all=1`, { fault: rng.chance(0.3) ? undefined : 'none' });
        if (r.status === 200 && r.result === 'ok') { try { pool.resync(JSON.parse(r.body!.toString())); } catch (err) { report.anomaly({ phase: 'A', kind: 'bad-json', message: `container list: ${(err as Error).message}` }); } }
        return;
      }
      case 'attach': {
        const stdin = t!.kind === 'stdin' || t!.kind === 'tty' ? rng.bytes(rng.int(0, 96 * 1024)) : undefined;
        if (stdin) report.count('A', 'stdinBytesSent', stdin.length);
        await hijack(env, `attach ${t!.name}`, `${v}/containers/${t!.id}/attach?stream=1&stdout=1&stderr=1${stdin ? '&stdin=1' : ''}${rng.chance(0.3) ? '&logs=1' : ''}`, { stdin, readMs: rng.int(200, 3000), body: rng.chance(0.2) ? {} : undefined });
        return;
      }
      case 'exec': {
        const cmd = rng.pick([['cat'], ['sh', '-c', 'head -c 2000000 /dev/zero'], ['echo', 'hi'], ['sh', '-c', 'exit 7'], ['sh', '-c', 'yes | head -c 5000000'], ['nonexistent-cmd']]);
        const tty = rng.chance(0.3);
        const stdin = cmd[0] === 'cat' ? rng.bytes(rng.int(0, 96 * 1024)) : undefined;
        const c = await faultyRequest(env, `exec create ${t!.name}`, 'POST', `${v}/containers/${t!.id}/exec`, { json: { AttachStdin: !!stdin, AttachStdout: true, AttachStderr: true, Tty: tty, Cmd: cmd }, fault: rng.chance(0.15) ? undefined : 'none' });
        if (c.status !== 201 || !c.body) return;
        let id: string;
        try { id = (JSON.parse(c.body.toString()) as { Id: string }).Id; } catch { return; }
        if (stdin) report.count('A', 'stdinBytesSent', stdin.length);
        await hijack(env, `exec start ${t!.name} ${cmd.join(' ')}`, `${v}/exec/${id}/start`, { stdin, readMs: rng.int(200, 3000), body: { Detach: false, Tty: tty } });
        if (rng.chance(0.5)) await faultyRequest(env, 'exec inspect', 'GET', `${v}/exec/${id}/json`, { fault: 'none' });
        return;
      }
      case 'logs':
        await faultyRequest(env, `logs ${t!.name}`, 'GET', `${v}/containers/${t!.id}/logs?follow=${rng.chance(0.7) ? 1 : 0}&stdout=1&stderr=1&tail=${rng.pick(['all', '10', '0'])}${rng.chance(0.3) ? '&timestamps=1' : ''}`, { readMs: rng.int(200, 3000) });
        return;
      case 'events':
        await faultyRequest(env, 'events', 'GET', `${v}/events${rng.chance(0.5) ? `?since=${Math.floor(Date.now() / 1000) - 30}` : ''}`, { readMs: rng.int(300, 3000), fault: rng.chance(0.5) ? 'none' : undefined });
        return;
      case 'wait':
        await faultyRequest(env, `wait ${t!.name}`, 'POST', `${v}/containers/${t!.id}/wait?condition=${rng.pick(['not-running', 'next-exit', 'removed'])}`, { readMs: rng.int(100, 3000) });
        return;
      case 'archiveGet':
        await faultyRequest(env, `archive get ${t!.name}`, 'GET', `${v}/containers/${t!.id}/archive?path=${encodeURIComponent(rng.pick(['/bin', '/etc', '/', '/tmp', '/etc/hostname', '/nonexistent']))}`, { limit: 8 << 20 });
        return;
      case 'archivePut': {
        const files: Record<string, Buffer> = {};
        for (let i = rng.int(1, 5); i > 0; i--) files[`torture-${n}-${i}.bin`] = rng.bytes(rng.int(0, 300 * 1024));
        await faultyRequest(env, `archive put ${t!.name}`, 'PUT', `${v}/containers/${t!.id}/archive?path=/tmp`, { body: tarOfFiles(files), headers: { 'Content-Type': 'application/x-tar' } });
        return;
      }
      case 'export':
        await faultyRequest(env, `export ${t!.name}`, 'GET', `${v}/containers/${t!.id}/export`, { fault: rng.chance(0.8) ? rng.pick(['mid-response', 'slow-read', 'before-response', 'none'] as const) : undefined, limit: 16 << 20 });
        return;
      case 'stats':
        await faultyRequest(env, `stats ${t!.name}`, 'GET', `${v}/containers/${t!.id}/stats?stream=${rng.chance(0.5) ? 1 : 0}`, { readMs: rng.int(200, 2500) });
        return;
      case 'burst': {
        const n2 = rng.int(10, 30);
        report.count('A', 'burstCalls', n2);
        await Promise.all(Array.from({ length: n2 }, async (_, i) => {
          const path = rng.pick(['/_ping', '/version', '/containers/json?all=1', '/images/json', '/info', t ? `/containers/${t.id}/json` : '/_ping']);
          const r = await call(dut.sock, 'GET', path, undefined, { timeoutMs: 10000 }).catch(() => undefined);
          if (r) noteStatus(env, `burst ${i} GET ${path}`, 'none', r.status, r.body);
        }));
        return;
      }
      case 'slowFlood': {
        // a slow reader of a flooding container: attach or follow its logs, pause for seconds, then read or drop
        let f = pool.pick(rng, 'flood');
        if (!f) {
          if (pool.count('flood') >= 2) return;
          const name = newName();
          pool.kinds.set(name, 'flood');
          const r = await call(dut.sock, 'POST', `${v}/containers/create?name=${name}`, { Image: 'busybox', ...KIND_CONFIG.flood }, { timeoutMs: 10000 }).catch(() => undefined);
          if (r?.status !== 201) return;
          f = { id: (JSON.parse(r.body.toString()) as { Id: string }).Id, name, kind: 'flood' };
          pool.add(f.id, name);
        }
        report.count('A', 'slowReads');
        const attach = rng.chance(0.5);
        const started = call(dut.sock, 'POST', `${v}/containers/${f.id}/start`, undefined, { timeoutMs: 10000 }).catch(() => undefined);
        if (attach) await Promise.all([hijack(env, `slow attach ${f.name}`, `${v}/containers/${f.id}/attach?stream=1&stdout=1&stderr=1`, { fault: 'slow-read', readMs: rng.int(300, 2000) }), started]);
        else { await started; await faultyRequest(env, `slow logs ${f.name}`, 'GET', `${v}/containers/${f.id}/logs?follow=1&stdout=1`, { fault: 'slow-read', readMs: rng.int(300, 2000) }); }
        return;
      }
    }
  }
}
