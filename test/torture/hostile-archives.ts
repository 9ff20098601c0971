/**
 * test/torture/hostile-archives — phase D, the tar side: every hostile
 * archive of hostile-tar through `PUT /containers/{id}/archive` (at /tmp
 * and /), `POST /images/create?fromSrc=-`, `POST /images/load` (as the
 * layer, and hostile manifests/outer entries) and `POST /build` contexts
 * (plus COPY/ADD/dockerfile= reaching outside the context); then a
 * container swapping a directory for a symlink to the canary in a loop
 * while GET/PUT/HEAD archive run against it. What berthd hands back (and
 * what lands in images and containers) is searched for the canary's secret.
 */
import { call } from './raw-http.js';
import { climb, hostileArchives, hostileTar, loadArchive, tarOf, tarOfFiles } from './hostile-tar.js';
import { hostileCall, type HostileJudge } from './hostile-check.js';
import type { DaemonUnderTest } from './daemon-under-test.js';
import type { Report } from './report.js';

const v = '/v1.47';
const TAR = { 'Content-Type': 'application/x-tar' };

async function createStarted(sock: string, name: string, cmd: string[]): Promise<string> {
  const c = await call(sock, 'POST', `${v}/containers/create?name=${name}`, { Image: 'busybox', Cmd: cmd, HostConfig: { NetworkMode: 'none' } });
  if (c.status !== 201) throw new Error(`create ${name}: ${c.status} ${c.body}`);
  const id = (JSON.parse(c.body.toString()) as { Id: string }).Id;
  const s = await call(sock, 'POST', `${v}/containers/${id}/start`);
  if (s.status !== 204) throw new Error(`start ${name}: ${s.status} ${s.body}`);
  return id;
}

/** The whole filesystem of a container made from `ref` (as a tar), to look for the secret; undefined if there is no such image. */
async function imageContent(sock: string, ref: string): Promise<Buffer | undefined> {
  const c = await call(sock, 'POST', `${v}/containers/create`, { Image: ref, Cmd: ['true'] }).catch(() => undefined);
  if (c?.status !== 201) return undefined;
  const id = (JSON.parse(c.body.toString()) as { Id: string }).Id;
  try {
    const a = await call(sock, 'GET', `${v}/containers/${id}/archive?path=/`, undefined, { limit: 64 << 20 });
    return a.body;
  } finally { await call(sock, 'DELETE', `${v}/containers/${id}?force=1`).catch(() => undefined); }
}

