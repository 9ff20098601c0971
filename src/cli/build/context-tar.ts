/**
 * cli/build/context-tar — the build context as the docker CLI sends it: the
 * directory as a tar, minus what `.dockerignore` excludes (the Dockerfile and
 * .dockerignore themselves are always sent so the daemon can read them),
 * entries sorted, owners zeroed. A Dockerfile from outside the context (or
 * from stdin) is added under a generated name. Imports lib.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { createIgnoreMatcher, parseDockerignore } from '../../lib/dockerignore.js';

export interface ContextTar {
  stream: Readable;
  /** The `dockerfile` parameter to send (a path inside the context). */
  dockerfile: string;
  files: number;
  bytes: number;
}

interface Item { rel: string; abs: string; kind: 'dir' | 'file' | 'symlink'; mode: number; size: number }

/**
 * `dir`: the context directory (null: empty context, Dockerfile from stdin).
 * `dockerfile`: -f as given (relative to cwd), or undefined for `<dir>/Dockerfile`.
 * `dockerfileText`: the Dockerfile's content when read from stdin.
 */
export async function makeContextTar(dir: string | null, opts: { dockerfile?: string; dockerfileText?: string } = {}): Promise<ContextTar> {
  const items: Item[] = [];
  let dockerfile = 'Dockerfile';
  let extra: { name: string; text: string } | undefined;
  if (dir) {
    const root = resolve(dir);
    const st = await lstat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new Error(`unable to prepare context: path "${dir}" not found`);
    if (opts.dockerfile && opts.dockerfileText === undefined) {
      const abs = resolve(opts.dockerfile);
      const rel = relative(root, abs);
      if (rel.startsWith('..') || rel.startsWith(sep)) extra = { name: `.dockerfile.${randomBytes(10).toString('hex')}`, text: await readFile(abs, 'utf8') };
      else dockerfile = rel.split(sep).join('/');
    }
    const ignoreText = await readFile(join(root, '.dockerignore'), 'utf8').catch(() => '');
    const m = createIgnoreMatcher(parseDockerignore(ignoreText));
    const always = new Set([dockerfile, '.dockerignore']);
    const walk = async (rel: string) => {
      for (const name of (await readdir(join(root, rel))).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const abs = join(root, r);
        const s = await lstat(abs);
        const ignored = !always.has(r) && m.ignores(r);
        if (ignored && !(s.isDirectory() && m.hasExceptions)) continue;
        if (s.isDirectory()) {
          if (!ignored) items.push({ rel: r, abs, kind: 'dir', mode: s.mode & 0o7777, size: 0 });
          await walk(r);
        } else if (!ignored && s.isFile()) items.push({ rel: r, abs, kind: 'file', mode: s.mode & 0o7777, size: s.size });
        else if (!ignored && s.isSymbolicLink()) items.push({ rel: r, abs, kind: 'symlink', mode: 0o777, size: 0 });
      }
    };
    await walk('');
  }
  if (opts.dockerfileText !== undefined) extra = { name: `.dockerfile.${randomBytes(10).toString('hex')}`, text: opts.dockerfileText };
  if (extra) dockerfile = extra.name;

  const pack = tar.pack();
  let bytes = 0;
  const mtime = new Date(0);
  void (async () => {
    const put = (h: Parameters<typeof pack.entry>[0], body?: Buffer | string) =>
      new Promise<void>((res, rej) => { pack.entry(h, body ?? '', (e) => (e ? rej(e) : res())); });
    for (const it of items) {
      if (it.kind === 'dir') await put({ name: `${it.rel}/`, type: 'directory', mode: it.mode, mtime });
      else if (it.kind === 'symlink') await put({ name: it.rel, type: 'symlink', linkname: await readlink(it.abs), mode: 0o777, mtime });
      else {
        await new Promise<void>((res, rej) => {
          const e = pack.entry({ name: it.rel, type: 'file', mode: it.mode, size: it.size, mtime }, (err) => (err ? rej(err) : res()));
          const src = createReadStream(it.abs);
          src.on('error', (err) => { e.destroy(err); rej(err); });
          src.pipe(e);
        });
        bytes += it.size;
      }
    }
    if (extra) { await put({ name: extra.name, type: 'file', mode: 0o600, mtime }, extra.text); bytes += Buffer.byteLength(extra.text); }
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return { stream: pack as unknown as Readable, dockerfile, files: items.filter((i) => i.kind !== 'dir').length + (extra ? 1 : 0), bytes: bytes || items.reduce((n, i) => n + i.size, 0) + (extra ? Buffer.byteLength(extra.text) : 0) };
}
