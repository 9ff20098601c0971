/**
 * cli/format/image-row — `images` rows as Docker's ImageContext: one row per
 * repo:tag ("<none>" when untagged), 12-char IDs, CREATED as "… ago", SIZE in
 * base-1000 units. Pure; imports api types.
 */
import type { ImageSummary } from '../../api/types.js';
import { timeAgo } from './duration.js';
import { humanSize } from './size.js';
import { truncateId } from './container-row.js';

export const IMAGES_HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
};
export const IMAGES_DEFAULT_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

/** Split "repo:tag" at the last colon after the last slash (a registry port is not a tag). */
export function splitRepoTag(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: '<none>' };
}

export function imageRows(img: ImageSummary, opts: { trunc: boolean; nowMs: number }): Record<string, string>[] {
  const base = {
    ID: opts.trunc ? truncateId(img.Id) : img.Id,
    CreatedSince: timeAgo(img.Created * 1000, opts.nowMs),
    CreatedAt: new Date(img.Created * 1000).toString(),
    Size: humanSize(img.Size),
    Containers: img.Containers >= 0 ? String(img.Containers) : 'N/A',
    SharedSize: img.SharedSize >= 0 ? humanSize(img.SharedSize) : 'N/A',
    UniqueSize: img.SharedSize >= 0 ? humanSize(img.Size - img.SharedSize) : 'N/A',
  };
  const digestOf = (repo: string) => (img.RepoDigests ?? []).find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>';
  const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  if (tags.length === 0) {
    const fromDigest = (img.RepoDigests ?? []).filter((d) => d !== '<none>@<none>').map((d) => d.split('@')[0]);
    const repo = fromDigest[0] ?? '<none>';
    return [{ ...base, Repository: repo, Tag: '<none>', Digest: repo === '<none>' ? '<none>' : digestOf(repo) }];
  }
  return tags.map((t) => {
    const { repo, tag } = splitRepoTag(t);
    return { ...base, Repository: repo, Tag: tag, Digest: digestOf(repo) };
  });
}
