/**
 * server/wire-decode — check a parsed JSON body against the Go type dockerd
 * decodes it into, at the edge, before anything in berth reads it.
 *
 * JSON.parse hands back whatever the client sent; code below the server
 * assumes `Image` is a string and `Env` a list of strings. A schema here
 * is Docker's Go struct written as data (server/wire-schemas), and
 * `decodeWire` answers a wrong JSON type with dockerd's own decoder message
 * ("json: cannot unmarshal number into Go struct field
 * ContainerConfigWrapper.Image of type string", prefixed "invalid JSON: "
 * as dockerd ≥ 23 does) as a 400.
 *
 * Go's rules, kept here: `null` is accepted for every type and leaves the
 * field unset; unknown fields are ignored; a whole number is needed for an
 * integer type ("number 1.5" otherwise, or when out of range); a StrSlice
 * (Cmd, Entrypoint, Shell, CapAdd) is a string or a list of strings; the
 * first error in document order is the one reported, its path the dotted
 * field names from the root (map keys and list indexes are not part of it)
 * and its struct the innermost one that declares the field. As in Go,
 * a field name matches in any case ("image" is "Image"): the key is renamed
 * to the field's own name, so later code reads the exact names only.
 *
 * Two normalisations, so later code sees what Go would have decoded: a
 * StrSlice given as a string becomes a one-element list, and a `null` element of a list, or value of a map, becomes
 * the element type's zero value ("" / 0 / false / {}), unless the elements
 * are pointers (`[]*T`, `map[string]*T`: nil stays null, as a build arg
 * without a value) or lists or maps themselves.
 *
 * May import: errdefs.
 */
import { BerthError } from '../errdefs/errors.js';

export type WireType =
  | { k: 'string' | 'bool' | 'float' | 'any'; name: string }
  | { k: 'int'; name: string; min: number; max: number }
  | { k: 'strslice'; name: string }
  | { k: 'slice' | 'map'; name: string; elem: WireType; ptr?: boolean }
  | { k: 'array'; name: string; elem: WireType; len: number }
  | { k: 'struct'; name: string; fields: Record<string, WireType> };

// ---- constructors (Go type names as dockerd's messages print them) -----------

export const str = (name = 'string'): WireType => ({ k: 'string', name });
export const bool: WireType = { k: 'bool', name: 'bool' };
export const float64: WireType = { k: 'float', name: 'float64' };
export const anyJson: WireType = { k: 'any', name: 'interface {}' };
const int = (name: string, min: number, max: number): WireType => ({ k: 'int', name, min, max });
export const int64 = (name = 'int64'): WireType => int(name, -(2 ** 63), 2 ** 63 - 1);
export const goInt: WireType = int('int', -(2 ** 63), 2 ** 63 - 1);
export const uint16: WireType = int('uint16', 0, 65535);
export const uint32: WireType = int('uint32', 0, 2 ** 32 - 1);
export const uint64: WireType = int('uint64', 0, 2 ** 64 - 1);
export const uint: WireType = int('uint', 0, 2 ** 64 - 1);
export const strSlice: WireType = { k: 'strslice', name: 'strslice.StrSlice' };
const ref = (t: WireType, ptr: boolean) => `${ptr ? '*' : ''}${t.name}`;
/** `ptr`: elements are pointers (`[]*T`): a null element stays null (nil) instead of T's zero value. */
export const sliceOf = (elem: WireType, o: { ptr?: boolean; name?: string } = {}): WireType => ({ k: 'slice', name: o.name ?? `[]${ref(elem, !!o.ptr)}`, elem, ptr: !!o.ptr });
export const mapOf = (elem: WireType, o: { ptr?: boolean; name?: string } = {}): WireType => ({ k: 'map', name: o.name ?? `map[string]${ref(elem, !!o.ptr)}`, elem, ptr: !!o.ptr });
export const arrayOf = (elem: WireType, len: number): WireType => ({ k: 'array', name: `[${len}]${elem.name}`, elem, len });
export const struct = (name: string, fields: Record<string, WireType>): WireType => ({ k: 'struct', name, fields });
/** A Go struct embedding others: their fields are promoted (and errors name the outer struct). */
export const embedding = (name: string, embedded: WireType[], fields: Record<string, WireType>): WireType => {
  const all: Record<string, WireType> = {};
  for (const e of embedded) if (e.k === 'struct') Object.assign(all, e.fields);
  return struct(name, { ...all, ...fields });
};

