/**
 * Interactive containers with the unmodified docker CLI under a real
 * terminal (tmux): run -it with typed commands and exit status, piped stdin,
 * resize, detach keys and re-attach, exec (plain, -i, -it, failures), and
 * kill -9 of berthd while attached.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, run, until, sleep, TEST_PREFIX, BERTH } from './harness.js';
import { hijack, demux } from './hijack-client.js';

const d = new TestDaemon();
const sessions: string[] = [];
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => {
  for (const s of sessions) await run('tmux', ['kill-session', '-t', s]).catch(() => undefined);
  await d.cleanup();
});

/** A docker command in a fresh tmux window; its exit status lands in a file. */
async function term(name: string, cmd: string, size = { x: 100, y: 30 }) {
  const session = `${TEST_PREFIX}${name}-${process.pid}`;
  const exitFile = join(d.root, `${name}.exit`);
  sessions.push(session);
  const env = Object.entries(d.env).map(([k, v]) => `${k}=${v}`).join(' ');
  const r = await run('tmux', ['new-session', '-d', '-s', session, '-x', String(size.x), '-y', String(size.y), `env ${env} ${cmd}; echo $? > ${exitFile}; sleep 600`]);
  assert.equal(r.code, 0, r.stderr);
  const screen = async () => (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout;
  return {
    type: async (text: string) => { await run('tmux', ['send-keys', '-t', session, '-l', text]); },
    keys: async (...keys: string[]) => { await run('tmux', ['send-keys', '-t', session, ...keys]); },
    resize: async (x: number, y: number) => { await run('tmux', ['resize-window', '-t', session, '-x', String(x), '-y', String(y)]); },
    screen,
    waitFor: async (re: RegExp): Promise<string> => (await until(async () => { const s = await screen(); return re.test(s) ? s : undefined; }, 15000))!,
    /** Press Enter until the shell's prompt shows (an attach shows nothing until output comes). */
    prompt: async () => until(async () => { await run('tmux', ['send-keys', '-t', session, 'Enter']); await sleep(300); return /^\/ #/m.test(await screen()) || undefined; }, 15000),
    exitCode: async () => (await until(() => (existsSync(exitFile) ? [Number(readFileSync(exitFile, "utf8").trim())] : undefined), 15000))![0],
  };
}

test('docker run -it busybox sh: a real pty, typed commands, resize, exit 7', async () => {
  const t = await term('runit', 'docker run -it --name it1 busybox sh');
  await t.waitFor(/^\/ #/m);
  await t.type('tty; stty size; echo $((6*7))\r');
  const s = await t.waitFor(/^42$/m);
  assert.match(s, /^\/dev\/pts\/\d+$/m);
  assert.match(s, /^30 100$/m);
  await t.resize(80, 20);
  await sleep(300);
  await t.type('stty size\r');
  await t.waitFor(/^20 80$/m);
  await t.type('exit 7\r');
  assert.equal(await t.exitCode(), 7);
  const st = await d.docker(['inspect', '-f', '{{.State.ExitCode}} {{.Config.Tty}} {{.Config.OpenStdin}}', 'it1']);
  assert.equal(st.stdout.trim(), '7 true true');
  await d.docker(['rm', 'it1']);
});

test('echo hi | docker run -i busybox cat prints hi (stdin EOF reaches the process)', async () => {
  const r = await d.docker(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\n', timeoutMs: 20000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hi\n');
  const wc = await d.docker(['run', '-i', '--rm', 'busybox', 'sh', '-c', 'wc -l; exit 3'], { input: 'a\nb\nc\n', timeoutMs: 20000 });
  assert.equal(wc.code, 3);
  assert.equal(wc.stdout.trim(), '3');
  // start -ai: attach stdin to a created -i container (StdinOnce is false: stdin stays open across attaches)
  assert.equal((await d.docker(['create', '-i', '--name', 'sai', 'busybox', 'sh', '-c', 'read x; echo got $x; exit 5'])).code, 0);
  const sai = await d.docker(['start', '-ai', 'sai'], { input: 'hello\n', timeoutMs: 20000 });
  assert.equal(sai.code, 5);
  assert.equal(sai.stdout, 'got hello\n');
  await d.docker(['rm', 'sai']);
});

test('detach with ctrl-p ctrl-q, re-attach; berthd kill -9 while attached keeps the container, attach works again', async () => {
  const t = await term('detach', 'docker run -it --name it2 busybox sh');
  await t.waitFor(/^\/ #/m);
  await t.type('echo first $((1+1))\r');
  await t.waitFor(/^first 2$/m);
  await t.keys('C-p', 'C-q');
  assert.equal(await t.exitCode(), 0);
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}}', 'it2'])).stdout.trim(), 'true');

  const a = await term('attach', 'docker attach it2');
  await a.prompt();
  await a.type('echo second $((2+2))\r');
  await a.waitFor(/^second 4$/m);
  await d.crash();
  assert.notEqual(await a.exitCode(), undefined); // the CLI lost its daemon
  await d.start();
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}}', 'it2'])).stdout.trim(), 'true');

  const b = await term('reattach', 'docker attach it2');
  await b.prompt();
  await b.type('echo third $((3+3)); tty\r');
  // wait for tty's line as well: a capture can land between the echo's output and tty's
  const s = await b.waitFor(/^third 6\n\/dev\/pts\/\d+$/m);
  assert.match(s, /^\/dev\/pts\/\d+$/m);
  await b.type('exit 4\r');
  assert.equal(await b.exitCode(), 4);
  assert.equal((await d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'it2'])).stdout.trim(), '4');
  await d.docker(['rm', 'it2']);
});

