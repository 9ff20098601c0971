import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../errdefs/errors.js';
import { parseGroup, parsePasswd, resolveUser } from './user.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
# a comment

daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:100::/home/bob:/bin/sh
broken line
bad:x:notanumber:1::/:/bin/sh
nohome:x:1002:1002
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin`;

const GROUP = `root:x:0:root
wheel:x:10:root,alice
users:x:100:
alice:x:1000:
audio:x:29:alice,bob
# comment
bad:x:zz:alice
staff:x:50:bob
nogroupfield`;

test('parsePasswd skips comments, blanks and malformed lines', () => {
  const p = parsePasswd(PASSWD);
  assert.deepEqual(p.map((e) => e.name), ['root', 'daemon', 'alice', 'bob', 'nohome', 'nobody']);
  assert.deepEqual(p[2], { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' });
  assert.equal(p.find((e) => e.name === 'nohome')?.home, '/');
});

test('parseGroup reads members', () => {
  const g = parseGroup(GROUP);
  assert.deepEqual(g.map((e) => e.name), ['root', 'wheel', 'users', 'alice', 'audio', 'staff']);
  assert.deepEqual(g.find((e) => e.name === 'wheel'), { name: 'wheel', gid: 10, members: ['root', 'alice'] });
  assert.deepEqual(g.find((e) => e.name === 'users')?.members, []);
});

test('resolveUser: Docker User forms', () => {
  const p = parsePasswd(PASSWD);
  const g = parseGroup(GROUP);
  const cases: { spec: string; extra?: string[]; want: ReturnType<typeof resolveUser> }[] = [
    { spec: '', want: { uid: 0, gid: 0, additionalGids: [10], home: '/root' } },
    { spec: 'root', want: { uid: 0, gid: 0, additionalGids: [10], home: '/root' } },
    { spec: 'alice', want: { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/alice' } },
    { spec: '1000', want: { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/alice' } },
    { spec: 'bob', want: { uid: 1001, gid: 100, additionalGids: [29, 50], home: '/home/bob' } },
    // numeric uid not in passwd: allowed, gid 0
    { spec: '4242', want: { uid: 4242, gid: 0, additionalGids: [], home: '/' } },
    { spec: '4242:4343', want: { uid: 4242, gid: 4343, additionalGids: [], home: '/' } },
    // an explicit group: no supplementary groups from /etc/group
    { spec: 'alice:users', want: { uid: 1000, gid: 100, additionalGids: [], home: '/home/alice' } },
    { spec: 'alice:77', want: { uid: 1000, gid: 77, additionalGids: [], home: '/home/alice' } },
    { spec: 'nobody', want: { uid: 65534, gid: 65534, additionalGids: [], home: '/nonexistent' } },
    // --group-add
    { spec: '4242', extra: ['staff', '999'], want: { uid: 4242, gid: 0, additionalGids: [50, 999], home: '/' } },
    { spec: 'alice', extra: ['audio'], want: { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/alice' } },
  ];
  for (const c of cases) assert.deepEqual(resolveUser(c.spec, p, g, c.extra), c.want, `${c.spec} ${c.extra ?? ''}`);
});

test('resolveUser: unknown user or group is invalid-argument with Docker\'s message', () => {
  const p = parsePasswd(PASSWD);
  const g = parseGroup(GROUP);
  const cases: { spec: string; extra?: string[]; message: string }[] = [
    { spec: 'mallory', message: 'unable to find user mallory: no matching entries in passwd file' },
    { spec: 'alice:nogroup', message: 'unable to find group nogroup: no matching entries in group file' },
    { spec: '0', extra: ['ghosts'], message: 'unable to find group ghosts: no matching entries in group file' },
  ];
  for (const c of cases) {
    assert.throws(() => resolveUser(c.spec, p, g, c.extra), (e: unknown) => e instanceof BerthError && e.kind === 'invalid-argument' && e.message === c.message, c.spec);
  }
  assert.throws(() => resolveUser('alice', [], []), BerthError);
});
