/**
 * cli/commands/container/create-common — shared by `run` and `create`: build
 * the request from flags (reading env/label files), create the container,
 * and pull the image as docker's CLI does: `--pull=missing` (default) pulls
 * after a 404 ("Unable to find image 'x:latest' locally") and retries,
 * `always` pulls first, `never` reports the 404. Pull progress goes to stderr.
 * Imports client, errdefs, cli.
 */
import { readFileSync } from 'node:fs';
import type { ContainerCreateResponse } from '../../../api/types.js';
import { isKind, invalidArgument } from '../../../errdefs/errors.js';
import type { CliContext } from '../../cli-context.js';
import type { CreateFlags } from '../../options/create-flags.js';
import { buildCreateRequest } from '../../options/create-config.js';
import { pullWithProgress } from '../image/pull.js';

/** Docker's familiar form with the default tag: "busybox" → "busybox:latest". */
export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

function readKvFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw invalidArgument(`open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, 'INVALID_PARAMETER', err);
  }
}

export async function createFromFlags(ctx: CliContext, flags: CreateFlags, image: string, args: string[]): Promise<ContainerCreateResponse> {
  const req = buildCreateRequest({ flags, image, args, env: ctx.env, readFile: readKvFile });
  const policy = flags.pull ?? 'missing';
  if (!['missing', 'always', 'never'].includes(policy)) throw invalidArgument(`invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
  const create = async () => {
    const res = await ctx.client().createContainer(req.config, { name: req.name, platform: req.platform });
    for (const w of res.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
    return res;
  };
  try {
    if (policy === 'always') await pullWithProgress(ctx, withDefaultTag(image), { platform: req.platform, out: ctx.stderr });
    try {
      return await create();
    } catch (err) {
      if (!isKind(err, 'not-found') || policy !== 'missing' || image.startsWith('sha256:')) throw err;
      ctx.stderr.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
      await pullWithProgress(ctx, withDefaultTag(image), { platform: req.platform, out: ctx.stderr });
      return await create();
    }
  } catch (err) {
    if (isKind(err, 'not-found') && policy === 'never') ctx.stderr.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    else if ((flags.interactive || flags.tty) && (isKind(err, 'not-implemented') || isKind(err, 'invalid-argument'))) {
      ctx.stderr.write('berth: interactive (-i) and TTY (-t) containers are not supported yet by this daemon\n');
    }
    throw err;
  }
}
