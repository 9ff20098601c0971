/**
 * docker-py (the Python `docker` package: 7.1 on this machine's python3;
 * Debian's python3-docker 5.0, which docker-compose brings, passes too with
 * BERTH_TEST_PYTHON=/usr/bin/python3) against a real berthd. One
 * Python process (python3 is slow to start here) runs every scenario in
 * order against `unix://<test socket>` through `docker.DockerClient`, each
 * one catching its own failure, and prints one JSON document; the tests
 * below assert on each scenario's result. Scenarios: ping/version/info,
 * containers.run (attached with remove=True, detached with ports,
 * environment, volumes, labels), the container model (attrs, reload, logs,
 * exec_run, top, stats, stop, wait, remove), images (list, get, pull from a
 * local registry, build from a file object and from a path, tag, remove),
 * volumes, networks (a container reaches another by name), df, prune,
 * events with since/until, and docker-py's error classes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, busyboxRootfs, run } from './harness.js';
import { CncfRegistry, seedImage, type SeededImage } from './registry-harness.js';
import { tarOf } from './tar-helpers.js';

/** The interpreter with docker-py: python3 on PATH (docker 7.1 here); BERTH_TEST_PYTHON=/usr/bin/python3 tries Debian's python3-docker 5. */
const PYTHON = process.env.BERTH_TEST_PYTHON ?? 'python3';
const d = new TestDaemon();
const reg = new CncfRegistry();
let seeded: SeededImage;
let work: string;
let results: Record<string, { ok: boolean; value?: any; error?: string; trace?: string }> = {};
let pythonMs = 0;

