/**
 * runtime/user — resolve a Docker `User` ("name", "uid", "name:group",
 * "uid:gid") against the container's /etc/passwd and /etc/group, as Docker
 * does: a numeric uid not in passwd is allowed (gid 0), an unknown name is an
 * error; supplementary groups come from /etc/group. Parsing is pure; the
 * caller reads the files through secure-join.
 */
import { invalidArgument } from '../errdefs/errors.js';

export interface PasswdEntry { name: string; uid: number; gid: number; home: string }
export interface GroupEntry { name: string; gid: number; members: string[] }
export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string }

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0], uid, gid, home: f[5] || '/' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

const isNum = (s: string) => /^\d+$/.test(s);

export function resolveUser(spec: string, passwd: PasswdEntry[], groups: GroupEntry[], extraGroups: string[] = []): ResolvedUser {
  const [userPart, groupPart] = (spec || '0').split(':', 2) as [string, string | undefined];
  let user: PasswdEntry | undefined;
  if (isNum(userPart)) {
    user = passwd.find((p) => p.uid === Number(userPart)) ?? { name: '', uid: Number(userPart), gid: 0, home: '/' };
  } else {
    user = passwd.find((p) => p.name === userPart);
    if (!user) throw invalidArgument(`unable to find user ${userPart}: no matching entries in passwd file`);
  }
  let gid = user.gid;
  if (groupPart !== undefined && groupPart !== '') {
    if (isNum(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw invalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const additional = new Set<number>();
  if (user.name && groupPart === undefined) {
    for (const g of groups) if (g.members.includes(user.name) && g.gid !== gid) additional.add(g.gid);
  }
  for (const eg of extraGroups) {
    if (isNum(eg)) additional.add(Number(eg));
    else {
      const g = groups.find((x) => x.name === eg);
      if (!g) throw invalidArgument(`unable to find group ${eg}: no matching entries in group file`);
      additional.add(g.gid);
    }
  }
  return { uid: user.uid, gid, additionalGids: [...additional].sort((a, b) => a - b), home: user.home };
}
