/**
 * cli/streams/local-tar — the CLI's half of `cp`: tar a local path (entries
 * named after `name`, so `dir/.` sends `./…`, the contents), and extract a
 * tar under a local directory, renaming the top entry (`rebase`) as docker's
 * CopyTo does. Entries may not climb out with `..` or through links the
 * archive itself planted. Returns byte counts for "Successfully copied".
 * Imports errdefs, tar-stream.
 */
import { lstat, stat, readdir, readlink, mkdir, open, rm, symlink, link, chmod, utimes, lutimes, lchown } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { invalidArgument } from '../../errdefs/errors.js';

export interface PackResult { tar: Readable; done: Promise<number> }

/** Tar `path` as `name` (follow a top-level link when `followLink`). */
export function packLocal(path: string, name: string, o: { followLink?: boolean } = {}): PackResult {
  const pack = tar.pack();
  const out = new PassThrough();
  // a read failure reaches the caller through `done`; the destroyed stream only ends the upload
  out.on('error', () => {});
  pack.on('error', () => {});
  pack.pipe(out);
  let bytes = 0;
  const put = (h: Partial<tar.Header> & { name: string }, body?: Readable) => new Promise<void>((resolve, reject) => {
    const w = pack.entry(h as tar.Header, (err) => (err ? reject(err) : resolve()));
    if (body) { body.on('error', reject); body.pipe(w); } else w.end(Buffer.alloc(0));
  });
  const walk = async (p: string, n: string, st: Stats): Promise<void> => {
    const common = { name: n, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      await put({ ...common, type: 'directory' });
      for (const c of (await readdir(p)).sort()) await walk(join(p, c), `${n}/${c}`, await lstat(join(p, c)));
    } else if (st.isSymbolicLink()) {
      await put({ ...common, type: 'symlink', linkname: await readlink(p) });
    } else if (st.isFile()) {
      bytes += st.size;
      if (st.size === 0) { await put({ ...common, type: 'file', size: 0 }); return; }
      const fh = await open(p, constants.O_RDONLY);
      try { await put({ ...common, type: 'file', size: st.size }, fh.createReadStream({ autoClose: false, start: 0, end: st.size - 1 })); } finally { await fh.close(); }
    }
  };
  const done = (async () => {
    try {
      await walk(path, name, o.followLink ? await stat(path) : await lstat(path));
      pack.finalize();
      return bytes;
    } catch (err) {
      pack.destroy(err as Error);
      out.destroy(err as Error);
      throw err;
    }
  })();
  done.catch(() => undefined);
  return { tar: out, done };
}

function cleanName(name: string): string {
  const p = posix.normalize(name.replace(/^\/+/, ''));
  if (p === '..' || p.startsWith('../')) throw invalidArgument(`archive entry ${JSON.stringify(name)} is outside of the destination`);
  return p === '.' ? '' : p.replace(/\/+$/, '');
}

/** Rename the top entry `from` (and everything under it) to `to`. */
export function rebaseName(name: string, from: string, to: string): string {
  // a whole root comes as "/", "/bin/", "/bin/sh"… (dockerd; older berthd: "./", "./bin/")
  if (from === '/') { const rest = name.replace(/^(\.?\/)+/, ''); return rest ? `${to}/${rest}` : to; }
  const n = name.replace(/^\.\/(?=.)/, from === '.' ? './' : '');
  if (from === '.') return n === '.' || n === './' ? to : n.startsWith('./') ? `${to}/${n.slice(2)}` : `${to}/${n}`;
  if (n === from || n === `${from}/`) return to;
  if (n.startsWith(`${from}/`)) return `${to}/${n.slice(from.length + 1)}`;
  return n;
}

/** Extract `input` under the existing directory `into`; returns the bytes of file content written. */
export async function extractLocal(input: Readable, into: string, rebase?: { from: string; to: string }): Promise<number> {
  const extract = tar.extract();
  let bytes = 0;
  const handle = async (h: tar.Header, body: Readable) => {
    const rel = cleanName(rebase ? rebaseName(h.name, rebase.from, rebase.to) : h.name);
    if (!rel) { body.resume(); return; }
    // never write through a link (one the archive may have planted)
    let cur = into;
    for (const part of posix.dirname(rel).split('/').filter((x) => x && x !== '.')) {
      cur = join(cur, part);
      const st = await lstat(cur).catch(() => undefined);
      if (st?.isSymbolicLink()) throw invalidArgument(`archive entry ${JSON.stringify(h.name)} would be written through a symbolic link`);
      if (!st) await mkdir(cur, { mode: 0o755 });
    }
    const target = join(into, rel);
    const existing = await lstat(target).catch(() => undefined);
    if (existing && !(existing.isDirectory() && h.type === 'directory')) await rm(target, { recursive: true, force: true });
    const mode = (h.mode ?? 0o644) & 0o7777;
    const mtime = h.mtime ?? new Date();
    if (h.type === 'directory') {
      if (!existing?.isDirectory()) await mkdir(target, { mode: 0o755 });
    } else if (h.type === 'file' || h.type === 'contiguous-file') {
      const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try { for await (const c of body) { await fh.write(c as Buffer); bytes += (c as Buffer).length; } } finally { await fh.close(); }
    } else if (h.type === 'link') {
      // a hard link to an entry extracted before (same rebasing, same containment rules)
      const lrel = cleanName(rebase ? rebaseName(h.linkname ?? '', rebase.from, rebase.to) : h.linkname ?? '');
      let lcur = into;
      for (const part of lrel.split('/').filter(Boolean).slice(0, -1)) {
        lcur = join(lcur, part);
        if ((await lstat(lcur).catch(() => undefined))?.isSymbolicLink()) throw invalidArgument(`hard link ${JSON.stringify(h.name)} points through a symbolic link`);
      }
      await link(join(into, lrel), target);
      body.resume();
      return;
    } else if (h.type === 'symlink') {
      await symlink(h.linkname ?? '', target);
      body.resume();
      await lutimes(target, mtime, mtime).catch(() => {});
      return;
    } else { body.resume(); return; }
    body.resume();
    if (process.getuid?.() === 0) await lchown(target, h.uid ?? 0, h.gid ?? 0).catch(() => {});
    await chmod(target, mode);
    await utimes(target, mtime, mtime);
  };
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, s, next) => { handle(h, s as unknown as Readable).then(() => next(), (e) => { (s as unknown as Readable).resume(); extract.destroy(e); }); });
    extract.on('finish', resolve);
    extract.on('error', reject);
    input.on('error', reject);
    input.pipe(extract);
  });
  return bytes;
}