export async function runHostileArchives(dut: DaemonUnderTest, report: Report, judge: HostileJudge, o: { swapMs: number }): Promise<void> {
  const sock = dut.sock;
  const canary = judge.canary;
  const victim = await createStarted(sock, 'torture-victim', ['sleep', '600']);
  const victimFiles = async (path: string) => (await call(sock, 'GET', `${v}/containers/${victim}/archive?path=${encodeURIComponent(path)}`, undefined, { limit: 64 << 20 }).catch(() => undefined))?.body;
  const track = <T>(label: string, fn: () => Promise<T>) => dut.track(`D ${label}`, fn);

  for (const [i, a] of hostileArchives(canary.dir, canary.file).entries()) {
    const tar = hostileTar(a);
    for (const path of ['/tmp', '/']) {
      await track(`PUT archive ${path} ${a.name}`, async () => {
        const r = await hostileCall(sock, 'PUT', `${v}/containers/${victim}/archive?path=${encodeURIComponent(path)}`, { body: tar, headers: TAR });
        await judge.judge(`PUT /containers/{id}/archive?path=${path} with ${a.name}`, r, 'no-5xx', { leakBody: await victimFiles(path) });
      });
    }
    await track(`import ${a.name}`, async () => {
      const r = await hostileCall(sock, 'POST', `${v}/images/create?fromSrc=-&repo=torture-import&tag=h${i}`, { body: tar, headers: TAR });
      await judge.judge(`POST /images/create?fromSrc=- with ${a.name}`, r, 'no-5xx', { leakBody: r.status === 200 ? await imageContent(sock, `torture-import:h${i}`) : undefined });
    });
    await track(`load ${a.name}`, async () => {
      const r = await hostileCall(sock, 'POST', `${v}/images/load?quiet=1`, { body: loadArchive(tar, `torture-load:h${i}`), headers: TAR });
      await judge.judge(`POST /images/load with a layer of ${a.name}`, r, 'no-5xx', { leakBody: await imageContent(sock, `torture-load:h${i}`) });
    });
    await track(`load outer ${a.name}`, async () => {
      const r = await hostileCall(sock, 'POST', `${v}/images/load?quiet=1`, { body: loadArchive(tarOfFiles({ f: 'x' }), `torture-load-outer:h${i}`, {}, a.entries), headers: TAR });
      await judge.judge(`POST /images/load with outer entries of ${a.name}`, r, 'no-5xx', { leakBody: await imageContent(sock, `torture-load-outer:h${i}`) });
    });
    await track(`build ${a.name}`, async () => {
      const ctx = a.name === 'truncated' ? tar : tarOf([...a.entries, { name: 'Dockerfile', data: 'FROM busybox\nCOPY . /ctx/\nRUN ls -laR /ctx > /dev/null\n' }]);
      const r = await hostileCall(sock, 'POST', `${v}/build?t=torture-build:h${i}&rm=1&forcerm=1`, { body: ctx, headers: TAR });
      await judge.judge(`POST /build with a context of ${a.name}`, r, 'no-5xx', { leakBody: await imageContent(sock, `torture-build:h${i}`) });
    });
  }

  // hostile manifests of a docker-save archive: paths out of the archive
  const manifests: [string, Record<string, unknown>][] = [
    ['Config ../../etc/passwd', { Config: climb('/etc/passwd') }], ['Config absolute canary', { Config: canary.file }],
    ['Layers ../ canary', { Layers: [climb(canary.file)] }], ['Layers /etc/passwd', { Layers: ['/etc/passwd'] }],
    ['RepoTags ../../x', { RepoTags: ['../../x:y'] }], ['Layers a directory', { Layers: ['layer'] }],
  ];
  for (const [name, override] of manifests) {
    await track(`load manifest ${name}`, async () => {
      const r = await hostileCall(sock, 'POST', `${v}/images/load`, { body: loadArchive(tarOfFiles({ f: 'x' }), 'torture-manifest:x', override), headers: TAR });
      await judge.judge(`POST /images/load with manifest ${name}`, r, 'no-5xx', { leakBody: await imageContent(sock, 'torture-manifest:x') });
      await call(sock, 'DELETE', `${v}/images/torture-manifest:x?force=1`).catch(() => undefined);
    });
  }

  // build contexts that reach outside: COPY through a symlink, COPY ../, ADD of an absolute path, dockerfile=../
  const outside: [string, Parameters<typeof tarOf>[0], string][] = [
    ['COPY through a symlink to the canary dir', [{ name: 'esc', type: 'symlink', linkname: canary.dir }], 'COPY esc/canary.txt /leak'],
    ['COPY of a ../ path', [], `COPY ${climb(canary.file)} /leak`],
    ['ADD of an absolute host path', [], `ADD ${canary.file} /leak`],
    ['COPY --from a host path', [], `COPY --from=${canary.dir} canary.txt /leak`],
    ['COPY of a symlinked file', [{ name: 'lnk', type: 'symlink', linkname: canary.file }], 'COPY lnk /leak'],
  ];
  for (const [name, entries, line] of outside) {
    await track(`build ${name}`, async () => {
      const r = await hostileCall(sock, 'POST', `${v}/build?t=torture-outside:x&rm=1`, { body: tarOf([...entries, { name: 'Dockerfile', data: `FROM busybox\n${line}\n` }]), headers: TAR });
      await judge.judge(`POST /build with ${name}`, r, 'no-5xx', { leakBody: await imageContent(sock, 'torture-outside:x') });
      await call(sock, 'DELETE', `${v}/images/torture-outside:x?force=1`).catch(() => undefined);
    });
  }
  for (const df of [climb(canary.file), canary.file, '../Dockerfile']) {
    await track(`build dockerfile=${df}`, async () => {
      const r = await hostileCall(sock, 'POST', `${v}/build?dockerfile=${encodeURIComponent(df)}`, { body: tarOfFiles({ Dockerfile: 'FROM busybox\n' }), headers: TAR });
      await judge.judge(`POST /build?dockerfile=${df.length > 40 ? '../…' + df.slice(-30) : df}`, r, 'no-5xx');
    });
  }
  // archive paths that climb out of the container
  for (const p of [climb(canary.file), climb(canary.dir), `/proc/1/root${canary.dir}`, `/proc/self/root${canary.file}`]) {
    await track(`GET archive ${p}`, async () => judge.judge(`GET /containers/{id}/archive?path=${p.slice(-50)}`, await hostileCall(sock, 'GET', `${v}/containers/${victim}/archive?path=${encodeURIComponent(p)}`, { limit: 64 << 20 }), 'no-5xx'));
    await track(`PUT archive ${p}`, async () => judge.judge(`PUT /containers/{id}/archive?path=${p.slice(-50)}`, await hostileCall(sock, 'PUT', `${v}/containers/${victim}/archive?path=${encodeURIComponent(p)}`, { body: tarOfFiles({ 'put-through-path': 'escaped' }), headers: TAR }), 'no-5xx'));
  }
  await swapRace(dut, report, judge, o.swapMs);
}

