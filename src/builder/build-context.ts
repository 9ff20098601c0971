/**
 * builder/build-context — the build context a client sends to `POST /build`:
 * a tar (plain or gzip) unpacked into a private directory, the Dockerfile
 * read from it (`dockerfile` option, default `Dockerfile`, falling back to
 * `dockerfile` as Docker does), and `.dockerignore` applied on the daemon
 * side too (the docker CLI already filters; other API clients may not).
 * May import: lib, errdefs.
 */
import { mkdir, readFile, readdir, rm, lstat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument, notFound } from '../errdefs/errors.js';
import { secureJoin } from '../lib/secure-join.js';
import { createIgnoreMatcher, parseDockerignore } from '../lib/dockerignore.js';
import { extractTar } from './tar-extract.js';

export interface BuildContext {
  /** Host directory holding the context files. */
  dir: string;
  dockerfile: string;
  /** The Dockerfile's path inside the context, as used. */
  dockerfilePath: string;
  /** Remove the context directory. */
  close(): Promise<void>;
}

export async function openContext(source: Readable, opts: { dir: string; dockerfile?: string }): Promise<BuildContext> {
  const dir = opts.dir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    await extractTar(source, dir, { what: 'build context' });
    let path = opts.dockerfile || 'Dockerfile';
    const norm = posix.normalize(path);
    if (norm === '..' || norm.startsWith('../') || path.startsWith('/')) {
      throw invalidArgument(`the Dockerfile (${path}) must be within the build context`, 'INVALID_CONTEXT');
    }
    let text = await readFile(await secureJoin(dir, norm), 'utf8').catch(() => undefined);
    if (text === undefined && !opts.dockerfile) {
      text = await readFile(await secureJoin(dir, 'dockerfile'), 'utf8').catch(() => undefined);
      if (text !== undefined) path = 'dockerfile';
    }
    if (text === undefined) throw notFound(`Cannot locate specified Dockerfile: ${path}`, 'NO_DOCKERFILE');
    const ignoreText = await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => undefined);
    if (ignoreText !== undefined) await applyIgnore(dir, parseDockerignore(ignoreText));
    return { dir, dockerfile: text, dockerfilePath: path, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Delete what .dockerignore excludes (Dockerfile and .dockerignore included when listed, as Docker does). */
async function applyIgnore(root: string, patterns: string[]): Promise<void> {
  if (!patterns.length) return;
  const m = createIgnoreMatcher(patterns);
  const walk = async (rel: string) => {
    for (const name of await readdir(join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, r));
      if (m.ignores(r)) {
        if (st.isDirectory() && m.hasExceptions) await walk(r);
        else await rm(join(root, r), { recursive: true, force: true });
      } else if (st.isDirectory()) await walk(r);
    }
  };
  await walk('');
}
