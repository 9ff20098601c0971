import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSecurityOpts } from './security-opts.js';

test('security options as dockerd reads them', () => {
  assert.deepEqual(parseSecurityOpts(null), { seccomp: { kind: 'default' }, noNewPrivileges: false, systemPathsUnconfined: false });
  assert.equal(parseSecurityOpts(['seccomp=unconfined']).seccomp.kind, 'unconfined');
  assert.equal(parseSecurityOpts(['seccomp:unconfined']).seccomp.kind, 'unconfined');
  assert.equal(parseSecurityOpts(['seccomp=builtin']).seccomp.kind, 'default');
  const custom = parseSecurityOpts(['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}']).seccomp;
  assert.equal(custom.kind, 'profile');
  for (const o of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true', 'no-new-privileges=1']) assert.equal(parseSecurityOpts([o]).noNewPrivileges, true, o);
  assert.equal(parseSecurityOpts(['no-new-privileges=false']).noNewPrivileges, false);
  assert.equal(parseSecurityOpts(['systempaths=unconfined']).systemPathsUnconfined, true);
  // accepted without effect: no AppArmor or SELinux here
  assert.deepEqual(parseSecurityOpts(['apparmor=unconfined', 'label=disable', 'label:type:svirt_t', 'disable']), parseSecurityOpts([]));
});

test('bad security options get dockerd\'s messages', () => {
  const bad: [string, RegExp][] = [
    ['nonsense', /invalid --security-opt 1: "nonsense"$/],
    ['=x', /invalid --security-opt 1/],
    ['foo=bar', /invalid --security-opt 2: "foo=bar"$/],
    ['no-new-privileges=maybe', /invalid --security-opt 2/],
    ['systempaths=open', /invalid --security-opt 2/],
    ['seccomp={bad', /decoding seccomp profile failed/],
  ];
  for (const [o, re] of bad) assert.throws(() => parseSecurityOpts([o]), re, o);
});
