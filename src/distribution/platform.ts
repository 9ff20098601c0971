/**
 * distribution/platform — `os/arch[/variant]` parsing and the choice of a
 * manifest from a manifest list / OCI index, as Docker does: exact os and
 * architecture, variant when asked (arm64 defaults to v8, arm to v7), never
 * an attestation manifest (`unknown/unknown`). Pure functions.
 * May import: oci, errdefs.
 */
import { invalidArgument, notFound } from '../errdefs/errors.js';
import type { Descriptor } from '../oci/image.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };

/** The platform this daemon runs containers for. */
export function hostPlatform(): Platform {
  const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os: 'linux', architecture: arch };
}

export function parsePlatform(spec: string): Platform {
  const parts = spec.trim().toLowerCase().split('/');
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => !/^[a-z0-9][a-z0-9_.-]*$/.test(p))) {
    throw invalidArgument(`"${spec}": unknown operating system or architecture: invalid argument`);
  }
  if (parts.length === 1) {
    // a lone word is an os if it is one, otherwise an architecture on linux
    return parts[0] === 'linux' || parts[0] === 'windows' ? { ...hostPlatform(), os: parts[0] } : { os: 'linux', architecture: ARCH_ALIASES[parts[0]] ?? parts[0] };
  }
  const p: Platform = { os: parts[0], architecture: ARCH_ALIASES[parts[1]] ?? parts[1] };
  if (parts[2]) p.variant = parts[2];
  return normalizeVariant(p);
}

function normalizeVariant(p: Platform): Platform {
  if (p.architecture === 'arm64' && p.variant === 'v8') return { os: p.os, architecture: p.architecture };
  return p;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Pick the manifest for `want` from an index's descriptors. Throws not-found. */
export function selectManifest(manifests: Descriptor[], want: Platform): Descriptor {
  const candidates = manifests.filter((d) => {
    const p = d.platform;
    if (!p) return false;
    if (p.os !== want.os || (ARCH_ALIASES[p.architecture] ?? p.architecture) !== want.architecture) return false;
    if (want.variant) return (p.variant ?? defaultVariant(p.architecture)) === want.variant;
    return true;
  });
  if (!candidates.length) {
    throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`, 'NOT_FOUND');
  }
  // without an explicit variant prefer the default one (arm → v7, arm64 → v8)
  const dv = defaultVariant(want.architecture);
  return candidates.find((d) => (d.platform!.variant ?? dv) === dv) ?? candidates[0];
}

function defaultVariant(arch: string): string | undefined {
  return arch === 'arm64' ? 'v8' : arch === 'arm' ? 'v7' : undefined;
}