const SCRIPT = String.raw`
import io, json, os, sys, time, traceback, urllib.request
import docker
from docker import errors

base_url, reg_host, work = sys.argv[1:4]
client = docker.DockerClient(base_url=base_url, timeout=60)
results = {}

def scenario(fn):
    try:
        results[fn.__name__] = {'ok': True, 'value': fn()}
    except Exception as e:
        results[fn.__name__] = {'ok': False, 'error': '%s: %s' % (type(e).__name__, e), 'trace': traceback.format_exc()}
    return fn

def http_get(port, path='/'):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    last = None
    for _ in range(50):
        try:
            with opener.open('http://127.0.0.1:%d%s' % (port, path), timeout=3) as r:
                return r.read().decode()
        except Exception as e:
            last = e
            time.sleep(0.1)
    raise last

def until(fn, timeout=10):
    end = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > end:
            return v
        time.sleep(0.05)

t_start = int(time.time())

@scenario
def system():
    v = client.version()
    info = client.info()
    return {
        'ping': client.ping(),
        'api_version': client.api.api_version,
        'version': {k: v.get(k) for k in ('ApiVersion', 'MinAPIVersion', 'Os', 'Arch')},
        'components': [c['Name'] for c in v.get('Components') or []],
        'info': {k: info.get(k) for k in ('DockerRootDir', 'Driver', 'OSType', 'Images')},
    }

@scenario
def run_attached():
    out = client.containers.run('busybox', ['sh', '-c', 'echo "hello $WHO"; echo err >&2'], environment={'WHO': 'py'}, remove=True, name='py-once')
    both = client.containers.run('busybox', ['sh', '-c', 'echo out; echo err >&2'], stdout=True, stderr=True, remove=True)
    try:
        client.containers.run('busybox', ['sh', '-c', 'echo failing >&2; exit 3'], remove=True)
        failed = None
    except errors.ContainerError as e:
        failed = {'exit_status': e.exit_status, 'stderr': e.stderr.decode(), 'command': e.command}
    left = [c.name for c in client.containers.list(all=True)]
    return {'out': out.decode(), 'both': both.decode(), 'failed': failed, 'left': left}

@scenario
def run_detached():
    site = os.path.join(work, 'site')
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, 'index.html'), 'w') as f:
        f.write('hello from docker-py\n')
    c = client.containers.run(
        'busybox', ['sh', '-c', 'echo "env=$GREETING"; echo data > /vol/f; exec httpd -f -p 3000 -h /site'],
        detach=True, name='py-web', environment={'GREETING': 'hi'}, labels={'client': 'docker-py'},
        ports={'3000/tcp': ('127.0.0.1', None)},
        volumes={site: {'bind': '/site', 'mode': 'ro'}, 'py-data': {'bind': '/vol', 'mode': 'rw'}},
        restart_policy={'Name': 'on-failure', 'MaximumRetryCount': 2})
    c.reload()
    port = int(c.ports['3000/tcp'][0]['HostPort'])
    page = http_get(port)
    logs = until(lambda: c.logs().decode())
    ex = c.exec_run(['sh', '-c', 'echo "out $GREETING $X"; echo err >&2; exit 4'], environment={'X': 'x1'}, demux=True)
    ex_plain = c.exec_run('cat /vol/f', workdir='/vol')
    ex_stream = b''.join(c.exec_run(['sh', '-c', 'echo a; echo b'], stream=True).output)
    ex_tty = c.exec_run(['tty'], tty=True)
    top = c.top()
    stats = c.stats(stream=False)
    listed = [x.name for x in client.containers.list(filters={'label': 'client=docker-py'})]
    got = client.containers.get('py-web')
    mounts = sorted([{'Type': m['Type'], 'Destination': m['Destination'], 'RW': m['RW'], 'Name': m.get('Name', '')} for m in c.attrs['Mounts']], key=lambda m: m['Destination'])
    res = {
        'status': c.status, 'name': c.name, 'short_id': c.short_id, 'id': c.id, 'got_id': got.id,
        'image_tags': c.image.tags, 'labels': c.labels,
        'env_has': 'GREETING=hi' in c.attrs['Config']['Env'],
        'restart': c.attrs['HostConfig']['RestartPolicy'],
        'host_ip': c.ports['3000/tcp'][0]['HostIp'],
        'binds': c.attrs['HostConfig']['Binds'], 'mounts': mounts,
        'page': page, 'logs': logs,
        'exec_demux': [ex.exit_code, ex.output[0].decode(), ex.output[1].decode()],
        'exec_plain': [ex_plain.exit_code, ex_plain.output.decode()],
        'exec_stream': ex_stream.decode(),
        'exec_tty': [ex_tty.exit_code, ex_tty.output.decode()],
        'top_titles': top['Titles'], 'top_cmds': [p[-1] for p in top['Processes']],
        'stats_keys': sorted(k for k in ('read', 'cpu_stats', 'memory_stats', 'pids_stats') if k in stats),
        'listed': listed,
    }
    c.stop(timeout=1)
    res['wait'] = c.wait()
    c.reload()
    res['after_stop'] = [c.status, c.attrs['State']['ExitCode']]
    c.remove(v=True)
    try:
        c.reload()
        res['after_remove'] = 'still there'
    except errors.NotFound as e:
        res['after_remove'] = e.status_code
    client.volumes.get('py-data').remove()
    return res

@scenario
def exec_burst():
    # quick processes print before a slow client has read the 101 head: nothing may be lost
    c = client.containers.run('busybox', ['sleep', '300'], detach=True)
    outs = [c.exec_run(['echo', str(i)]).output.decode() for i in range(40)]
    streamed = [b''.join(c.exec_run(['echo', str(i)], stream=True).output).decode() for i in range(10)]
    c.remove(force=True)
    return {'lost': [i for i, o in enumerate(outs) if o != '%d\n' % i], 'lost_streamed': [i for i, o in enumerate(streamed) if o != '%d\n' % i]}

@scenario
def logs_follow():
    c = client.containers.run('busybox', ['sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.2; done; echo oops >&2'], detach=True)
    streamed = b''.join(c.logs(stream=True, follow=True)).decode()
    out_only = c.logs(stderr=False).decode()
    ts = c.logs(timestamps=True, tail=1).decode()
    res = {'streamed': streamed, 'out_only': out_only, 'tail_ts': ts, 'wait': c.wait(timeout=10)}
    c.remove()
    return res

@scenario
def images():
    listed = [t for i in client.images.list() for t in i.tags]
    bb = client.images.get('busybox')
    progress = [m.get('status') for m in client.api.pull(reg_host + '/tools/pyimg', tag='1.0', stream=True, decode=True)]
    pulled = client.images.pull(reg_host + '/tools/pyimg', tag='1.0')
    out = client.containers.run(pulled.id, remove=True).decode()
    pulled.tag('py/retagged', 'v1')
    retagged = sorted(client.images.get('py/retagged:v1').tags)
    client.images.remove('py/retagged:v1')
    filtered = [t for i in client.images.list(name=reg_host + '/tools/pyimg') for t in i.tags]
    client.images.remove(reg_host + '/tools/pyimg:1.0')
    try:
        client.images.get(reg_host + '/tools/pyimg:1.0')
        gone = None
    except errors.ImageNotFound as e:
        gone = [e.status_code, e.explanation]
    try:
        client.images.pull(reg_host + '/tools/pyimg', tag='nope')
        unknown = None
    except errors.NotFound as e:
        unknown = [e.status_code, e.explanation]
    return {'listed': listed, 'busybox_tags': bb.tags, 'busybox_id': bb.id, 'progress': progress,
            'pulled_id': pulled.id, 'pulled_tags': pulled.tags, 'pulled_digests': pulled.attrs['RepoDigests'],
            'out': out, 'retagged': retagged, 'filtered': filtered, 'gone': gone, 'unknown': unknown}

@scenario
def build():
    dockerfile = b'FROM busybox\nLABEL built.by=docker-py\nRUN echo from-fileobj > /f.txt\nCMD ["cat", "/f.txt"]\n'
    img, logs = client.images.build(fileobj=io.BytesIO(dockerfile), tag='py/fileobj:1', rm=True)
    text = ''.join(l.get('stream', '') for l in logs)
    ctx = os.path.join(work, 'ctx')
    os.makedirs(os.path.join(ctx, 'sub'), exist_ok=True)
    with open(os.path.join(ctx, 'Dockerfile'), 'w') as f:
        f.write('FROM busybox\nARG WHAT=default\nCOPY . /app/\nRUN echo "$WHAT" > /app/what\nCMD ["sh", "-c", "cat /app/msg.txt /app/what; ls /app"]\n')
    with open(os.path.join(ctx, 'msg.txt'), 'w') as f:
        f.write('from path\n')
    with open(os.path.join(ctx, 'sub', 'ignored.txt'), 'w') as f:
        f.write('x\n')
    with open(os.path.join(ctx, '.dockerignore'), 'w') as f:
        f.write('sub\n')
    img2, _ = client.images.build(path=ctx, tag='py/path:1', buildargs={'WHAT': 'arg-value'}, labels={'extra': 'label'})
    out2 = client.containers.run('py/path:1', remove=True).decode()
    try:
        client.images.build(fileobj=io.BytesIO(b'FROM busybox\nRUN exit 7\n'), tag='py/bad:1')
        failed = None
    except errors.BuildError as e:
        failed = e.msg
    res = {'tags': img.tags, 'labels': img.labels, 'text': text, 'out': client.containers.run('py/fileobj:1', remove=True).decode(),
           'tags2': img2.tags, 'labels2': img2.labels, 'out2': out2, 'failed': failed,
           'bad_present': [t for i in client.images.list() for t in i.tags if t.startswith('py/bad')]}
    client.images.remove('py/fileobj:1')
    client.images.remove('py/path:1')
    return res

@scenario
def volumes():
    v = client.volumes.create('py-vol', labels={'made': 'docker-py'})
    listed = [x.name for x in client.volumes.list(filters={'label': 'made=docker-py'})]
    got = client.volumes.get('py-vol')
    res = {'name': v.name, 'listed': listed, 'driver': got.attrs['Driver'], 'mountpoint': got.attrs['Mountpoint'], 'labels': got.attrs['Labels']}
    c = client.containers.create('busybox', 'true', volumes={'py-vol': {'bind': '/v', 'mode': 'rw'}})
    try:
        v.remove()
        res['in_use'] = None
    except errors.APIError as e:
        res['in_use'] = [e.status_code, e.explanation]
    c.remove()
    v.remove()
    try:
        client.volumes.get('py-vol')
        res['gone'] = None
    except errors.NotFound as e:
        res['gone'] = [e.status_code, e.explanation]
    return res

@scenario
def networks():
    n = client.networks.create('py-net', driver='bridge', labels={'made': 'docker-py'})
    srv = client.containers.run('busybox', ['sh', '-c', 'echo served > /tmp/index.html; exec httpd -f -p 80 -h /tmp'], detach=True, name='py-srv')
    n.connect(srv, aliases=['srv-alias'])
    n.reload()
    members = [c.name for c in n.containers]
    srv.reload()
    nets = sorted(srv.attrs['NetworkSettings']['Networks'].keys())
    fetched = client.containers.run('busybox', ['sh', '-c', 'for i in 1 2 3 4 5; do printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 3 srv-alias 80 | tail -n 1 | grep . && exit 0; sleep 1; done; exit 1'],
                                    network='py-net', remove=True).decode()
    try:
        n.remove()
        busy = None
    except errors.APIError as e:
        busy = e.status_code
    n.disconnect(srv)
    srv.reload()
    nets_after = sorted(srv.attrs['NetworkSettings']['Networks'].keys())
    listed = [x.name for x in client.networks.list(names=['py-net'])]
    n.remove()
    srv.remove(force=True)
    try:
        client.networks.get('py-net')
        gone = None
    except errors.NotFound as e:
        gone = e.status_code
    return {'name': n.name, 'labels': n.attrs['Labels'], 'members': members, 'nets': nets, 'fetched': fetched, 'busy': busy,
            'nets_after': nets_after, 'listed': listed, 'gone': gone}

@scenario
def df_and_prune():
    a = client.containers.run('busybox', 'true', detach=True, labels={'py': 'prune'})
    b = client.containers.run('busybox', 'true', detach=True, labels={'py': 'keep'})
    a.wait(); b.wait()
    df = client.df()
    pruned = client.containers.prune(filters={'label': 'py=prune'})
    left = [c.id for c in client.containers.list(all=True)]
    b.remove()
    return {'df_keys': sorted(df.keys()), 'df_images': [t for i in df['Images'] for t in (i.get('RepoTags') or [])],
            'df_container_ids': [c['Id'] for c in df['Containers']], 'layers_size': df['LayersSize'],
            'deleted': pruned['ContainersDeleted'], 'space': pruned['SpaceReclaimed'], 'a': a.id, 'b': b.id, 'left': left}

@scenario
def events():
    since = int(time.time()) - 1
    c = client.containers.run('busybox', 'true', detach=True, labels={'py': 'events'})
    c.wait()
    c.remove()
    until_t = int(time.time()) + 1
    started = time.time()
    evs = list(client.events(since=since, until=until_t, decode=True, filters={'label': 'py=events'}))
    return {'actions': [e['Action'] for e in evs], 'ids': sorted(set(e['Actor']['ID'] for e in evs)), 'id': c.id,
            'types': sorted(set(e['Type'] for e in evs)), 'ended_in_s': time.time() - started}

@scenario
def errors_():
    res = {}
    try:
        client.containers.get('no-such-ctr')
    except errors.NotFound as e:
        res['container'] = [type(e).__name__, e.status_code, e.explanation]
    try:
        client.images.get('no/such-image:1')
    except errors.ImageNotFound as e:
        res['image'] = [type(e).__name__, e.status_code, e.explanation]
    try:
        client.networks.get('no-such-net')
    except errors.NotFound as e:
        res['network'] = [type(e).__name__, e.status_code]
    first = client.containers.create('busybox', 'true', name='py-dup')
    try:
        client.containers.create('busybox', 'true', name='py-dup')
    except errors.APIError as e:
        res['conflict'] = [type(e).__name__, e.status_code, e.explanation, e.is_client_error()]
    try:
        first.kill()
    except errors.APIError as e:
        res['kill_stopped'] = [e.status_code, e.explanation]
    first.remove()
    try:
        client.api.create_container('busybox', host_config=client.api.create_host_config(restart_policy={'Name': 'sometimes'}))
    except errors.APIError as e:
        res['bad_restart'] = e.status_code
    res['left'] = [c.name for c in client.containers.list(all=True)]
    return res

print(json.dumps(results, default=str))
`;

