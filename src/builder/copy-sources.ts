/**
 * builder/copy-sources — COPY/ADD with Docker's rules: sources resolved
 * inside a source root (the context, or another stage's / image's rootfs),
 * globs (Go filepath.Match), escapes refused (`../x`, symlinks whose target
 * leaves the root), a content hash of everything copied (paths, types,
 * modes, sizes, link targets, bytes — not timestamps, which berth fixes
 * anyway) for the cache key, and the copy itself into a mounted rootfs
 * (directory-vs-file destination rules, --chown, --chmod, ADD's local tar
 * extraction).
 * Vocabulary: `root` = the source root on the host; `rootfs` = the
 * destination image's mounted tree.
 * May import: lib, errdefs, builder/*.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink, copyFile, mkdir, symlink, rm, chmod, lchown, open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { invalidArgument, notFound } from '../errdefs/errors.js';
import { secureJoin, secureMkdirAll } from '../lib/secure-join.js';
import { hasGlob, pathMatch } from './path-match.js';
import { extractTar } from './tar-extract.js';

export interface ResolvedSource {
  /** The source as written. */
  written: string;
  /** Path relative to the root after following links (no leading slash; '' = the root). */
  rel: string;
  /** Host path. */
  abs: string;
  stat: Stats;
  /** Downloaded by `ADD <url>`: copied as a file, never unpacked. */
  remote?: boolean;
}

const MAX_LINKS = 64;

/**
 * Follow `rel` inside `root`, refusing any step that leaves it: a `..` past
 * the top, an absolute link, or a relative link climbing out.
 */
