/**
 * registry/names — validation of repository names, tags and digests with the
 * OCI distribution spec's grammar. A valid name never contains `..`, a
 * leading `/` or anything else that could leave the storage root. Pure.
 */
import { OciError } from './oci-errors.js';

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const ANY_DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function checkName(name: string): string {
  if (name.length > 255 || !NAME_RE.test(name)) throw new OciError('NAME_INVALID', 'invalid repository name', { name });
  return name;
}

export const isTag = (s: string) => TAG_RE.test(s);

/** A digest this registry can verify (sha256); other well-formed algorithms are unsupported. */
export function checkDigest(d: string | null | undefined): string {
  if (!d) throw new OciError('DIGEST_INVALID', 'digest parameter missing');
  if (DIGEST_RE.test(d)) return d;
  if (ANY_DIGEST_RE.test(d) && !d.startsWith('sha256:')) throw new OciError('DIGEST_INVALID', `unsupported digest algorithm: ${d.split(':')[0]}`);
  throw new OciError('DIGEST_INVALID', 'invalid digest', { digest: d });
}

export function checkReference(ref: string): { tag?: string; digest?: string } {
  if (ref.includes(':')) return { digest: checkDigest(ref) };
  if (!isTag(ref)) throw new OciError('MANIFEST_INVALID', 'invalid tag', { tag: ref });
  return { tag: ref };
}
