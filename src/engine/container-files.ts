/**
 * engine/container-files — the /etc/hostname, /etc/hosts and
 * /etc/resolv.conf a container gets (bind-mounted from its directory), made
 * as Docker makes them. Pure text builders.
 */

export function hostsFile(opts: { hostname: string; domainname?: string; ip?: string; ip6?: string; extraHosts?: string[]; hostNetwork?: boolean }): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::\tip6-localnet',
    'ff00::\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const h of opts.extraHosts ?? []) {
    const i = h.lastIndexOf(':');
    const name = h.slice(0, h.indexOf(':') >= 0 ? h.indexOf(':') : i);
    const addr = h.slice(h.indexOf(':') + 1);
    lines.push(`${addr}\t${name}`);
  }
  const fqdn = opts.domainname ? `${opts.hostname}.${opts.domainname} ${opts.hostname}` : opts.hostname;
  if (opts.ip) lines.push(`${opts.ip}\t${fqdn}`);
  if (opts.ip6) lines.push(`${opts.ip6}\t${fqdn}`);
  return lines.join('\n') + '\n';
}

/**
 * Docker's resolv.conf rules: copy the host's, drop localhost nameservers
 * (they are unreachable from the container's namespace), fall back to
 * Google's public DNS when none remain; --dns / --dns-search / --dns-option
 * replace the respective lines.
 */
export function resolvConf(hostText: string, opts: { dns?: string[]; search?: string[]; options?: string[]; keepLoopback?: boolean } = {}): string {
  const ns: string[] = [];
  const search: string[] = [];
  const options: string[] = [];
  for (const raw of hostText.split('\n')) {
    const line = raw.trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0] && (opts.keepLoopback || !/^(127\.|::1$)/.test(rest[0]))) ns.push(rest[0]);
    else if ((key === 'search' || key === 'domain') && rest.length) search.splice(0, search.length, ...rest);
    else if (key === 'options') options.push(...rest);
  }
  const finalNs = opts.dns?.length ? opts.dns : ns.length ? ns : ['8.8.8.8', '8.8.4.4'];
  const finalSearch = opts.search?.length ? opts.search.filter((s) => s !== '.') : search;
  const finalOpts = opts.options?.length ? opts.options : options;
  let out = '';
  if (finalSearch.length) out += `search ${finalSearch.join(' ')}\n`;
  for (const n of finalNs) out += `nameserver ${n}\n`;
  if (finalOpts.length) out += `options ${finalOpts.join(' ')}\n`;
  return out;
}