export async function resolveInRoot(root: string, rel: string, what: string, written: string): Promise<string> {
  const forbidden = () => invalidArgument(`forbidden path outside the ${what}: ${written}`, 'PATH_OUTSIDE_CONTEXT');
  let pending = rel.split('/').filter((p) => p && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '..') { if (!done.length) throw forbidden(); done.pop(); continue; }
    const host = join(root, ...done, part);
    const st = await lstat(host).catch(() => undefined);
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links: ${written}`);
      const target = await readlink(host);
      if (target.startsWith('/')) throw invalidArgument(`forbidden path outside the ${what}: ${written} (a symlink to ${target})`, 'PATH_OUTSIDE_CONTEXT');
      // a relative target is resolved from the link's directory and must stay inside
      const parts = target.split('/').filter((p) => p && p !== '.');
      let depth = done.length;
      for (const p of parts) { if (p === '..') { if (--depth < 0) throw invalidArgument(`forbidden path outside the ${what}: ${written} (a symlink to ${target})`, 'PATH_OUTSIDE_CONTEXT'); } else depth++; }
      pending = [...parts, ...pending];
      continue;
    }
    done.push(part);
  }
  return done.join('/');
}

/** Resolve COPY/ADD sources under `root`. `what` names the root in errors ("build context", "stage build"). */
export async function resolveSources(root: string, sources: string[], what: string): Promise<ResolvedSource[]> {
  const out: ResolvedSource[] = [];
  for (const written of sources) {
    const norm = posix.normalize(written);
    if (norm === '..' || norm.startsWith('../')) {
      throw invalidArgument(`forbidden path outside the ${what}: ${written}`, 'PATH_OUTSIDE_CONTEXT');
    }
    const rel = norm.replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
    if (hasGlob(rel)) {
      const matches = await globInRoot(root, rel);
      for (const m of matches) {
        const r = await resolveInRoot(root, m, what, written);
        out.push({ written, rel: r, abs: join(root, r), stat: await lstat(join(root, r)) });
      }
      continue;
    }
    const r = await resolveInRoot(root, rel, what, written);
    const st = await lstat(join(root, r)).catch(() => undefined);
    if (!st) throw notFound(`failed to compute cache key: "/${rel}" not found: not found in the ${what}${what === 'build context' ? ' or excluded by .dockerignore' : ''}`, 'COPY_SOURCE_NOT_FOUND');
    out.push({ written, rel: r, abs: join(root, r), stat: st });
  }
  if (!out.length) throw notFound(`no source files were specified or matched: ${sources.join(' ')}`, 'COPY_SOURCE_NOT_FOUND');
  return out;
}

/** Paths under root matching a slash-separated glob, component by component, sorted. */
async function globInRoot(root: string, pattern: string): Promise<string[]> {
  const parts = pattern.split('/');
  let cur: string[] = [''];
  for (const [i, part] of parts.entries()) {
    const next: string[] = [];
    for (const dir of cur) {
      if (!hasGlob(part)) {
        const p = dir ? `${dir}/${part}` : part;
        if (await lstat(join(root, p)).catch(() => undefined)) next.push(p);
        continue;
      }
      const names = await readdir(join(root, dir)).catch(() => [] as string[]);
      for (const n of names.sort()) {
        if (!pathMatch(part, n)) continue;
        const p = dir ? `${dir}/${n}` : n;
        if (i < parts.length - 1) {
          const st = await lstat(join(root, p));
          if (!st.isDirectory()) continue;
        }
        next.push(p);
      }
    }
    cur = next;
  }
  return cur;
}

async function fileDigest(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * The content hash of resolved sources: every file below them with its
 * relative path, type, permission bits, size, link target and bytes.
 */
export async function hashSources(sources: ResolvedSource[]): Promise<string> {
  const h = createHash('sha256');
  const visit = async (abs: string, rel: string, st: Stats) => {
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) h.update(`L\0${rel}\0${await readlink(abs)}\n`);
    else if (st.isFile()) h.update(`F\0${rel}\0${mode}\0${st.size}\0${await fileDigest(abs)}\n`);
    else if (st.isDirectory()) {
      h.update(`D\0${rel}\0${mode}\n`);
      for (const n of (await readdir(abs)).sort()) await visit(join(abs, n), `${rel}/${n}`, await lstat(join(abs, n)));
    } else h.update(`O\0${rel}\0${mode}\n`);
  };
  for (const s of sources) {
    h.update(`S\0${s.written}\n`);
    await visit(s.abs, s.rel, s.stat);
  }
  return `sha256:${h.digest('hex')}`;
}

export interface CopyOptions {
  /** Absolute destination path inside the rootfs (WORKDIR already applied). */
  dest: string;
  /** The destination was written with a trailing slash (or is `.`-like). */
  destIsDir: boolean;
  owner: { uid: number; gid: number };
  chmod?: number;
  /** ADD: unpack local tar archives into the destination directory. */
  unpack?: boolean;
}

async function isTarArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return true; // gzip (tar.gz)
    return bytesRead >= 262 && buf.toString('latin1', 257, 262) === 'ustar';
  } finally {
    await fh.close();
  }
}

/** Copy resolved sources into `rootfs` with Docker's COPY/ADD rules. */
export async function copyIntoRootfs(rootfs: string, sources: ResolvedSource[], o: CopyOptions): Promise<void> {
  const multi = sources.length > 1 || sources.some((s) => hasGlob(s.written));
  if (sources.length > 1 && !o.destIsDir) {
    throw invalidArgument('When using COPY with more than one source file, the destination must be a directory and end with a /', 'INVALID_PARAMETER');
  }
  const destHost = await secureJoin(rootfs, o.dest);
  const destStat = await lstat(destHost).catch(() => undefined);
  const destIsDir = o.destIsDir || multi || !!destStat?.isDirectory();
  const mkParents = (p: string) => secureMkdirAll(rootfs, p, 0o755, o.owner);

  for (const s of sources) {
    let st = s.stat;
    if (st.isSymbolicLink()) st = await lstat(s.abs); // resolveInRoot already followed links; keep types honest
    if (st.isDirectory()) {
      await mkParents(o.dest);
      await copyTree(rootfs, s.abs, o.dest, o);
      continue;
    }
    if (o.unpack && !s.remote && st.isFile() && (await isTarArchive(s.abs))) {
      await mkParents(o.dest);
      await extractTar(createReadStream(s.abs), await secureJoin(rootfs, o.dest), o.owner.uid || o.owner.gid ? { owner: o.owner } : { keepOwners: true });
      continue;
    }
    const target = destIsDir ? posix.join(o.dest, posix.basename(s.rel || s.written)) : o.dest;
    await mkParents(posix.dirname(target));
    await copyEntry(rootfs, s.abs, st, target, o);
  }
}

async function copyTree(rootfs: string, srcDir: string, destDir: string, o: CopyOptions): Promise<void> {
  for (const n of (await readdir(srcDir)).sort()) {
    const abs = join(srcDir, n);
    const st = await lstat(abs);
    const target = posix.join(destDir, n);
    if (st.isDirectory()) {
      const host = await secureJoin(rootfs, target);
      const ex = await lstat(host).catch(() => undefined);
      if (ex && !ex.isDirectory()) await rm(host, { recursive: true, force: true });
      if (!ex || !ex.isDirectory()) await mkdir(host);
      await chmod(host, o.chmod ?? (st.mode & 0o7777));
      await lchown(host, o.owner.uid, o.owner.gid);
      await copyTree(rootfs, abs, target, o);
    } else {
      await copyEntry(rootfs, abs, st, target, o);
    }
  }
}

async function copyEntry(rootfs: string, abs: string, st: Stats, target: string, o: CopyOptions): Promise<void> {
  // Resolve the parent inside the rootfs (links there are followed, within the rootfs), keep the last name literal.
  const parent = await secureJoin(rootfs, posix.dirname(target));
  const host = join(parent, posix.basename(target));
  const ex = await lstat(host).catch(() => undefined);
  if (ex && (ex.isDirectory() || ex.isSymbolicLink() || !st.isFile())) await rm(host, { recursive: true, force: true });
  if (st.isSymbolicLink()) {
    await symlink(await readlink(abs), host);
    await lchown(host, o.owner.uid, o.owner.gid);
    return;
  }
  if (!st.isFile()) return; // devices, sockets, fifos in a context are skipped
  await copyFile(abs, host);
  await chmod(host, o.chmod ?? (st.mode & 0o7777));
  await lchown(host, o.owner.uid, o.owner.gid);
}