test('docker exec: output, exit code, env/workdir/user, -i stdin, -it pty, failures', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'ex1', '-e', 'FOO=bar', 'busybox', 'sleep', '300'])).code, 0);
  const r = await d.docker(['exec', 'ex1', 'sh', '-c', 'echo out $FOO; echo err >&2; exit 4']);
  assert.equal(r.code, 4);
  assert.equal(r.stdout, 'out bar\n');
  assert.equal(r.stderr, 'err\n');
  const u = await d.docker(['exec', '-e', 'BAR=baz', '-w', '/tmp', '-u', '1000:1000', 'ex1', 'sh', '-c', 'echo $FOO $BAR; pwd; id -u; id -g']);
  assert.equal(u.stdout, 'bar baz\n/tmp\n1000\n1000\n');
  const i = await d.docker(['exec', '-i', 'ex1', 'cat'], { input: 'piped\n' });
  assert.equal(i.stdout, 'piped\n');
  const missing = await d.docker(['exec', 'ex1', 'nosuchcmd']);
  // dockerd 20.10: exit status 126 and "OCI runtime exec failed: exec failed: … executable file not found in $PATH: unknown"
  assert.equal(missing.code, 126);
  assert.match(missing.stdout + missing.stderr, /^OCI runtime exec failed: exec failed: .*"nosuchcmd": executable file not found in \$PATH: unknown\r?$/m);
  const det = await d.docker(['exec', '-d', 'ex1', 'sh', '-c', 'echo x > /tmp/detached']);
  assert.equal(det.code, 0);
  await until(async () => (await d.docker(['exec', 'ex1', 'cat', '/tmp/detached'])).stdout === 'x\n' || undefined);

  const t = await term('execit', 'docker exec -it ex1 sh');
  await t.waitFor(/^\/ #/m);
  await t.type('tty; stty size\r');
  await t.waitFor(/^30 100$/m);
  await t.resize(70, 15);
  await sleep(300);
  await t.type('stty size; exit 5\r');
  assert.equal(await t.exitCode(), 5);
  await until(async () => {
    const events = await d.docker(['events', '--since', '5m', '--until', ((Date.now() + 500) / 1000).toFixed(3), '--filter', 'container=ex1', '--filter', 'event=exec_die', '--format', '{{.Actor.Attributes.exitCode}}']);
    return events.stdout.trim().split('\n').includes('5') || undefined;
  });

  // the API: inspect of a finished session, 404, 409 for a stopped container
  const c = await d.api('POST', '/v1.50/containers/ex1/exec', { Cmd: ['true'], AttachStdout: true });
  assert.equal(c.status, 201);
  const execId = c.json().Id;
  assert.ok((await d.api('GET', '/v1.50/containers/ex1/json')).json().ExecIDs.includes(execId));
  const s = await d.api('POST', `/v1.50/exec/${execId}/start`, { Detach: true });
  assert.equal(s.status, 200);
  const ins = await until(async () => { const j = (await d.api('GET', `/v1.50/exec/${execId}/json`)).json(); return j.Running === false && j.ExitCode !== null ? j : undefined; });
  assert.equal(ins.ExitCode, 0);
  assert.equal(ins.ProcessConfig.entrypoint, 'true');
  assert.equal((await d.api('POST', `/v1.50/exec/${execId}/start`, { Detach: true })).status, 409);
  assert.equal((await d.api('GET', '/v1.50/exec/nope/json')).status, 404);
  assert.equal((await d.api('POST', '/v1.50/containers/ex1/exec', { Cmd: [] })).status, 400);
  await d.docker(['stop', '-t', '0', 'ex1']);
  assert.equal((await d.api('POST', '/v1.50/containers/ex1/exec', { Cmd: ['true'] })).status, 409);
  await d.docker(['rm', 'ex1']);
});

