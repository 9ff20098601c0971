/**
 * test/torture/consistency — after berthd was killed (-9) and started again
 * on the same roots: every listed container inspectable, none stuck in
 * removing/dead, "running" ones really running, acknowledged work kept
 * (creates, starts, pulls, builds) and acknowledged removals gone; every
 * listed image inspectable by ID and by each of its tags, its config blob
 * present, runnable (`true` exits 0); images that a tag resolves to are
 * listed. An acknowledgement is a complete answer that reached the client
 * before the kill.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { call } from './raw-http.js';
import type { DaemonUnderTest } from './daemon-under-test.js';
import type { Report } from './report.js';

const v = '/v1.47';

/** What the clients were told before the kill. */
export class Acks {
  /** container name → the last acknowledged fact about it ('unknown': a removal was sent but not answered) */
  readonly containers = new Map<string, 'created' | 'started' | 'removed' | 'unknown'>();
  /** image ref → present or removed ('unknown': a removal was sent but not answered) */
  readonly images = new Map<string, 'present' | 'removed' | 'unknown'>();
  /** refs whose pull or build was cut by the kill (to be done again) */
  readonly interrupted = new Set<string>();
}

interface ContainerInspect { Id: string; Name: string; State: { Status: string; Pid: number; Running: boolean }; Config: { Cmd: string[] } }
interface ImageSummary { Id: string; RepoTags: string[] | null }

export async function checkConsistency(dut: DaemonUnderTest, report: Report, acks: Acks, cycle: string): Promise<void> {
  const sock = dut.sock;
  const fail = (kind: string, message: string) => report.fail({ phase: 'C', kind, message: `${message} (after kill -9 ${cycle})`, op: cycle });
  report.count('C', 'consistencyChecks');

  // --- containers -------------------------------------------------------
  const list = await call(sock, 'GET', `${v}/containers/json?all=1`);
  if (list.status !== 200) { fail('list-failed', `GET /containers/json → ${list.status} ${list.body}`); return; }
  const listed = JSON.parse(list.body.toString()) as { Id: string; Names: string[] }[];
  const byName = new Map<string, ContainerInspect>();
  for (const c of listed) {
    report.count('C', 'containersChecked');
    const r = await call(sock, 'GET', `${v}/containers/${c.Id}/json`);
    if (r.status !== 200) { fail('uninspectable-container', `listed container ${c.Id.slice(0, 12)} ${c.Names[0]}: inspect → ${r.status} ${r.body.toString().slice(0, 200)}`); continue; }
    const j = JSON.parse(r.body.toString()) as ContainerInspect;
    byName.set(j.Name.replace(/^\//, ''), j);
    if (['removing', 'dead'].includes(j.State.Status)) fail('stuck-container', `container ${j.Name} is "${j.State.Status}"`);
    if (j.State.Status === 'running' && !(j.State.Pid > 0 && existsSync(`/proc/${j.State.Pid}`))) fail('ghost-running', `container ${j.Name} is "running" with pid ${j.State.Pid}, which does not exist`);
  }
  for (const [name, fact] of acks.containers) {
    const c = byName.get(name);
    if (fact === 'unknown') continue;
    if (fact === 'removed') { if (c) fail('resurrected-container', `container ${name} was removed (204) but is listed again (${c.State.Status})`); continue; }
    if (!c) { fail('lost-container', `container ${name} was ${fact} (acknowledged) but is not listed`); continue; }
    // a container whose start was acknowledged is never "created" again; a sleeper must have been re-adopted
    if (fact === 'started' && c.State.Status === 'created') fail('lost-start', `container ${name} was started (204) but is "created"`);
    else if (fact === 'started' && c.Config.Cmd?.[0] === 'sleep' && c.State.Status !== 'running') fail('not-readopted', `container ${name} (sleep) was started but is "${c.State.Status}"`);
  }

  // --- images -------------------------------------------------------------
  const il = await call(sock, 'GET', `${v}/images/json`);
  if (il.status !== 200) { fail('list-failed', `GET /images/json → ${il.status}`); return; }
  const images = JSON.parse(il.body.toString()) as ImageSummary[];
  const tags = new Map<string, string>();
  for (const img of images) {
    report.count('C', 'imagesChecked');
    const r = await call(sock, 'GET', `${v}/images/${img.Id}/json`);
    if (r.status !== 200) { fail('half-registered-image', `listed image ${img.Id.slice(7, 19)} ${JSON.stringify(img.RepoTags)}: inspect → ${r.status}`); continue; }
    if (!existsSync(join(dut.d.dataRoot, 'content', 'blobs', 'sha256', img.Id.replace(/^sha256:/, '')))) fail('half-registered-image', `image ${img.Id.slice(7, 19)} ${JSON.stringify(img.RepoTags)} is listed but its config blob is missing`);
    for (const t of img.RepoTags ?? []) {
      tags.set(t, img.Id);
      const byTag = await call(sock, 'GET', `${v}/images/${encodeURIComponent(t)}/json`);
      const id = byTag.status === 200 ? (JSON.parse(byTag.body.toString()) as { Id: string }).Id : `status ${byTag.status}`;
      if (id !== img.Id) fail('image-list-mismatch', `tag ${t} is listed on ${img.Id.slice(7, 19)} but inspect by tag gives ${id.slice(0, 19)}`);
    }
    const ran = await runsTrue(sock, img.Id);
    report.count('C', 'imagesRun');
    if (ran !== 0) fail('image-not-runnable', `image ${img.Id.slice(7, 19)} ${JSON.stringify(img.RepoTags)}: \`true\` gave ${ran}`);
  }
  for (const [ref, fact] of acks.images) {
    const present = tags.has(ref.includes(':') ? ref : `${ref}:latest`);
    if (fact === 'present' && !present) fail('lost-image', `image ${ref} was pulled/built (acknowledged) but is not listed`);
    if (fact === 'removed' && present) fail('resurrected-image', `image ${ref} was removed (acknowledged) but is listed again`);
  }
  // tags resolving to images the list does not show
  for (const ref of acks.interrupted) {
    const r = await call(sock, 'GET', `${v}/images/${encodeURIComponent(ref)}/json`);
    if (r.status === 200 && !tags.has(ref)) fail('image-list-mismatch', `${ref} inspects (${(JSON.parse(r.body.toString()) as { Id: string }).Id.slice(7, 19)}) but is not in the image list`);
  }
}

/** Create, start and wait for `true` in `image`: its exit code, or what went wrong. */
export async function runsTrue(sock: string, image: string): Promise<number | string> {
  const c = await call(sock, 'POST', `${v}/containers/create`, { Image: image, Cmd: ['true'], Entrypoint: [] });
  if (c.status !== 201) return `create ${c.status}: ${c.body.toString().slice(0, 200)}`;
  const id = (JSON.parse(c.body.toString()) as { Id: string }).Id;
  try {
    const s = await call(sock, 'POST', `${v}/containers/${id}/start`);
    if (s.status !== 204) return `start ${s.status}: ${s.body.toString().slice(0, 200)}`;
    const w = await call(sock, 'POST', `${v}/containers/${id}/wait`, undefined, { timeoutMs: 30000 });
    return (JSON.parse(w.body.toString()) as { StatusCode: number }).StatusCode;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await call(sock, 'DELETE', `${v}/containers/${id}?force=1`).catch(() => undefined);
  }
}
