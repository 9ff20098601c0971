import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsFile, resolvConf } from './container-files.js';

const BASE_HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

test('hostsFile', () => {
  const cases: { name: string; o: Parameters<typeof hostsFile>[0]; extra: string }[] = [
    { name: 'no ip (none/host network)', o: { hostname: 'abc' }, extra: '' },
    { name: 'container ip', o: { hostname: 'abc', ip: '172.17.0.2' }, extra: '172.17.0.2\tabc\n' },
    { name: 'with domainname', o: { hostname: 'abc', domainname: 'example.com', ip: '172.17.0.2' }, extra: '172.17.0.2\tabc.example.com abc\n' },
    { name: 'extra hosts before own entry', o: { hostname: 'abc', ip: '10.0.0.2', extraHosts: ['db:10.0.0.9', 'v6:::1'] }, extra: '10.0.0.9\tdb\n::1\tv6\n10.0.0.2\tabc\n' },
  ];
  for (const c of cases) assert.equal(hostsFile(c.o), BASE_HOSTS + c.extra, c.name);
});

test('resolvConf: drops localhost nameservers, falls back to public DNS, honours --dns*', () => {
  const cases: { name: string; host: string; o?: Parameters<typeof resolvConf>[1]; want: string }[] = [
    { name: 'copy', host: 'nameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch a.example b.example\noptions ndots:2\n', want: 'search a.example b.example\nnameserver 10.0.0.1\nnameserver 10.0.0.2\noptions ndots:2\n' },
    { name: 'systemd-resolved stub only → fallback', host: 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n', want: 'search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\noptions edns0 trust-ad\n' },
    { name: 'mixed: keep only non-local', host: 'nameserver 127.0.0.1\nnameserver ::1\nnameserver 1.1.1.1\n', want: 'nameserver 1.1.1.1\n' },
    { name: 'empty host file', host: '', want: 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n' },
    { name: 'comments and indentation', host: '# nameserver 9.9.9.9\n  nameserver 10.1.1.1  \n', want: 'nameserver 10.1.1.1\n' },
    { name: 'domain acts as search; last one wins', host: 'domain one.example\nsearch two.example\nnameserver 10.0.0.1\n', want: 'search two.example\nnameserver 10.0.0.1\n' },
    { name: '--dns replaces nameservers', host: 'nameserver 10.0.0.1\nsearch lan\n', o: { dns: ['9.9.9.9'] }, want: 'search lan\nnameserver 9.9.9.9\n' },
    { name: '--dns even with localhost-only host', host: 'nameserver 127.0.0.53\n', o: { dns: ['1.1.1.1', '1.0.0.1'] }, want: 'nameserver 1.1.1.1\nnameserver 1.0.0.1\n' },
    { name: '--dns-search replaces search', host: 'nameserver 10.0.0.1\nsearch lan\n', o: { search: ['corp'] }, want: 'search corp\nnameserver 10.0.0.1\n' },
    { name: '--dns-search . clears search', host: 'nameserver 10.0.0.1\nsearch lan\n', o: { search: ['.'] }, want: 'nameserver 10.0.0.1\n' },
    { name: '--dns-option replaces options', host: 'nameserver 10.0.0.1\noptions ndots:2\n', o: { options: ['ndots:5', 'rotate'] }, want: 'nameserver 10.0.0.1\noptions ndots:5 rotate\n' },
  ];
  for (const c of cases) assert.equal(resolvConf(c.host, c.o), c.want, c.name);
});