/** A container swaps /w/x between a directory and a symlink to the canary dir while GET/PUT/HEAD archive run on it. */
async function swapRace(dut: DaemonUnderTest, report: Report, judge: HostileJudge, ms: number): Promise<void> {
  const sock = dut.sock;
  const dir = judge.canary.dir;
  const id = await createStarted(sock, 'torture-swapper', ['sh', '-c', `mkdir -p /w; while :; do rm -rf /w/x; mkdir -p /w/x/sub; rm -rf /w/x; ln -s ${dir} /w/x; done`]);
  const end = Date.now() + ms;
  let rounds = 0;
  const worker = async (kind: 'get' | 'put' | 'head' | 'get-file') => {
    while (Date.now() < end) {
      rounds++;
      await dut.track(`D swap race ${kind}`, async () => {
        if (kind === 'put') {
          const r = await hostileCall(sock, 'PUT', `${v}/containers/${id}/archive?path=/w/x`, { body: tarOfFiles({ 'swapped-in': 'escaped' }), headers: TAR });
          await judge.judge('PUT archive into a dir swapped for a symlink', r, 'no-5xx');
        } else {
          const path = kind === 'get-file' ? '/w/x/canary.txt' : '/w/x';
          const r = await hostileCall(sock, kind === 'head' ? 'HEAD' : 'GET', `${v}/containers/${id}/archive?path=${encodeURIComponent(path)}`, { limit: 64 << 20 });
          // HEAD has no body: a 4xx answer to it cannot carry {"message"}
          if (kind === 'head' && r.status !== undefined && r.status < 500) { report.count('D', 'inputsTried'); report.count('D', `status.${Math.floor(r.status / 100)}xx`); return; }
          await judge.judge(`${kind === 'head' ? 'HEAD' : 'GET'} archive of a path swapped for a symlink`, r, 'no-5xx');
        }
      });
    }
  };
  await Promise.all([worker('get'), worker('put'), worker('head'), worker('get-file')]);
  report.count('D', 'swapRaceRounds', rounds);
  await call(sock, 'DELETE', `${v}/containers/${id}?force=1`).catch(() => undefined);
}
