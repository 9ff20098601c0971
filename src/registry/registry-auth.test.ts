import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { RegistryAuthenticator, grants, parseHtpasswd } from './registry-auth.js';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

test('grants', () => {
  const cases: [string[], string, boolean][] = [
    [['repository:a/b:pull,push'], 'repository:a/b:push', true],
    [['repository:a/b:pull'], 'repository:a/b:push', false],
    [['repository:a/b:pull'], 'repository:a/c:pull', false],
    [['repository:127.0.0.1:5000/x:*'], 'repository:127.0.0.1:5000/x:pull', true],
  ];
  for (const [a, w, want] of cases) assert.equal(grants(a, w), want, `${a} ${w}`);
});

test('htpasswd (bcrypt only) and token modes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-htpasswd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'htpasswd');
  writeFileSync(file, `# comment\nalice:${bcrypt.hashSync('pw', 4).replace(/^\$2b\$/, '$2y$')}\nbob:{SHA}plain\n`);
  assert.equal(parseHtpasswd('a:b\n\n#x\nc:d').size, 2);
  const h = new RegistryAuthenticator({ mode: 'htpasswd', htpasswdFile: file });
  assert.equal(h.authorize(basic('alice', 'pw'), undefined, 'http://r').ok, true);
  assert.equal(h.authorize(basic('alice', 'no'), undefined, 'http://r').ok, false);
  assert.equal(h.authorize(basic('bob', 'plain'), undefined, 'http://r').ok, false, 'non-bcrypt hashes are refused');
  assert.equal(h.authorize(undefined, undefined, 'http://r').challenge, 'Basic realm="berth-registry"');

  const tk = new RegistryAuthenticator({ mode: 'token', htpasswdFile: file });
  const ch = tk.authorize(undefined, 'repository:a:pull', 'http://r').challenge!;
  assert.equal(ch, 'Bearer realm="http://r/token",service="berth-registry",scope="repository:a:pull"');
  assert.equal(tk.issueToken(basic('alice', 'bad'), ['repository:a:pull']), undefined);
  const tok = tk.issueToken(basic('alice', 'pw'), ['repository:a:pull'])!.token;
  assert.equal(tk.authorize(`Bearer ${tok}`, 'repository:a:pull', 'http://r').ok, true);
  assert.match(tk.authorize(`Bearer ${tok}`, 'repository:a:push', 'http://r').challenge!, /insufficient_scope/);
  assert.match(tk.authorize(`Bearer ${tok}x`, 'repository:a:pull', 'http://r').challenge!, /invalid_token/);
});
