/**
 * registry/registry-auth — who may use the registry server:
 *   - none: everyone;
 *   - htpasswd: HTTP Basic against an htpasswd file of bcrypt hashes
 *     (`$2a$`/`$2b$`/`$2y$`, what `htpasswd -B` writes; other hash kinds are
 *     refused as distribution does);
 *   - token: the Docker token flow — `/v2/` answers 401 with
 *     `WWW-Authenticate: Bearer realm="<base>/token",service=...,scope=...`;
 *     the built-in `/token` endpoint checks Basic credentials (htpasswd, when
 *     configured) and returns an HMAC-signed, expiring token for the scopes
 *     asked; API requests carry it as `Authorization: Bearer`.
 * Imports bcryptjs and node crypto only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';

export type AuthMode = 'none' | 'htpasswd' | 'token';

export interface AuthDecision { ok: boolean; user?: string; challenge?: string }

export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const i = t.indexOf(':');
    if (i <= 0) continue;
    users.set(t.slice(0, i), t.slice(i + 1));
  }
  return users;
}

export class RegistryAuthenticator {
  private readonly users?: Map<string, string>;
  private readonly secret = randomBytes(32);
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly o: { mode: AuthMode; htpasswdFile?: string; service?: string; tokenTtlSec?: number }) {
    if (o.htpasswdFile) this.users = parseHtpasswd(readFileSync(o.htpasswdFile, 'utf8'));
    if (o.mode === 'htpasswd' && !this.users) throw new Error('htpasswd auth needs an htpasswd file');
  }

  get mode(): AuthMode { return this.o.mode; }
  private get service(): string { return this.o.service ?? 'berth-registry'; }

  /** Check user:password against the htpasswd file (bcrypt only); cached per process. */
  checkPassword(user: string, password: string): boolean {
    if (!this.users) return true;
    const hash = this.users.get(user);
    if (!hash || !/^\$2[aby]\$/.test(hash)) return false;
    const key = `${user}\0${password}\0${hash}`;
    let ok = this.cache.get(key);
    if (ok === undefined) {
      ok = bcrypt.compareSync(password, hash.replace(/^\$2y\$/, '$2b$'));
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(key, ok);
    }
    return ok;
  }

  private basic(header: string | undefined): { user: string; password: string } | undefined {
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const i = decoded.indexOf(':');
    return i < 0 ? undefined : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }

  /** Decide an API request. `scope` is `repository:<name>:<pull|push>` or undefined for `/v2/` itself. */
  authorize(authorization: string | undefined, scope: string | undefined, baseUrl: string): AuthDecision {
    if (this.o.mode === 'none') return { ok: true };
    if (this.o.mode === 'htpasswd') {
      const c = this.basic(authorization);
      if (c && this.checkPassword(c.user, c.password)) return { ok: true, user: c.user };
      return { ok: false, challenge: 'Basic realm="berth-registry"' };
    }
    const challenge = `Bearer realm="${baseUrl}/token",service="${this.service}"${scope ? `,scope="${scope}"` : ''}`;
    if (!authorization?.startsWith('Bearer ')) return { ok: false, challenge };
    const claims = this.verifyToken(authorization.slice(7));
    if (!claims) return { ok: false, challenge: `${challenge},error="invalid_token"` };
    if (scope && !grants(claims.access, scope)) return { ok: false, challenge: `${challenge},error="insufficient_scope"` };
    return { ok: true, user: claims.sub };
  }

  /** The `/token` endpoint: Basic credentials (if htpasswd) → a signed token for the asked scopes. */
  issueToken(authorization: string | undefined, scopes: string[]): { token: string; expires_in: number; issued_at: string } | undefined {
    let sub = '';
    if (this.users) {
      const c = this.basic(authorization);
      if (!c || !this.checkPassword(c.user, c.password)) return undefined;
      sub = c.user;
    }
    const ttl = this.o.tokenTtlSec ?? 300;
    const payload = Buffer.from(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + ttl, access: scopes })).toString('base64url');
    const sig = createHmac('sha256', this.secret).update(payload).digest('base64url');
    return { token: `${payload}.${sig}`, expires_in: ttl, issued_at: new Date().toISOString() };
  }

  private verifyToken(token: string): { sub: string; exp: number; access: string[] } | undefined {
    const [payload, sig] = token.split('.');
    if (!payload || !sig) return undefined;
    const want = createHmac('sha256', this.secret).update(payload).digest();
    const got = Buffer.from(sig, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    try {
      const c = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string; exp: number; access: string[] };
      return c.exp * 1000 > Date.now() ? c : undefined;
    } catch { return undefined; }
  }
}

/** Does a granted scope list cover `repository:<name>:<action>`? */
export function grants(access: string[], wanted: string): boolean {
  const [type, name, action] = splitScope(wanted);
  return access.some((s) => {
    const [t, n, actions] = splitScope(s);
    return t === type && n === name && (actions.split(',').includes(action) || actions.split(',').includes('*'));
  });
}

function splitScope(s: string): [string, string, string] {
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  if (first < 0 || last === first) return [s, '', ''];
  return [s.slice(0, first), s.slice(first + 1, last), s.slice(last + 1)];
}
