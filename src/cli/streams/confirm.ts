/**
 * cli/streams/confirm — docker's prune prompt: print the warning and
 * "Are you sure you want to continue? [y/N] ", read one line from stdin,
 * true only for y/yes. EOF or anything else is no. Imports cli-context.
 */
import type { CliContext } from '../cli-context.js';

export async function confirm(ctx: CliContext, warning: string): Promise<boolean> {
  ctx.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer | string) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) { done(buf.slice(0, i)); }
    };
    const done = (s: string) => {
      ctx.stdin.off('data', onData);
      ctx.stdin.off('end', onEnd);
      ctx.stdin.pause();
      resolve(s);
    };
    const onEnd = () => done(buf);
    ctx.stdin.on('data', onData);
    ctx.stdin.once('end', onEnd);
    ctx.stdin.resume();
  });
  const answer = line.trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') { ctx.stdout.write('\n'); return false; }
  return true;
}
