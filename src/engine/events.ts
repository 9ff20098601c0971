/**
 * engine/events — the daemon's event bus: every service publishes what
 * happened to its nouns here in Docker's event shape (Type, Action,
 * Actor{ID, Attributes}, scope "local", time, timeNano — plus the legacy
 * status/id/from fields Docker still sends for containers and images), and
 * `GET /events` subscribers read them back.
 *
 * Vocabulary: an *event* is one EventMessage; the *ring* keeps the last
 * `capacity` events in memory so `since` can replay them (Docker keeps 256;
 * nothing is persisted, as in Docker); a *subscription* replays the ring from
 * `since`, then follows live events until `until` (a time) or its signal.
 *
 * Publishers take an `EventPublisher` (the narrow role) as an option; the
 * daemon composition root constructs one EventsService and hands it out.
 *
 * May import: errdefs, lib. Pure in-memory; no I/O.
 */
import { invalidArgument } from '../errdefs/errors.js';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'service' | 'node' | 'secret' | 'config' | 'builder';

export interface EventActor {
  ID: string;
  Attributes: Record<string, string>;
}

export interface EventMessage {
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope: 'local' | 'swarm';
  /** Unix seconds. */
  time: number;
  /** Unix nanoseconds. */
  timeNano: number;
  /** Legacy fields (container and image events only). */
  status?: string;
  id?: string;
  from?: string;
}

/** The role publishers depend on. */
export interface EventPublisher {
  publish(type: EventType, action: string, id: string, attributes?: Record<string, string>): void;
}

export interface SubscribeOptions {
  /** Replay buffered events at or after this time (unix nanoseconds). */
  sinceNs?: bigint;
  /** End the stream once events are later than this (unix nanoseconds). */
  untilNs?: bigint;
  /** Docker's filter map (already parsed): type, event, container, image, volume, network, label, scope, daemon. */
  filters?: Map<string, string[]>;
  signal?: AbortSignal;
}

export const EVENT_FILTERS = ['type', 'event', 'container', 'image', 'volume', 'network', 'label', 'scope', 'daemon', 'plugin', 'service', 'node', 'secret', 'config'];
const TYPES = ['container', 'image', 'volume', 'network', 'daemon', 'plugin', 'service', 'node', 'secret', 'config', 'builder'];