before(async () => {
  await reg.start();
  seeded = await seedImage(reg.url, 'tools/pyimg', '1.0', { cmd: ['cat', '/pulled.txt'], layers: [readFileSync(busyboxRootfs()), await tarOf({ 'pulled.txt': 'pulled\n' })] });
  await d.start();
  await d.importBusybox();
  work = join(d.root, 'py');
  mkdirSync(work);
  writeFileSync(join(work, 'scenarios.py'), SCRIPT);
  const t0 = Date.now();
  const r = await run(PYTHON, [join(work, 'scenarios.py'), d.host, reg.host, work], { timeoutMs: 240000, env: { PYTHONDONTWRITEBYTECODE: '1' } });
  pythonMs = Date.now() - t0;
  if (r.code !== 0) throw new Error(`python3 exited ${r.code}: ${r.stderr}`);
  results = JSON.parse(r.stdout);
});
after(async () => {
  await d.cleanup();
  await reg.stop();
});

/** A scenario's return value; its Python traceback when it raised. */
function scenario(name: string): any {
  const r = results[name];
  assert.ok(r, `scenario ${name} did not run (python took ${pythonMs} ms)`);
  assert.ok(r.ok, `${name}: ${r.error}\n${r.trace}`);
  return r.value;
}

test('client.ping, version (API version negotiated from the server), info', () => {
  const v = scenario('system');
  assert.equal(v.ping, true);
  assert.equal(v.api_version, v.version.ApiVersion);
  assert.match(v.version.ApiVersion, /^1\.\d+$/);
  assert.equal(v.version.Os, 'linux');
  assert.ok(v.components.includes('Engine'), JSON.stringify(v.components));
  assert.equal(v.info.DockerRootDir, d.dataRoot);
  assert.equal(v.info.OSType, 'linux');
  assert.equal(v.info.Images, 1);
});

