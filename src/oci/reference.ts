/**
 * oci/reference — image references ("refs") parsed and normalised as Docker
 * does: `busybox` = `docker.io/library/busybox:latest`. Vocabulary: domain,
 * path, tag, digest; "familiar" form is what Docker prints (`busybox:latest`).
 * Imports errdefs only.
 */
import { invalidArgument } from '../errdefs/errors.js';

export interface Reference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
export const DEFAULT_DOMAIN = 'docker.io';

/** A tag given on its own (the `tag` query parameter of tag and push): distribution's WithTag wording. */
export function checkTag(tag: string): string {
  if (!TAG.test(tag)) throw invalidArgument('invalid tag format', 'INVALID_REFERENCE');
  return tag;
}

/** Parse and normalise. Throws invalid-argument with Docker's wording on bad input. */
export function parseReference(input: string): Reference {
  if (!input || input.length > 255 + 136) throw invalidArgument(`invalid reference format`, 'INVALID_REFERENCE');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest) || (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest))) {
      throw invalidArgument(`invalid reference format`, 'INVALID_REFERENCE');
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalidArgument(`invalid reference format`, 'INVALID_REFERENCE');
  }
  const parts = rest.split('/');
  let domain = DEFAULT_DOMAIN;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || parts[0] !== parts[0].toLowerCase())) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) throw invalidArgument(`invalid reference format`, 'INVALID_REFERENCE');
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift('library');
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      if (p !== p.toLowerCase()) throw invalidArgument(`invalid reference format: repository name (${parts.join('/')}) must be lowercase`, 'INVALID_REFERENCE');
      throw invalidArgument(`invalid reference format`, 'INVALID_REFERENCE');
    }
  }
  const path = parts.join('/');
  if (domain.length + path.length + 1 > 255) throw invalidArgument(`invalid reference format: repository name must not be more than 255 characters`, 'INVALID_REFERENCE');
  return { domain, path, tag, digest };
}

/** Add `latest` when neither tag nor digest was given (Docker's TagNameOnly). */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag || ref.digest ? ref : { ...ref, tag: 'latest' };
}

export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** Full canonical string: docker.io/library/busybox:latest */
export function formatReference(ref: Reference): string {
  return repositoryName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** Docker's familiar form: busybox:latest, me/app:1, localhost:5000/x:y */
export function familiarName(ref: Reference): string {
  let name = repositoryName(ref);
  if (ref.domain === DEFAULT_DOMAIN) {
    name = ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice(8) : ref.path;
  }
  return name;
}

export function familiarString(ref: Reference): string {
  return familiarName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** Normalise user input to the canonical tagged string. */
export function normalizeRef(input: string): string {
  return formatReference(withDefaultTag(parseReference(input)));
}

export function familiarFromCanonical(canonical: string): string {
  return familiarString(parseReference(canonical));
}
