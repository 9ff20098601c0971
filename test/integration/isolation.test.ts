/** Real isolation: namespaces, capabilities, /proc masking, cgroup limits, OOM, users, files in /etc. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TestDaemon } from './harness.js';
import { ALL_CAPABILITIES } from '../../src/runtime/spec.js';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.cleanup(); });

const sh = async (script: string, flags: string[] = []) => {
  const r = await d.docker(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
  assert.equal(r.code, 0, `${script}: ${r.stderr}`);
  return r.stdout;
};

test('ps inside sees only the container processes, with sh as PID 1', async () => {
  const out = await sh('ps -o pid,comm; true');
  const rows = out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    assert.equal(rows[0][1], 'sh');
  assert.equal(rows.length, 2);
});

test('hostname is the container\'s: short ID by default, --hostname when given', async () => {
  const run = await d.docker(['run', '-d', 'busybox', 'sleep', '30']);
  const id = run.stdout.trim();
  const logs = await d.docker(['run', '--rm', '--hostname', 'myhost', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname']);
  assert.equal(logs.stdout, 'myhost\nmyhost\n');
  const insp = JSON.parse((await d.docker(['inspect', id])).stdout)[0];
  assert.equal(insp.Config.Hostname, id.slice(0, 12));
  await d.docker(['rm', '-f', id]);
});

test('capabilities are exactly Docker\'s default set', async () => {
  const out = await sh('grep -E "^Cap(Eff|Bnd|Prm|Inh|Amb)" /proc/self/status');
  // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
  assert.match(out, /CapEff:\s+00000000a80425fb/);
  assert.match(out, /CapBnd:\s+00000000a80425fb/);
  assert.match(out, /CapInh:\s+0000000000000000/);
  const added = await sh('grep CapEff /proc/self/status', ['--cap-add', 'NET_ADMIN', '--cap-drop', 'MKNOD']);
  assert.match(added, /CapEff:\s+00000000a00435fb/);
});

test('--privileged gets every capability berthd holds; a capability it lacks is refused at create with a clear error', async () => {
  const own = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
  const priv = await sh('grep -E "^Cap(Eff|Bnd)" /proc/self/status', ['--privileged']);
  assert.match(priv, new RegExp(`CapEff:\\s+${own}`));
  assert.match(priv, new RegExp(`CapBnd:\\s+${own}`));
  // the highest known capability bit berthd lacks, if any (this machine has no CAP_SYS_RESOURCE)
  const bits = BigInt(`0x${own}`);
  const lacking = ALL_CAPABILITIES.filter((_, bit) => !((bits >> BigInt(bit)) & 1n));
  for (const cap of lacking) {
    const r = await d.docker(['create', '--name', 'nocap', '--cap-add', cap.replace(/^CAP_/, ''), 'busybox', 'true']);
    assert.notEqual(r.code, 0, cap);
    assert.match(r.stderr, new RegExp(`capability ${cap} is not available`));
    assert.equal((await d.api('GET', '/containers/nocap/json')).status, 404);
  }
  // --cap-add ALL gets what there is
  const all = await sh('grep CapEff /proc/self/status', ['--cap-add', 'ALL']);
  assert.match(all, new RegExp(`CapEff:\\s+${own}`));
});

test('masked and read-only /proc paths; /dev has the standard devices', async () => {
  const out = await sh('grep -E " /proc/(timer_list|keys|acpi|scsi|kcore|sched_debug|latency_stats) " /proc/mounts | wc -l; grep " /proc/sys " /proc/mounts; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo writable || echo readonly; ls /dev');
  const lines = out.split('\n');
  assert.ok(Number(lines[0]) >= 2, `masked /proc paths mounted over: ${lines[0]}`);
  assert.match(lines[1], /^proc \/proc\/sys proc ro,/);
  assert.equal(lines[2], 'readonly');
  for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm', 'mqueue']) assert.match(out, new RegExp(`\\b${dev}\\b`));
});

test('network namespace: --network none has loopback only, up; the default bridge adds eth0', async () => {
  const script = 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort; ip addr show lo | grep -c "state UNKNOWN\\|UP"';
  const none = (await sh(script, ['--network', 'none'])).trim().split('\n');
  assert.deepEqual(none.slice(0, -1), ['lo']);
  assert.ok(Number(none.at(-1)) >= 1, 'lo is up');
  const bridge = (await sh(script)).trim().split('\n');
  assert.deepEqual(bridge.slice(0, -1), ['eth0', 'lo']);
});

test('/etc/hosts and /etc/resolv.conf are the container\'s own', async () => {
  const out = await sh('cat /etc/hosts; echo ---; cat /etc/resolv.conf', ['--add-host', 'db.example:10.1.2.3', '--dns', '10.9.9.9']);
  const [hosts, resolv] = out.split('---\n');
  assert.match(hosts, /^127\.0\.0\.1\s+localhost$/m);
  assert.match(hosts, /^10\.1\.2\.3\s+db\.example$/m);
  assert.equal(resolv.trim(), 'nameserver 10.9.9.9');
});

test('User by name and by uid:gid, supplementary groups from /etc/group; WorkingDir is created', async () => {
  assert.equal(await sh('id', ['-u', 'user']), 'uid=1000(user) gid=1000(user) groups=10(wheel),100(users)\n');
  assert.equal(await sh('id', ['-u', '1234:55']), 'uid=1234 gid=55\n');
  assert.equal(await sh('pwd; stat -c %F /work/dir', ['-w', '/work/dir']), '/work/dir\ndirectory\n');
  const bad = await d.docker(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'id']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /unable to find user nosuchuser/);
});

test('Env merges over the image\'s with PATH and HOSTNAME defaults; Entrypoint + Cmd', async () => {
  const out = await d.docker(['run', '--rm', '-e', 'FOO=bar', '--entrypoint', 'env', 'busybox']);
  const env = out.stdout.trim().split('\n');
  assert.ok(env.includes('FOO=bar'));
  assert.ok(env.some((e) => e.startsWith('PATH=/usr/local/sbin:')));
  assert.ok(env.some((e) => /^HOSTNAME=[a-f0-9]{12}$/.test(e)));
  assert.ok(env.includes('HOME=/root'));
});

test('--memory, --cpus and --pids-limit are enforced through cgroups', async () => {
  const out = await sh('cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max', ['--memory', '32m', '--cpus', '0.5', '--pids-limit', '10']);
  const v = out.trim().split(/\s+/);
  // v1: three files; v2: cpu.max holds "quota period" — the same four numbers either way
  assert.deepEqual(v, ['33554432', '50000', '100000', '10']);
  // the pids limit really bites: forking past it fails
  const fork = await d.docker(['run', '--rm', '--pids-limit', '5', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done 2>&1; echo done']);
  assert.match(fork.stdout + fork.stderr, /can't fork|Resource temporarily unavailable/);
});

test('writing past --memory gets the process OOM-killed and State.OOMKilled set', async () => {
  const r = await d.docker(['run', '--name', 'oom1', '--memory', '16m', 'busybox', 'sh', '-c', 'exec dd if=/dev/zero of=/dev/null bs=64M count=1']);
  assert.equal(r.code, 137, r.stdout + r.stderr);
  const st = JSON.parse((await d.docker(['inspect', 'oom1'])).stdout)[0].State;
  assert.equal(st.OOMKilled, true);
  assert.equal(st.ExitCode, 137);
  await d.docker(['rm', 'oom1']);
});

test('a container outlives SIGTERM of berthd and is re-adopted', async () => {
  const id = (await d.docker(['run', '-d', 'busybox', 'sleep', '300'])).stdout.trim();
  await d.stop();
  await d.start();
  const st = JSON.parse((await d.docker(['inspect', id])).stdout)[0].State;
  assert.equal(st.Status, 'running');
  assert.equal((await d.docker(['rm', '-f', id])).code, 0);
});