test('containers.run attached: output, stdout+stderr, remove=True, ContainerError with the exit status and stderr', () => {
  const v = scenario('run_attached');
  assert.equal(v.out, 'hello py\n');
  assert.equal(v.both, 'out\nerr\n');
  assert.deepEqual(v.failed, { exit_status: 3, stderr: 'failing\n', command: ['sh', '-c', 'echo failing >&2; exit 3'] });
  assert.deepEqual(v.left, [], 'remove=True removed every container');
});

test('containers.run detached with ports, environment, volumes, labels, restart policy; attrs, reload, logs, exec_run, top, stats, stop, wait, remove', () => {
  const v = scenario('run_detached');
  assert.equal(v.status, 'running');
  assert.equal(v.name, 'py-web');
  assert.equal(v.short_id, v.id.slice(0, v.short_id.length));
  assert.ok(v.short_id.length >= 10, 'docker-py 5 cuts at 10 characters, 7 at 12');
  assert.equal(v.got_id, v.id);
  assert.deepEqual(v.image_tags, ['busybox:latest']);
  assert.deepEqual(v.labels, { client: 'docker-py' });
  assert.equal(v.env_has, true);
  assert.deepEqual(v.restart, { Name: 'on-failure', MaximumRetryCount: 2 });
  assert.equal(v.host_ip, '127.0.0.1');
  assert.deepEqual(v.binds, [`${join(work, 'site')}:/site:ro`, 'py-data:/vol:rw']);
  assert.deepEqual(v.mounts, [
    { Type: 'bind', Destination: '/site', RW: false, Name: '' },
    { Type: 'volume', Destination: '/vol', RW: true, Name: 'py-data' },
  ]);
  assert.equal(v.page, 'hello from docker-py\n');
  assert.equal(v.logs, 'env=hi\n');
  assert.deepEqual(v.exec_demux, [4, 'out hi x1\n', 'err\n']);
  assert.deepEqual(v.exec_plain, [0, 'data\n']);
  assert.equal(v.exec_stream, 'a\nb\n');
  assert.equal(v.exec_tty[0], 0);
  assert.match(v.exec_tty[1], /^\/dev\/pts\/\d+\r\n$/);
  assert.deepEqual(v.top_titles.slice(0, 2), ['UID', 'PID']);
  assert.ok(v.top_cmds.some((c: string) => c.startsWith('httpd -f -p 3000')), JSON.stringify(v.top_cmds));
  assert.deepEqual(v.stats_keys, ['cpu_stats', 'memory_stats', 'pids_stats', 'read']);
  assert.deepEqual(v.listed, ['py-web']);
  assert.deepEqual(v.wait, { StatusCode: 137 });
  assert.deepEqual(v.after_stop, ['exited', 137]);
  assert.equal(v.after_remove, 404);
});

