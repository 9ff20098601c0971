/**
 * test/torture/hostile-tar — a ustar writer that writes exactly what it is
 * given (no name cleaning: `..`, absolute paths, links anywhere, device
 * nodes), the hostile archives phase D feeds to every tar-taking endpoint,
 * and a docker-save archive wrapping a hostile layer for /images/load.
 */
import { createHash } from 'node:crypto';

export type TarType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';
export interface TarEntry { name: string; type?: TarType; data?: Buffer | string; linkname?: string; mode?: number; uid?: number; gid?: number; devmajor?: number; devminor?: number }

const TYPE_FLAG: Record<TarType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

function header(name: string, flag: string, size: number, e: Partial<TarEntry>): Buffer {
  const h = Buffer.alloc(512);
  const str = (off: number, len: number, s: string) => { Buffer.from(s, 'utf8').copy(h, off, 0, len); };
  const oct = (off: number, len: number, n: number) => str(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
  str(0, 100, name);
  oct(100, 8, e.mode ?? (flag === '5' ? 0o755 : 0o644));
  oct(108, 8, e.uid ?? 0);
  oct(116, 8, e.gid ?? 0);
  oct(124, 12, size);
  oct(136, 12, 1700000000);
  h.fill(0x20, 148, 156);
  str(156, 1, flag);
  str(157, 100, e.linkname ?? '');
  str(257, 6, 'ustar\0');
  str(263, 2, '00');
  str(265, 32, 'root');
  str(297, 32, 'root');
  oct(329, 8, e.devmajor ?? 0);
  oct(337, 8, e.devminor ?? 0);
  let sum = 0;
  for (const b of h) sum += b;
  str(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

/** A tar of `entries` in order, names and link targets as given (GNU long-name records beyond 100 bytes). */
export function tarOf(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'file' ? Buffer.from(e.data ?? '') : Buffer.alloc(0);
    if (Buffer.byteLength(e.name) > 99) {
      const long = Buffer.from(e.name + '\0');
      parts.push(header('././@LongLink', 'L', long.length, {}), long, pad(long.length));
    }
    if (Buffer.byteLength(e.linkname ?? '') > 99) {
      const long = Buffer.from(e.linkname + '\0');
      parts.push(header('././@LongLink', 'K', long.length, {}), long, pad(long.length));
    }
    parts.push(header(e.name.slice(0, 99), TYPE_FLAG[type], data.length, { ...e, linkname: (e.linkname ?? '').slice(0, 99) }), data, pad(data.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function tarOfFiles(files: Record<string, Buffer | string>): Buffer {
  return tarOf(Object.entries(files).map(([name, data]) => ({ name, data })));
}

/** Enough `../` to climb out of any root, then the absolute host path. */
export const climb = (abs: string) => `${'../'.repeat(24)}${abs.replace(/^\//, '')}`;

/**
 * The hostile archives, each aimed at the canary directory (a host
 * directory outside every daemon root) or at host files: a successful
 * escape shows as a new file there, a changed canary, or the canary's
 * secret inside a container.
 */
export function hostileArchives(canaryDir: string, canaryFile: string): { name: string; entries: TarEntry[] }[] {
  return [
    { name: 'dotdot-entry', entries: [{ name: 'ok.txt', data: 'ok' }, { name: climb(`${canaryDir}/dotdot-escape`), data: 'escaped' }] },
    { name: 'dotdot-dir-entry', entries: [{ name: `a/${'../'.repeat(24)}${canaryDir.slice(1)}/dotdot-dir/`, type: 'dir' }] },
    { name: 'absolute-entry', entries: [{ name: `${canaryDir}/absolute-escape`, data: 'escaped' }] },
    { name: 'symlink-then-file', entries: [{ name: 'esc', type: 'symlink', linkname: canaryDir }, { name: 'esc/through-symlink', data: 'escaped' }] },
    { name: 'relative-symlink-then-file', entries: [{ name: 'd/esc2', type: 'symlink', linkname: climb(canaryDir) }, { name: 'd/esc2/through-relative-symlink', data: 'escaped' }] },
    { name: 'dir-replaced-by-symlink', entries: [{ name: 'sw/', type: 'dir' }, { name: 'sw', type: 'symlink', linkname: canaryDir }, { name: 'sw/after-swap', data: 'escaped' }] },
    { name: 'symlink-chain', entries: [{ name: 'l1', type: 'symlink', linkname: 'l2' }, { name: 'l2', type: 'symlink', linkname: canaryDir }, { name: 'l1/through-chain', data: 'escaped' }] },
    { name: 'hardlink-to-host-passwd', entries: [{ name: 'passwd-link', type: 'hardlink', linkname: '/etc/passwd' }] },
    { name: 'hardlink-to-canary-then-overwrite', entries: [{ name: 'canary-link', type: 'hardlink', linkname: canaryFile }, { name: 'canary-link', data: 'OVERWRITTEN' }] },
    { name: 'hardlink-dotdot', entries: [{ name: 'hl-dotdot', type: 'hardlink', linkname: climb(canaryFile) }] },
    { name: 'hardlink-through-symlink', entries: [{ name: 'hs', type: 'symlink', linkname: canaryDir }, { name: 'hl-via-symlink', type: 'hardlink', linkname: `hs/${canaryFile.split('/').pop()}` }] },
    { name: 'device-nodes', entries: [{ name: 'dev-mem', type: 'char', devmajor: 1, devminor: 1, mode: 0o666 }, { name: 'dev-vda', type: 'block', devmajor: 253, devminor: 0, mode: 0o666 }, { name: 'a-fifo', type: 'fifo' }] },
    { name: 'device-node-outside', entries: [{ name: climb(`${canaryDir}/dev-null-escape`), type: 'char', devmajor: 1, devminor: 3 }] },
    { name: 'setuid-file', entries: [{ name: 'suid', data: '#!/bin/sh\n', mode: 0o4755 }] },
    { name: 'long-dotdot-name', entries: [{ name: `${'x/'.repeat(60)}${climb(`${canaryDir}/long-escape`)}`, data: 'escaped' }] },
    { name: 'truncated', entries: [{ name: 'big', data: Buffer.alloc(4096, 1) }] },
  ];
}

/** The archive bytes of `hostileArchives` entry, with `truncated` cut mid-entry. */
export function hostileTar(a: { name: string; entries: TarEntry[] }): Buffer {
  const t = tarOf(a.entries);
  return a.name === 'truncated' ? t.subarray(0, 512 + 1000) : t;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A `docker save` archive (manifest.json, config, one layer) whose layer is `layer`; `manifestOverride` replaces manifest fields (hostile paths). */
export function loadArchive(layer: Buffer, tag: string, manifestOverride: Record<string, unknown> = {}, extra: TarEntry[] = []): Buffer {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha(layer)] }, history: [{ created_by: 'torture' }] }));
  const configName = `${sha(config).slice(7)}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ['layer/layer.tar'], ...manifestOverride }]));
  return tarOf([{ name: configName, data: config }, { name: 'layer/', type: 'dir' }, { name: 'layer/layer.tar', data: layer }, ...extra, { name: 'manifest.json', data: manifest }]);
}