// ---- decoding ------------------------------------------------------------------

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function zeroOf(t: WireType): unknown {
  switch (t.k) {
    case 'string': return '';
    case 'bool': return false;
    case 'int': case 'float': return 0;
    case 'struct': return {};
    default: return null;
  }
}

interface Mismatch { kind: string; struct?: string; path: string[]; type: string }

/** The first mismatch of `v` against `t`, in document order. `struct`/`path` say where `v` sits. */
function mismatch(v: unknown, t: WireType, struct: string | undefined, path: string[]): Mismatch | undefined {
  if (v === null || t.k === 'any') return undefined;
  const wrong = (kind = jsonKind(v), type = t.name): Mismatch => ({ kind, struct, path, type });
  switch (t.k) {
    case 'string': return typeof v === 'string' ? undefined : wrong();
    case 'bool': return typeof v === 'boolean' ? undefined : wrong();
    case 'float': return typeof v === 'number' ? undefined : wrong();
    case 'int':
      if (typeof v !== 'number') return wrong();
      return Number.isInteger(v) && v >= t.min && v <= t.max ? undefined : wrong(`number ${String(v)}`);
    case 'strslice':
      // moby's StrSlice.UnmarshalJSON: a list of strings, else a string — the error is the string's
      if (typeof v === 'string' || (Array.isArray(v) && v.every((e) => typeof e === 'string' || e === null))) {
        if (Array.isArray(v)) v.forEach((e, i) => { if (e === null) v[i] = ''; });
        return undefined;
      }
      return wrong(jsonKind(v), 'string');
    case 'slice':
    case 'array': {
      if (!Array.isArray(v)) return wrong();
      const n = t.k === 'array' ? Math.min(v.length, t.len) : v.length;
      for (let i = 0; i < n; i++) {
        if (v[i] === null) { if (t.k === 'array' || !t.ptr) v[i] = zeroOf(t.elem); continue; }
        const m = mismatch(v[i], t.elem, struct, path);
        if (m) return m;
      }
      return undefined;
    }
    case 'map': {
      if (!isObject(v)) return wrong();
      for (const [key, e] of Object.entries(v)) {
        if (e === null) { if (!t.ptr) v[key] = zeroOf(t.elem); continue; }
        const m = mismatch(e, t.elem, struct, path);
        if (m) return m;
      }
      return undefined;
    }
    case 'struct': {
      if (!isObject(v)) return wrong();
      const short = t.name.slice(t.name.lastIndexOf('.') + 1);
      for (const [k, e] of Object.entries(v)) {
        let key = k;
        if (!Object.hasOwn(t.fields, key)) {
          // Go's encoding/json takes a field name in any case ("detachKeys" for DetachKeys, as docker-py
          // sends it): renamed to the field's own name, unless that is given too (the exact one wins)
          const folded = Object.keys(t.fields).find((f) => f.toLowerCase() === k.toLowerCase());
          if (!folded) continue;
          delete v[k];
          if (Object.hasOwn(v, folded)) continue;
          v[folded] = e;
          key = folded;
        }
        const ft = t.fields[key];
        const m = mismatch(e, ft, short, [...path, key]);
        if (m) return m;
        // a StrSlice decodes to a list: "ALL" is ["ALL"] for everything after the edge
        if (ft.k === 'strslice' && typeof e === 'string') v[key] = [e];
      }
      return undefined;
    }
  }
}

/** Go's UnmarshalTypeError text for the first mismatch, or undefined when `v` fits `t`. */
export function wireTypeError(v: unknown, t: WireType): string | undefined {
  const m = mismatch(v, t, undefined, []);
  if (!m) return undefined;
  if (!m.struct || !m.path.length) return `json: cannot unmarshal ${m.kind} into Go value of type ${m.type}`;
  return `json: cannot unmarshal ${m.kind} into Go struct field ${m.struct}.${m.path.join('.')} of type ${m.type}`;
}

/**
 * Check `v` (parsed JSON) against the Go type `t` and return it as `T`; a
 * mismatch is a 400 (INVALID_JSON) with dockerd's message, `prefix` before
 * it (default "invalid JSON: ", as dockerd's ReadJSON).
 */
export function decodeWire<T>(v: unknown, t: WireType, prefix = 'invalid JSON: '): T {
  const err = wireTypeError(v, t);
  if (err) throw new BerthError('INVALID_JSON', `${prefix}${err}`);
  return v as T;
}
