/**
 * engine/security-opts — HostConfig.SecurityOpt as dockerd reads it
 * (`docker run --security-opt …`):
 *
 * - `seccomp=unconfined` | `seccomp=builtin` | `seccomp=<profile JSON>`
 *   (the docker CLI reads a profile file and sends its content);
 * - `no-new-privileges` (bare, `=true|false` or `:true|false`);
 * - `systempaths=unconfined` (no masked or read-only /proc and /sys paths);
 * - `apparmor=…` and `label=…` / `label:…` / `disable`: accepted and kept,
 *   with no effect (berth applies neither AppArmor nor SELinux labels,
 *   like dockerd on a host without them).
 *
 * `key:value` is the deprecated spelling of `key=value`. Anything else is
 * dockerd's "invalid --security-opt" 400, at create, before anything exists.
 *
 * May import: errdefs, runtime/seccomp.
 */
import { invalidArgument } from '../errdefs/errors.js';
import { parseDockerSeccompProfile, type DockerSeccompProfile } from '../runtime/seccomp.js';

export type SeccompChoice = { kind: 'default' } | { kind: 'unconfined' } | { kind: 'profile'; profile: DockerSeccompProfile };

export interface SecurityOptions {
  seccomp: SeccompChoice;
  noNewPrivileges: boolean;
  systemPathsUnconfined: boolean;
}

function parseBool(v: string, opt: string): boolean {
  if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(v)) return true;
  if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(v)) return false;
  throw invalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
}

export function parseSecurityOpts(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { seccomp: { kind: 'default' }, noNewPrivileges: false, systemPathsUnconfined: false };
  for (const opt of opts ?? []) {
    if (typeof opt !== 'string') throw invalidArgument(`invalid --security-opt: ${JSON.stringify(opt)}`);
    if (opt === 'no-new-privileges') { out.noNewPrivileges = true; continue; }
    if (opt === 'disable') continue; // label=disable's short form
    const eq = opt.indexOf('=');
    const colon = opt.indexOf(':');
    const at = eq >= 0 ? eq : colon;
    if (at <= 0) throw invalidArgument(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const key = opt.slice(0, at);
    const value = opt.slice(at + 1);
    switch (key) {
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = { kind: 'unconfined' };
        else if (value === 'builtin' || value === '') out.seccomp = { kind: 'default' };
        else out.seccomp = { kind: 'profile', profile: parseDockerSeccompProfile(value) };
        break;
      case 'no-new-privileges':
        out.noNewPrivileges = parseBool(value, opt);
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw invalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.systemPathsUnconfined = true;
        break;
      case 'apparmor':
      case 'label':
        break;
      default:
        throw invalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}