test('exec start of a missing or non-executable command: detached 400, attached a 200 (or 101) stream carrying the error, ExitCode 126 — as dockerd 20.10', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'exfail', 'busybox', 'sleep', '300'])).code, 0);
  const create = async (Cmd: string[], Tty = false) => {
    const r = await d.api('POST', '/containers/exfail/exec', { Cmd, AttachStdout: true, AttachStderr: true, Tty });
    assert.equal(r.status, 201, r.body.toString());
    return r.json<{ Id: string }>().Id;
  };
  const inspect = async (id: string) => (await d.api('GET', `/exec/${id}/json`)).json<{ Running: boolean; ExitCode: number; Pid: number }>();
  const cases: [string[], string][] = [
    [['/bin/bash', '-c', 'true'], 'exec: "/bin/bash": stat /bin/bash: no such file or directory'],
    [['nosuchcmd'], 'exec: "nosuchcmd": executable file not found in $PATH'],
    [['/etc/passwd'], 'exec: "/etc/passwd": permission denied'],
  ];
  for (const [cmd, what] of cases) {
    // dockerd: {"message":"OCI runtime exec failed: exec failed: unable to start container process: <what>: unknown"}, 400
    const message = `OCI runtime exec failed: exec failed: unable to start container process: ${what}: unknown`;
    const detached = await create(cmd);
    const r = await d.api('POST', `/exec/${detached}/start`, { Detach: true, Tty: false });
    assert.equal(r.status, 400, r.body.toString());
    assert.equal(r.json().message, message);
    assert.deepEqual(await inspect(detached), { ...(await inspect(detached)), Running: false, ExitCode: 126, Pid: 0 });

    // attached without an upgrade (dockerode's exec.start, testcontainers): HTTP 200, then one stdout frame "<message>\r\n", then the end
    const plain = await create(cmd);
    const a = await d.api('POST', `/exec/${plain}/start`, { Detach: false, Tty: false });
    assert.equal(a.status, 200);
    const frame = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.alloc(4), Buffer.from(`${message}\r\n`)]);
    frame.writeUInt32BE(frame.length - 8, 4);
    assert.deepEqual(a.body, frame, a.body.toString());
    assert.equal((await inspect(plain)).ExitCode, 126);

    // with a TTY the text is raw
    const tty = await create(cmd, true);
    const t = await d.api('POST', `/exec/${tty}/start`, { Detach: false, Tty: true });
    assert.equal(t.status, 200);
    assert.equal(t.body.toString(), `${message}\r\n`);
    assert.equal((await inspect(tty)).ExitCode, 126);
  }
  // the upgraded (hijacked) form, as the docker CLI: 101, the same frame
  const up = await create(['/bin/bash', '-c', 'true']);
  const h = await hijack(d.sock, `/exec/${up}/start`, JSON.stringify({ Detach: false, Tty: false }));
  const out = demux(await h.closed);
  assert.equal(out.stdout.toString(), `OCI runtime exec failed: exec failed: unable to start container process: ${cases[0][1]}: unknown\r\n`);
  assert.equal((await inspect(up)).ExitCode, 126);
  // and the container is unharmed
  assert.equal((await d.docker(['exec', 'exfail', 'sh', '-c', 'echo fine'])).stdout, 'fine\n');
  await d.docker(['rm', '-f', 'exfail']);
});

test('berth CLI: run -it (raw terminal, resize, detach keys), attach, exec -it, exec -i, piped run -i', async () => {
  const berth = `${process.execPath} ${BERTH}`;
  const t = await term('berthit', `${berth} run -it --name bit1 busybox sh`);
  await t.waitFor(/^\/ #/m);
  await t.type('tty; stty size\r');
  const s = await t.waitFor(/^30 100$/m);
  assert.match(s, /^\/dev\/pts\/\d+$/m);
  await t.resize(70, 20);
  await sleep(300);
  await t.type('stty size\r');
  await t.waitFor(/^20 70$/m);
  await t.keys('C-p', 'C-q');
  assert.equal(await t.exitCode(), 0);
  assert.equal((await d.berth(['inspect', '-f', '{{.State.Running}}', 'bit1'])).stdout.trim(), 'true');

  const x = await term('berthexec', `${berth} exec -it bit1 sh`);
  await x.waitFor(/^\/ #/m);
  await x.type('echo in-exec; exit 6\r');
  assert.equal(await x.exitCode(), 6);

  const a = await term('berthattach', `${berth} attach bit1`);
  await a.prompt();
  await a.type('echo attached; exit 9\r');
  assert.equal(await a.exitCode(), 9);
  assert.equal((await d.berth(['inspect', '-f', '{{.State.ExitCode}}', 'bit1'])).stdout.trim(), '9');
  await d.berth(['rm', 'bit1']);

  const piped = await d.berth(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\n' });
  assert.equal(piped.stdout, 'hi\n');
  assert.equal((await d.berth(['run', '-d', '--name', 'bit2', 'busybox', 'sleep', '60'])).code, 0);
  const e = await d.berth(['exec', '-i', '-e', 'A=1', 'bit2', 'sh', '-c', 'cat; echo $A; exit 2'], { input: 'x\n' });
  assert.equal(e.code, 2);
  assert.equal(e.stdout, 'x\n1\n');
  await d.berth(['rm', '-f', 'bit2']);
});
