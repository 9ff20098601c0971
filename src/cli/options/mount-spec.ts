/**
 * cli/options/mount-spec — `--mount type=bind,src=/a,dst=/b,readonly` into
 * the API's Mount object, with docker CLI's keys and messages (opts/mount.go):
 * type (default volume), source|src, target|destination|dst, readonly|ro,
 * consistency, bind-propagation, bind-nonrecursive, volume-nocopy,
 * volume-label, volume-driver, volume-opt, tmpfs-size, tmpfs-mode.
 * Also `-v` with a relative host path (`./data:/d`), made absolute against
 * the working directory as docker CLI >= 23 does. Pure.
 * Imports api types, errdefs, lib/units.
 */
import { posix } from 'node:path';
import type { Mount } from '../../api/types.js';
import { invalidArgument } from '../../errdefs/errors.js';
import { parseRamSize } from '../../lib/units.js';

function parseBool(key: string, v: string | undefined): boolean {
  if (v === undefined) return true;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw invalidArgument(`invalid value for ${key}: ${v}`);
}

const BOOL_KEYS = ['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive'];

/** One --mount value → Mount; errors are worded as docker's (the caller adds the flag prefix). */
export function parseMountFlag(value: string): Mount {
  const m: Mount = { Type: 'volume', Target: '' };
  let sawVolume = false;
  let sawBind = false;
  let sawTmpfs = false;
  const volumeOptions = () => { sawVolume = true; return (m.VolumeOptions ??= {}); };
  const bindOptions = () => { sawBind = true; return (m.BindOptions ??= {}); };
  const tmpfsOptions = () => { sawTmpfs = true; return (m.TmpfsOptions ??= {}); };
  for (const field of value.split(',')) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (val === undefined && !BOOL_KEYS.includes(key)) throw invalidArgument(`invalid field '${field}' must be a key=value pair`);
    switch (key) {
      case 'type': m.Type = val as Mount['Type']; break;
      case 'source': case 'src': m.Source = val; break;
      case 'target': case 'dst': case 'destination': m.Target = val!; break;
      case 'readonly': case 'ro': m.ReadOnly = parseBool(key, val); break;
      case 'consistency': m.Consistency = val; break;
      case 'bind-propagation': bindOptions().Propagation = val; break;
      case 'bind-nonrecursive': bindOptions().NonRecursive = parseBool(key, val); break;
      case 'volume-nocopy': volumeOptions().NoCopy = parseBool(key, val); break;
      case 'volume-label': {
        const [k, ...rest] = val!.split('=');
        (volumeOptions().Labels ??= {})[k] = rest.join('=');
        break;
      }
      case 'volume-driver': (volumeOptions().DriverConfig ??= {}).Name = val; break;
      case 'volume-opt': {
        const i = val!.indexOf('=');
        if (i < 0) throw invalidArgument(`invalid volume-opt '${val}': must be a key=value pair`);
        ((volumeOptions().DriverConfig ??= {}).Options ??= {})[val!.slice(0, i)] = val!.slice(i + 1);
        break;
      }
      case 'tmpfs-size': {
        try { tmpfsOptions().SizeBytes = parseRamSize(val!); } catch { throw invalidArgument(`invalid value for ${key}: ${val}`); }
        break;
      }
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val!)) throw invalidArgument(`invalid value for ${key}: ${val}`);
        tmpfsOptions().Mode = parseInt(val!, 8);
        break;
      }
      default:
        throw invalidArgument(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw invalidArgument('type is required');
  if (!m.Target) throw invalidArgument('target is required');
  if (sawVolume && m.Type !== 'volume') throw invalidArgument(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (sawBind && m.Type !== 'bind') throw invalidArgument(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (sawTmpfs && m.Type !== 'tmpfs') throw invalidArgument(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}

/** `-v ./x:/y` → `/cwd/x:/y` (docker CLI >= 23); other specs unchanged. */
export function absolutizeVolumeFlag(spec: string, cwd: string): string {
  const i = spec.indexOf(':');
  if (i < 0) return spec;
  const src = spec.slice(0, i);
  if (src === '.' || src === '..' || src.startsWith('./') || src.startsWith('../')) return posix.resolve(cwd, src) + spec.slice(i);
  return spec;
}