/** Reject unknown filter keys and bad values up front, with Docker's wording. */
export function validateEventFilters(f: Map<string, string[]>): void {
  for (const [k, vals] of f) {
    if (!EVENT_FILTERS.includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    if (k === 'type') for (const v of vals) if (!TYPES.includes(v)) throw invalidArgument(`invalid filter 'type=${v}'`);
    if (k === 'scope') for (const v of vals) if (v !== 'local' && v !== 'swarm') throw invalidArgument(`invalid filter 'scope=${v}'`);
  }
}

function labelMatch(attrs: Record<string, string>, expr: string): boolean {
  const i = expr.indexOf('=');
  if (i < 0) return expr in attrs;
  return attrs[expr.slice(0, i)] === expr.slice(i + 1);
}

/** Strip the tag (but not a registry port) from an image reference. */
function stripTag(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

/** Docker's events filter (daemon/events/filter.go semantics). */
export function eventMatches(ev: EventMessage, f: Map<string, string[]>): boolean {
  const any = (key: string, pred: (v: string) => boolean) => { const vals = f.get(key); return !vals?.length || vals.some(pred); };
  // "health_status: healthy" matches event=health_status; "exec_start: sh" matches event=exec_start.
  const action = ev.Action.includes(':') ? ev.Action.slice(0, ev.Action.indexOf(':')) : ev.Action;
  const a = ev.Actor.Attributes;
  const isType = (t: EventType) => ev.Type === t;
  const nameOrId = (v: string) => ev.Actor.ID === v || ev.Actor.ID.startsWith(v) || a.name === v;
  return any('type', (v) => v === ev.Type)
    && any('event', (v) => v === ev.Action || v === action)
    && any('scope', (v) => v === ev.scope)
    && any('label', (v) => labelMatch(a, v))
    && any('container', (v) => isType('container') && nameOrId(v))
    && any('volume', (v) => isType('volume') && nameOrId(v))
    && any('network', (v) => isType('network') && nameOrId(v))
    && any('daemon', (v) => isType('daemon') && nameOrId(v))
    && any('image', (v) => {
      const refs = [ev.Actor.ID, a.image ?? '', a.name ?? ''].filter(Boolean);
      if (!isType('image') && !isType('container')) return false;
      return refs.some((r) => r === v || stripTag(r) === stripTag(v) || (r.startsWith('sha256:') && (r === `sha256:${v}` || r.slice(7).startsWith(v.replace(/^sha256:/, '')))));
    });
}

type Listener = (ev: EventMessage) => void;

/** Events queued for one subscriber that has not read them before it is dropped. */
const MAX_QUEUED = 10_000;

export class EventsService implements EventPublisher {
  private readonly ring: EventMessage[] = [];
  private readonly listeners = new Set<Listener>();
  private lastNs = 0n;
  private readonly base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

  constructor(private readonly o: { capacity?: number; now?: () => bigint } = {}) {}

  private nowNs(): bigint {
    // Wall clock with nanosecond resolution: a monotonic clock anchored to Date.now() at construction
    // (adding raw hrtime digits to Date.now() could stamp events up to 1 ms in the future).
    const t = this.o.now?.() ?? this.base + process.hrtime.bigint();
    // Strictly increasing so `since` replays are stable and ordered.
    this.lastNs = t > this.lastNs ? t : this.lastNs + 1n;
    return this.lastNs;
  }

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    const ns = this.nowNs();
    const ev: EventMessage = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: { ...attributes } },
      scope: 'local',
      time: Number(ns / 1_000_000_000n),
      timeNano: Number(ns),
    };
    if (type === 'container' || type === 'image') {
      ev.status = action;
      ev.id = id;
      if (type === 'container' && attributes.image) ev.from = attributes.image;
    }
    this.ring.push(ev);
    const cap = this.o.capacity ?? 1024;
    if (this.ring.length > cap) this.ring.splice(0, this.ring.length - cap);
    for (const l of this.listeners) l(ev);
  }

  /** The buffered events (oldest first). */
  buffered(): readonly EventMessage[] {
    return this.ring;
  }

  /**
   * Replay from `since`, then follow. Without `since` nothing is replayed.
   * With an `until` in the past the stream ends after the replay; in the
   * future it ends when that time comes.
   */
  async *subscribe(o: SubscribeOptions = {}): AsyncGenerator<EventMessage> {
    const f = o.filters ?? new Map<string, string[]>();
    validateEventFilters(f);
    const queue: EventMessage[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const end = () => { ended = true; wake?.(); };
    // Only what this subscriber wants is queued, and at most MAX_QUEUED: a client that
    // stops reading is dropped (as dockerd's pubsub evicts slow subscribers) rather than
    // holding every event in memory.
    const listener: Listener = (ev) => {
      if (!eventMatches(ev, f)) return;
      if (queue.length >= MAX_QUEUED) { end(); return; }
      queue.push(ev);
      wake?.();
    };
    // Subscribe before snapshotting the ring so nothing falls between them.
    this.listeners.add(listener);
    const replay = o.sinceNs !== undefined || o.untilNs !== undefined ? [...this.ring] : [];
    const replayEnd = replay.length ? BigInt(replay[replay.length - 1].timeNano) : -1n;
    let timer: NodeJS.Timeout | undefined;
    o.signal?.addEventListener('abort', end);
    try {
      const inRange = (ev: EventMessage) => (o.sinceNs === undefined || BigInt(ev.timeNano) >= o.sinceNs) && (o.untilNs === undefined || BigInt(ev.timeNano) <= o.untilNs);
      for (const ev of replay) if (inRange(ev) && eventMatches(ev, f)) yield ev;
      if (o.untilNs !== undefined) {
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        if (o.untilNs <= nowNs) return;
        timer = setTimeout(end, Number((o.untilNs - nowNs) / 1_000_000n) + 1);
      }
      while (!ended && !o.signal?.aborted) {
        while (queue.length) {
          const ev = queue.shift()!;
          if (BigInt(ev.timeNano) <= replayEnd) continue; // already replayed
          if (o.untilNs !== undefined && BigInt(ev.timeNano) > o.untilNs) return;
          if (eventMatches(ev, f)) yield ev;
        }
        if (ended) break;
        await new Promise<void>((r) => { wake = r; });
        wake = undefined;
      }
    } finally {
      if (timer) clearTimeout(timer);
      this.listeners.delete(listener);
      o.signal?.removeEventListener('abort', end);
    }
  }
}

/**
 * Docker's API timestamps for since/until: "seconds[.nanoseconds]" (what the
 * CLI sends), also RFC 3339 and relative Go durations ("10m" = ten minutes
 * ago) for hand-written requests. Returns unix nanoseconds.
 */
export function parseEventTime(v: string | null | undefined, nowMs = Date.now()): bigint | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const num = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (num) return BigInt(num[1]) * 1_000_000_000n + BigInt((num[2] ?? '').padEnd(9, '0') || '0');
  const dur = /^((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(v);
  if (dur) {
    const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += parseFloat(m[1]) * units[m[2]];
    return BigInt(Math.round((nowMs - ms) * 1000)) * 1000n;
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(v);
  if (m) {
    const base = Date.parse(m[1] + m[3]);
    if (!Number.isNaN(base)) return BigInt(base) * 1_000_000n + BigInt((m[2]?.slice(1) ?? '').padEnd(9, '0').slice(0, 9) || '0');
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`failed to parse value as time or duration: "${v}"`);
  return BigInt(t) * 1_000_000n;
}
