/**
 * cli/commands/container/cp — `berth cp [-a] [-L] [-q] CONTAINER:SRC DEST|-`
 * and `berth cp SRC|- CONTAINER:DEST`, with docker's path rules: a
 * destination directory that exists receives the source under its own name
 * (or its contents for `SRC/.`); one that does not exist is created under
 * the destination's name; a directory cannot replace a file. `-` is a tar on
 * stdin or stdout. Imports cli, client.
 */
import { lstat, stat } from 'node:fs/promises';
import { dirname, basename, resolve as resolvePath } from 'node:path';
import { posix } from 'node:path';
import type { CliContext } from '../../cli-context.js';
import { BerthCommand } from '../../berth-command.js';
import { isKind, invalidArgument } from '../../../errdefs/errors.js';
import { GO_MODE_DIR, GO_MODE_SYMLINK } from '../../../client/docker-client.js';
import { humanSize } from '../../format/size.js';
import { extractLocal, packLocal } from '../../streams/local-tar.js';

interface CpFlags { archive?: boolean; followLink?: boolean; quiet?: boolean }

/** docker's splitCpArg: `ctr:path`, or a local path (absolute, or starting with "."). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.slice(0, i).startsWith('.')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

const isDirMode = (m: number) => Math.floor(m / GO_MODE_DIR) % 2 === 1;
const isLinkMode = (m: number) => Math.floor(m / GO_MODE_SYMLINK) % 2 === 1;
/** base name as docker's SplitPathDirEntry: "/a/." → ".", "/a/b/" → "b". */
const baseOf = (p: string) => (p.endsWith('/.') || p === '.' ? '.' : basename(p.replace(/\/+$/, '')) || '/');

export function cpCommand(ctx: CliContext): BerthCommand {
  return new BerthCommand('cp')
    .description('Copy files/folders between a container and the local filesystem')
    .argument('<src>')
    .argument('<dest>')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy')
    .action(async (srcArg: string, dstArg: string, o: CpFlags) => {
      const src = splitCpArg(srcArg);
      const dst = splitCpArg(dstArg);
      if (src.container && dst.container) throw invalidArgument('copying between containers is not supported');
      if (!src.container && !dst.container) throw invalidArgument('must specify at least one container source');
      if (src.container && !src.path) throw invalidArgument('source path cannot be empty');
      if (dst.container && !dst.path) throw invalidArgument('destination path cannot be empty');
      if (src.container) await copyFrom(ctx, src.container, src.path, dst.path, o);
      else await copyTo(ctx, src.path, dst.container!, dst.path, o);
    }) as BerthCommand;
}

async function copyFrom(ctx: CliContext, ctr: string, srcPath: string, dst: string, o: CpFlags): Promise<void> {
  const client = ctx.client();
  let path = srcPath;
  let rebase: string | undefined;
  if (o.followLink) {
    const st = await client.statContainerPath(ctr, srcPath);
    if (isLinkMode(st.mode)) { path = st.linkTarget; rebase = baseOf(srcPath); }
  }
  const { stat: st, tar } = await client.getArchive(ctr, path);
  if (dst === '-') {
    tar.pipe(ctx.stdout);
    await new Promise<void>((res, rej) => { tar.on('end', res); tar.on('error', rej); });
    return;
  }
  const srcBase = st.name;
  const local = resolvePath(dst);
  const dstSt = await stat(local).catch(() => undefined);
  let bytes: number;
  if (dstSt?.isDirectory()) {
    bytes = await extractLocal(tar, local, rebase ? { from: srcBase, to: rebase } : undefined);
  } else if (dstSt) {
    if (isDirMode(st.mode)) { tar.resume(); throw invalidArgument('cannot copy a directory to a file'); }
    bytes = await extractLocal(tar, dirname(local), { from: srcBase, to: basename(local) });
  } else {
    if (dst.endsWith('/') && !isDirMode(st.mode)) { tar.resume(); throw invalidArgument(`destination directory ${dst} does not exist`); }
    const parent = await stat(dirname(local)).catch(() => undefined);
    if (!parent?.isDirectory()) { tar.resume(); throw invalidArgument(`destination directory ${dirname(local)} does not exist`); }
    bytes = await extractLocal(tar, dirname(local), { from: srcBase, to: basename(local) });
  }
  if (!o.quiet) ctx.stderr.write(`Successfully copied ${humanSize(bytes)} to ${dst}\n`);
}

async function copyTo(ctx: CliContext, srcPath: string, ctr: string, dstPath: string, o: CpFlags): Promise<void> {
  const client = ctx.client();
  const dst = dstPath.startsWith('/') ? dstPath : `/${dstPath}`;
  let dstStat;
  try { dstStat = await client.statContainerPath(ctr, dst); } catch (err) { if (!isKind(err, 'not-found')) throw err; }
  const opts = { copyUIDGID: o.archive, noOverwriteDirNonDir: true };
  if (srcPath === '-') {
    if (!dstStat || !isDirMode(dstStat.mode)) throw invalidArgument(`destination "${ctr}:${dstPath}" must be a directory`);
    await client.putArchive(ctr, dst, ctx.stdin, opts);
    return;
  }
  const local = resolvePath(srcPath) + (srcPath.endsWith('/.') ? '/.' : '');
  const st = await (o.followLink ? stat(local) : lstat(local)).catch(() => undefined);
  if (!st) throw invalidArgument(`lstat ${resolvePath(srcPath)}: no such file or directory`);
  let into: string;
  let name: string;
  if (dstStat && isDirMode(dstStat.mode)) {
    into = dst;
    name = baseOf(srcPath);
  } else if (dstStat) {
    if (st.isDirectory()) throw invalidArgument('cannot copy a directory to a file');
    into = posix.dirname(dst);
    name = posix.basename(dst);
  } else {
    if (dst.endsWith('/') && !st.isDirectory()) throw invalidArgument(`destination directory ${ctr}:${dstPath} does not exist`);
    into = posix.dirname(dst.replace(/\/+$/, '')) || '/';
    name = posix.basename(dst.replace(/\/+$/, ''));
  }
  const p = packLocal(local, name, { followLink: o.followLink });
  try {
    await client.putArchive(ctr, into, p.tar, opts);
  } catch (err) {
    await p.done; // a local read error explains a broken upload better than the upload's own error
    throw err;
  }
  const bytes = await p.done;
  if (!o.quiet) ctx.stderr.write(`Successfully copied ${humanSize(bytes)} to ${ctr}:${dstPath}\n`);
}
