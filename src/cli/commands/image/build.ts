/**
 * cli/commands/image/build — `berth build [OPTIONS] PATH | -`: pack the
 * context (honouring .dockerignore, reporting its size), POST /build, and
 * show each step with its timing (cli/build/step-view). `-` reads the
 * Dockerfile from stdin with an empty context; `-f -` reads it from stdin
 * with PATH as context. A failed RUN exits with the step's exit code.
 * Imports cli, client, lib.
 */
import { writeFile } from 'node:fs/promises';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { StatusError } from '../../cli-errors.js';
import { makeContextTar } from '../../build/context-tar.js';
import { StepView } from '../../build/step-view.js';

const collect = (v: string, p: string[]) => [...p, v];

async function readStdin(ctx: CliContext): Promise<string> {
  if (ctx.stdin.isTTY) throw new Error('requested the Dockerfile from stdin, but stdin is a terminal');
  let s = '';
  for await (const c of ctx.stdin) s += typeof c === 'string' ? c : (c as Buffer).toString('utf8');
  return s;
}

function humanSize(n: number): string {
  if (n < 1000) return `${n}B`;
  const u = ['kB', 'MB', 'GB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(v < 10 ? 2 : 1)}${u[i]}`;
}

export function buildCommand(ctx: CliContext, name = 'build'): BerthCommand {
  return new BerthCommand(name)
    .description('Build an image from a Dockerfile')
    .argument('<path|->')
    .option('-t, --tag <name>', 'Name and optionally a tag in the "name:tag" format', collect, [])
    .option('-f, --file <string>', 'Name of the Dockerfile (default: "PATH/Dockerfile"; "-" reads stdin)')
    .option('--build-arg <list>', 'Set build-time variables', collect, [])
    .option('--label <list>', 'Set metadata for an image', collect, [])
    .option('--target <string>', 'Set the target build stage to build')
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--network <string>', 'Set the networking mode for the RUN instructions during build', 'default')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--iidfile <string>', 'Write the image ID to the file')
    .action(async (path: string, o: {
      tag: string[]; file?: string; buildArg: string[]; label: string[]; target?: string; cache: boolean; pull?: boolean;
      quiet?: boolean; network: string; platform?: string; iidfile?: string;
    }) => {
      const started = performance.now();
      let ctxTar;
      if (path === '-') ctxTar = await makeContextTar(null, { dockerfileText: await readStdin(ctx) });
      else if (o.file === '-') ctxTar = await makeContextTar(path, { dockerfileText: await readStdin(ctx) });
      else ctxTar = await makeContextTar(path, { dockerfile: o.file });

      const buildArgs: Record<string, string | null> = {};
      for (const a of o.buildArg) {
        const i = a.indexOf('=');
        if (i > 0) buildArgs[a.slice(0, i)] = a.slice(i + 1);
        else buildArgs[a] = ctx.env[a] ?? null; // docker: `--build-arg NAME` takes the value from the environment
      }
      const sde = ctx.env.SOURCE_DATE_EPOCH;
      if (sde && !('SOURCE_DATE_EPOCH' in buildArgs)) buildArgs.SOURCE_DATE_EPOCH = sde;
      const labels: Record<string, string> = {};
      for (const l of o.label) { const i = l.indexOf('='); labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1); }

      const out = (s: string) => { ctx.stderr.write(s); };
      if (!o.quiet) out(`Sending build context to berthd: ${ctxTar.files} files, ${humanSize(ctxTar.bytes)}\n`);
      const messages = await ctx.client().build(ctxTar.stream, {
        tags: o.tag, dockerfile: ctxTar.dockerfile, buildArgs, labels, target: o.target, noCache: !o.cache, pull: o.pull,
        quiet: o.quiet, network: o.network === 'default' ? undefined : o.network, platform: o.platform,
      });
      const view = new StepView({ write: (s) => { ctx.stdout.write(s); } });
      let id: string | undefined;
      for await (const m of messages) {
        if (m.errorDetail || m.error) {
          view.end();
          const msg = m.errorDetail?.message ?? m.error ?? 'build failed';
          throw new StatusError(m.errorDetail?.code || 1, msg);
        }
        if (m.aux && typeof m.aux.ID === 'string') id = m.aux.ID;
        else if (m.stream && !o.quiet) view.push(m.stream);
      }
      view.end();
      if (!id) throw new Error('the daemon did not report the built image ID');
      if (o.quiet) ctx.stdout.write(`${id}\n`);
      else ctx.stdout.write(`Built ${id.slice(7, 19)} in ${((performance.now() - started) / 1000).toFixed(2)}s\n`);
      if (o.iidfile) await writeFile(o.iidfile, id);
    }) as BerthCommand;
}
