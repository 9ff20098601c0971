/**
 * cli/commands/system/inspect-objects — the engine behind `inspect`,
 * `container inspect` and `image inspect`: fetch each object (a container,
 * else an image when the type is open), print a 4-space-indented JSON array
 * or each object through `-f`, then report the ones not found (status 1).
 * Imports client, errdefs, cli.
 */
import { isKind } from '../../../errdefs/errors.js';
import type { CliContext } from '../../cli-context.js';
import { StatusError, errorText } from '../../cli-errors.js';
import { parseFormat, renderTemplate } from '../../format/template.js';

export type ObjectType = 'container' | 'image' | 'volume' | undefined;

export async function inspectObjects(ctx: CliContext, refs: string[], o: { type: ObjectType; format?: string; size?: boolean }): Promise<void> {
  const client = ctx.client();
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      if (o.type === 'image') found.push(await client.inspectImage(ref));
      else if (o.type === 'volume') found.push(await client.inspectVolume(ref));
      else if (o.type === 'container') found.push(await client.inspectContainer(ref, { size: o.size }));
      else {
        try {
          found.push(await client.inspectContainer(ref, { size: o.size }));
        } catch (err) {
          if (!isKind(err, 'not-found')) throw err;
          try {
            found.push(await client.inspectImage(ref));
          } catch (e) {
            if (!isKind(e, 'not-found')) throw e;
            found.push(await client.inspectVolume(ref));
          }
        }
      }
    } catch (err) {
      if (!isKind(err, 'not-found')) errors.push(errorText(err));
      else errors.push(`Error: No such ${o.type ?? 'object'}: ${ref}`);
    }
  }
  if (o.format) {
    const { body } = parseFormat(o.format);
    for (const obj of found) ctx.print(renderTemplate(body, obj));
  } else {
    ctx.print(JSON.stringify(found, null, 4));
  }
  if (errors.length) throw new StatusError(1, errors.join('\n'));
}
