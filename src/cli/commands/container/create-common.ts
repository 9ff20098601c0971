/**
 * cli/commands/container/create-common — shared by `run` and `create`: build
 * the request from flags (reading env/label files), create the container,
 * and on a 404 say "Unable to find image 'x:latest' locally" first, as
 * docker does before it would pull (pulling is a later feature).
 * Imports client, errdefs, cli.
 */
import { readFileSync } from 'node:fs';
import type { ContainerCreateResponse } from '../../../api/types.js';
import { isKind, invalidArgument } from '../../../errdefs/errors.js';
import type { CliContext } from '../../cli-context.js';
import type { CreateFlags } from '../../options/create-flags.js';
import { buildCreateRequest } from '../../options/create-config.js';

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
  try {
    const res = await ctx.client().createContainer(req.config, { name: req.name, platform: req.platform });
    for (const w of res.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
    return res;
  } catch (err) {
    if (isKind(err, 'not-found')) ctx.stderr.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    else if ((flags.interactive || flags.tty) && (isKind(err, 'not-implemented') || isKind(err, 'invalid-argument'))) {
      ctx.stderr.write('berth: interactive (-i) and TTY (-t) containers are not supported yet by this daemon\n');
    }
    throw err;
  }
}
