/**
 * test/torture/prng — the harness's only source of randomness, so a run is
 * replayed with `--seed`: a small seeded generator (mulberry32) for choices,
 * and seeded byte streams (AES-256-CTR of zeros keyed by seed + label) for
 * payloads — fast enough for 100 MB, and reproducible on the checking side
 * without keeping the bytes.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** A 32-bit seed from any string (the --seed value, a client label). */
export function seedOf(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('/')).digest().readUInt32LE(0);
}

export class Rng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }
  /** One of `table`'s keys, each as likely as its weight. */
  weighted<K extends string>(table: Record<K, number>): K {
    const entries = Object.entries(table) as [K, number][];
    let r = this.next() * entries.reduce((a, [, w]) => a + w, 0);
    for (const [k, w] of entries) { r -= w; if (r < 0) return k; }
    return entries[entries.length - 1][0];
  }
  /** A child generator for a sub-task, stable whatever else the parent draws later. */
  fork(label: string | number): Rng { return new Rng(seedOf(this.state, label)); }
  bytes(n: number): Buffer { return seededBytes(seedOf(this.state, 'bytes', this.int(0, 2 ** 30)), n); }
}

/** `n` bytes of a seeded stream (whole, for small payloads). */
export function seededBytes(seed: number | string, n: number): Buffer {
  const s = new SeededStream(seed);
  return s.take(n);
}

/**
 * A seeded pseudo-random byte stream: two instances with the same seed
 * yield the same bytes, so the receiver of 100 MB compares against its own
 * copy chunk by chunk.
 */
export class SeededStream {
  private readonly cipher;
  constructor(seed: number | string) {
    const key = createHash('sha256').update(`torture-key/${seed}`).digest();
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }
  take(n: number): Buffer { return this.cipher.update(Buffer.alloc(n)); }
}
