/**
 * distribution/auth-challenge — parse `WWW-Authenticate` challenges
 * (RFC 7235: `Bearer realm="...",service="...",scope="..."`, `Basic realm=...`)
 * and build token-request URLs. Pure functions.
 * May import: errdefs.
 */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parse one or more challenges from a WWW-Authenticate header value. */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  const values = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const v of values) {
    let i = 0;
    const s = v;
    let current: Challenge | undefined;
    while (i < s.length) {
      while (i < s.length && (s[i] === ' ' || s[i] === ',')) i++;
      const tokStart = i;
      while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i])) i++;
      const token = s.slice(tokStart, i);
      if (!token) { i++; continue; }
      while (i < s.length && s[i] === ' ') i++;
      if (s[i] === '=') {
        i++;
        while (i < s.length && s[i] === ' ') i++;
        let value = '';
        if (s[i] === '"') {
          i++;
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < s.length) i++;
            value += s[i++];
          }
          i++;
        } else {
          const vs = i;
          while (i < s.length && s[i] !== ',' && s[i] !== ' ') i++;
          value = s.slice(vs, i);
        }
        if (current) current.params[token.toLowerCase()] = value;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}

/** The token endpoint URL for a Bearer challenge and a set of scopes. */
export function tokenUrl(ch: Challenge, scopes: string[]): URL {
  const url = new URL(ch.params.realm);
  if (ch.params.service) url.searchParams.set('service', ch.params.service);
  const all = new Set<string>(scopes);
  if (ch.params.scope) for (const s of ch.params.scope.split(' ')) if (s) all.add(s);
  for (const s of all) url.searchParams.append('scope', s);
  return url;
}

/** `repository:<path>:<actions>` */
export function repositoryScope(path: string, actions: string[]): string {
  return `repository:${path}:${actions.join(',')}`;
}
