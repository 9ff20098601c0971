/**
 * images/changes — apply Dockerfile-style `changes` (docker import -c,
 * docker commit -c) to an image run config. Supported as Docker does: CMD,
 * ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.
 * Pure.
 */
import { invalidArgument } from '../errdefs/errors.js';
import type { ImageRunConfig } from '../oci/image.js';

function parseJsonArray(s: string): string[] | undefined {
  if (!s.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(s);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch { /* shell form */ }
  return undefined;
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s[0] === '"' && s.endsWith('"')) || (s[0] === "'" && s.endsWith("'")))) return s.slice(1, -1);
  return s;
}

/** Split `a=b "c d"=e f='g h'` into words honouring quotes. */
function splitWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") { quote = ch; has = true; }
    else if (ch === '\\' && i + 1 < s.length) { cur += s[++i]; has = true; }
    else if (/\s/.test(ch)) { if (cur || has) out.push(cur); cur = ''; has = false; }
    else { cur += ch; has = true; }
  }
  if (quote) throw invalidArgument(`unterminated quote in: ${s}`);
  if (cur || has) out.push(cur);
  return out;
}

function pairs(instr: string, rest: string): [string, string][] {
  const words = splitWords(rest);
  if (words.length === 0) throw invalidArgument(`${instr} requires at least one argument`);
  if (!words[0].includes('=')) {
    // legacy form: ENV key value with spaces
    const sp = rest.trim().match(/^(\S+)\s+(.*)$/);
    if (!sp) throw invalidArgument(`${instr} must have two arguments`);
    return [[sp[1], unquote(sp[2].trim())]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalidArgument(`${instr} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

export function applyChanges(config: ImageRunConfig, changes: string[]): ImageRunConfig {
  const c: ImageRunConfig = structuredClone(config);
  for (const raw of changes) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\S+)\s*(.*)$/s.exec(line)!;
    const instr = m[1].toUpperCase();
    const rest = m[2].trim();
    switch (instr) {
      case 'CMD':
      case 'ENTRYPOINT': {
        const arr = parseJsonArray(rest) ?? ['/bin/sh', '-c', rest];
        if (instr === 'CMD') c.Cmd = arr; else { c.Entrypoint = arr; }
        break;
      }
      case 'ENV': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of pairs(instr, rest)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'LABEL': {
        c.Labels = { ...(c.Labels ?? {}) };
        for (const [k, v] of pairs(instr, rest)) c.Labels[k] = v;
        break;
      }
      case 'EXPOSE': {
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of splitWords(rest)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalidArgument(`invalid containerPort: ${p}`);
          c.ExposedPorts[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
        }
        break;
      }
      case 'VOLUME': {
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const v of parseJsonArray(rest) ?? splitWords(rest)) c.Volumes[v] = {};
        break;
      }
      case 'USER': c.User = rest; break;
      case 'WORKDIR': c.WorkingDir = rest.startsWith('/') ? rest : `${c.WorkingDir ?? '/'}/${rest}`.replace(/\/+/g, '/'); break;
      case 'STOPSIGNAL': c.StopSignal = rest; break;
      case 'ONBUILD': c.OnBuild = [...(c.OnBuild ?? []), rest]; break;
      default:
        throw invalidArgument(`${instr} is not a valid change command`);
    }
  }
  return c;
}
