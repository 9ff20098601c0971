/**
 * snapshots/mounter — the adapter for mount(8), umount(8), mknod(1) and
 * setfattr(1): every program the storage layer spawns is spawned here. Node
 * has no syscalls for these. The volume driver gets these functions injected
 * by the daemon (volumes/ may not import snapshots/).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { systemError } from '../errdefs/errors.js';

const run = promisify(execFile);

async function exec(cmd: string, args: string[], cwd?: string): Promise<void> {
  try {
    await run(cmd, args, { cwd });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw systemError(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`, err);
  }
}

/**
 * Mount an overlay. Paths in `lower`, `upper`, `work` are relative to `cwd`,
 * which keeps the mount data under the kernel's one-page limit for deep images.
 */
export async function mountOverlay(opts: { cwd: string; lower: string[]; upper: string; work: string; target: string }): Promise<void> {
  const data = `lowerdir=${opts.lower.join(':')},upperdir=${opts.upper},workdir=${opts.work}`;
  await exec('mount', ['-t', 'overlay', 'overlay', '-o', data, opts.target], opts.cwd);
}

/**
 * mount(8) of any filesystem: `mount -t TYPE [-o OPTIONS] SOURCE TARGET`
 * (tmpfs, a bind with `type: 'none', options: ['bind']`, nfs, ...). The
 * local volume driver uses it for volumes created with type/device/o.
 */
export async function mountFilesystem(opts: { type: string; source: string; target: string; options?: string[] }): Promise<void> {
  const o = (opts.options ?? []).filter(Boolean);
  await exec('mount', ['-t', opts.type || 'none', ...(o.length ? ['-o', o.join(',')] : []), opts.source, opts.target]);
}

export async function unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
  await exec('umount', opts.lazy ? ['-l', target] : [target]);
}

/** Mount points under `prefix`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const p = mp.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (p === prefix || p.startsWith(prefix.endsWith('/') ? prefix : prefix + '/')) out.push(p);
  }
  return out.sort((a, b) => b.length - a.length);
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountsUnder(path)).includes(path);
}

export async function mknod(path: string, type: 'c' | 'b' | 'p', major = 0, minor = 0, mode = 0o666): Promise<void> {
  const args = ['-m', (mode & 0o7777).toString(8), path, type];
  if (type !== 'p') args.push(String(major), String(minor));
  await exec('mknod', args);
}

/** Mark a directory opaque for overlayfs (a `.wh..wh..opq` marker in a layer tar). */
export async function setOpaque(dir: string): Promise<void> {
  await exec('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
}

/**
 * Directories under `root` marked opaque for overlayfs (a directory removed
 * and re-created in a container's upper tree). One getfattr(1) call for the
 * whole tree; paths returned relative to `root`, without a leading slash.
 */
export async function listOpaqueDirs(root: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('getfattr', ['-R', '-P', '-h', '-d', '-m', '^trusted\\.overlay\\.opaque$', '--absolute-names', root], { maxBuffer: 64 << 20 }));
  } catch (err) {
    const e = err as { stderr?: string; message: string; stdout?: string };
    // getfattr exits 1 when some file vanished or is unreadable; keep what it printed.
    if (e.stdout === undefined) throw systemError(`getfattr ${root}: ${(e.stderr || e.message).trim()}`, err);
    stdout = e.stdout;
  }
  const out: string[] = [];
  let file: string | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      file = line.slice(8).replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    } else if (file && /^trusted\.overlay\.opaque="y"$/.test(line)) {
      const rel = file === root ? '' : file.slice(root.length).replace(/^\/+/, '');
      if (rel) out.push(rel);
    }
  }
  return out;
}