test('exec_run output is never lost, however quickly the process prints (50 execs)', () => {
  const v = scenario('exec_burst');
  assert.deepEqual(v, { lost: [], lost_streamed: [] });
});

test('logs: stream=True with follow ends when the container exits; stderr=False; timestamps with tail', () => {
  const v = scenario('logs_follow');
  assert.equal(v.streamed, 'line1\nline2\nline3\noops\n');
  assert.equal(v.out_only, 'line1\nline2\nline3\n');
  assert.match(v.tail_ts, /^\d{4}-\d\d-\d\dT[\d:.]+Z oops\n$/);
  assert.deepEqual(v.wait, { StatusCode: 0 });
});

test('images: list, get, pull from a local registry (progress and model), run it, tag, filtered list, remove, errors', () => {
  const v = scenario('images');
  assert.deepEqual(v.listed, ['busybox:latest']);
  assert.deepEqual(v.busybox_tags, ['busybox:latest']);
  assert.match(v.busybox_id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(v.progress[0], `Pulling from tools/pyimg`);
  for (const s of ['Already exists', 'Pulling fs layer', 'Pull complete', `Digest: ${seeded.manifestDigest}`]) assert.ok(v.progress.includes(s), `${s}: ${v.progress}`);
  assert.equal(v.progress.at(-1), `Status: Downloaded newer image for ${reg.host}/tools/pyimg:1.0`);
  assert.equal(v.pulled_id, seeded.configDigest);
  assert.deepEqual(v.pulled_tags, [`${reg.host}/tools/pyimg:1.0`]);
  assert.deepEqual(v.pulled_digests, [`${reg.host}/tools/pyimg@${seeded.manifestDigest}`]);
  assert.equal(v.out, 'pulled\n');
  assert.deepEqual(v.retagged, [`${reg.host}/tools/pyimg:1.0`, 'py/retagged:v1']);
  assert.deepEqual(v.filtered, [`${reg.host}/tools/pyimg:1.0`]);
  assert.deepEqual(v.gone, [404, `No such image: ${reg.host}/tools/pyimg:1.0`]);
  assert.equal(v.unknown[0], 404);
  assert.equal(v.unknown[1], `manifest for ${reg.host}/tools/pyimg:nope not found: manifest unknown: manifest unknown`);
});

test('images.build from a file object and from a path (.dockerignore, buildargs, labels); BuildError on a failing RUN', () => {
  const v = scenario('build');
  assert.deepEqual(v.tags, ['py/fileobj:1']);
  assert.deepEqual(v.labels, { 'built.by': 'docker-py' });
  assert.match(v.text, /Step 1\/4 : FROM busybox/);
  assert.match(v.text, /Successfully tagged py\/fileobj:1/);
  assert.equal(v.out, 'from-fileobj\n');
  assert.deepEqual(v.tags2, ['py/path:1']);
  assert.deepEqual(v.labels2, { extra: 'label' });
  assert.equal(v.out2, 'from path\narg-value\nDockerfile\nmsg.txt\nwhat\n');
  assert.equal(v.failed, "The command '/bin/sh -c exit 7' returned a non-zero code: 7");
  assert.deepEqual(v.bad_present, []);
});

test('volumes.create/list/get/remove; 409 while in use; NotFound after', () => {
  const v = scenario('volumes');
  assert.equal(v.name, 'py-vol');
  assert.deepEqual(v.listed, ['py-vol']);
  assert.equal(v.driver, 'local');
  assert.equal(v.mountpoint, join(d.dataRoot, 'volumes', 'py-vol', '_data'));
  assert.deepEqual(v.labels, { made: 'docker-py' });
  assert.equal(v.in_use[0], 409);
  assert.match(v.in_use[1], /^remove py-vol: volume is in use - \[[0-9a-f]{64}\]$/);
  assert.deepEqual(v.gone, [404, 'get py-vol: no such volume']);
});

test('networks.create, connect with an alias, a container on it reaches another by alias, disconnect, remove', () => {
  const v = scenario('networks');
  assert.equal(v.name, 'py-net');
  assert.deepEqual(v.labels, { made: 'docker-py' });
  assert.deepEqual(v.members, ['py-srv']);
  assert.deepEqual(v.nets, ['bridge', 'py-net']);
  assert.equal(v.fetched, 'served\n');
  assert.equal(v.busy, 409);
  assert.deepEqual(v.nets_after, ['bridge']);
  assert.deepEqual(v.listed, ['py-net']);
  assert.equal(v.gone, 404);
});

test('client.df() and containers.prune with a label filter', () => {
  const v = scenario('df_and_prune');
  assert.deepEqual(v.df_keys, ['BuildCache', 'Containers', 'Images', 'LayersSize', 'Volumes']);
  assert.ok(v.df_images.includes('busybox:latest'), JSON.stringify(v.df_images));
  assert.deepEqual([...v.df_container_ids].sort(), [v.a, v.b].sort());
  assert.ok(v.layers_size > 0);
  assert.deepEqual(v.deleted, [v.a]);
  assert.equal(typeof v.space, 'number');
  assert.deepEqual(v.left, [v.b]);
});

test('events(decode=True) with since/until: a finite list of the container\'s life', () => {
  const v = scenario('events');
  assert.deepEqual(v.actions, ['create', 'start', 'die', 'destroy']);
  assert.deepEqual(v.ids, [v.id]);
  assert.deepEqual(v.types, ['container']);
  assert.ok(v.ended_in_s < 5, `the stream ended at until (${v.ended_in_s} s)`);
});

test('errors: NotFound / ImageNotFound with Docker\'s messages, APIError 409 on a name conflict and on kill of a stopped container, 400', () => {
  const v = scenario('errors_');
  assert.deepEqual(v.container, ['NotFound', 404, 'No such container: no-such-ctr']);
  assert.deepEqual(v.image, ['ImageNotFound', 404, 'No such image: no/such-image:1']);
  assert.deepEqual(v.network, ['NotFound', 404]);
  assert.equal(v.conflict[0], 'APIError');
  assert.equal(v.conflict[1], 409);
  assert.match(v.conflict[2], /^Conflict\. The container name "\/py-dup" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.$/);
  assert.equal(v.conflict[3], true);
  assert.equal(v.kill_stopped[0], 409);
  assert.match(v.kill_stopped[1], /is not running/);
  assert.equal(v.bad_restart, 400);
  assert.deepEqual(v.left, []);
});
