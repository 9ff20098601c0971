/**
 * runtime/spec-mounts — a container's volume, bind and tmpfs mounts as OCI
 * spec mount entries, the way dockerd writes them: binds with `rbind` (or
 * `bind` when non-recursive) and a propagation mode, tmpfs with
 * `noexec,nosuid,nodev` merged with the user's options (later wins, so
 * `exec` undoes `noexec`), `ro` for read-only ones, parents before children.
 * Pure.
 */
import type { Mount } from '../oci/runtime-spec.js';

export interface SpecMount {
  kind: 'bind' | 'tmpfs';
  /** host path (bind) */
  source?: string;
  destination: string;
  readOnly: boolean;
  /** bind propagation: rprivate (default), private, rshared, shared, rslave, slave */
  propagation?: string;
  /** `bind-nonrecursive`: a plain `bind` instead of `rbind` */
  nonRecursive?: boolean;
  /** tmpfs data as the user gave it: "size=64m,mode=1777,exec" */
  tmpfsData?: string;
}

const FLAG_PAIRS: Record<string, string> = {
  exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev',
  ro: 'rw', rw: 'ro', atime: 'noatime', noatime: 'atime', diratime: 'nodiratime', nodiratime: 'diratime',
};

/** Docker's MergeTmpfsOptions: flags replace their opposites, key=value options replace earlier values. */
export function mergeTmpfsOptions(options: string[]): string[] {
  const out: string[] = [];
  for (const raw of options) {
    const opt = raw.trim();
    if (!opt) continue;
    const eq = opt.indexOf('=');
    if (eq >= 0) {
      const key = opt.slice(0, eq + 1);
      const i = out.findIndex((o) => o.startsWith(key));
      if (i >= 0) out.splice(i, 1);
    } else {
      for (const o of [opt, FLAG_PAIRS[opt]]) { const i = out.indexOf(o); if (i >= 0) out.splice(i, 1); }
    }
    out.push(opt);
  }
  return out;
}

/** Number of path components: mounts are applied shallowest first so parents never cover children. */
function depth(p: string): number {
  return p.replace(/\/+$/, '').split('/').filter(Boolean).length;
}

export function specMounts(list: SpecMount[]): Mount[] {
  const sorted = [...list].sort((a, b) => depth(a.destination) - depth(b.destination));
  return sorted.map((m) => {
    if (m.kind === 'tmpfs') {
      const opts = mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', ...(m.tmpfsData ? m.tmpfsData.split(',') : []), ...(m.readOnly ? ['ro'] : [])]);
      return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: opts };
    }
    const opts = [m.nonRecursive ? 'bind' : 'rbind', m.propagation || 'rprivate'];
    if (m.readOnly) opts.push('ro');
    return { destination: m.destination, type: 'bind', source: m.source, options: opts };
  });
}
