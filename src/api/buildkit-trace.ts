/**
 * api/buildkit-trace — a build's steps as BuildKit reports them: one vertex
 * per Dockerfile step, named as BuildKit names them (`[2/3] RUN …`, with
 * `stage-N`/the stage's name when there are several stages), chained by
 * their inputs, started and completed (or CACHED, or failed with the error),
 * with the step's output as vertex logs (stream 1 stdout, 2 stderr); the
 * uploaded context and the image export are `[internal] load remote build
 * context` and `exporting to image`, as dockerd's builder shows them.
 * Each change goes to `emit` as a StatusResponse (api/buildkit-status).
 * Pure apart from the clock and random vertex digests.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BkStatus, BkVertex } from './buildkit-status.js';

/** A step as the builder announces it. */
export interface TraceStep { stage: number; stageName?: string; stages: number; pos: number; count: number; text: string }

/** A build's steps as events, as the builder reports them (what this trace turns into BuildKit's progress). */
export interface BuildSteps {
  step(s: TraceStep): void;
  cached(): void;
  log(text: string, stream: 'stdout' | 'stderr'): void;
}

export class BuildkitTrace implements BuildSteps {
  private readonly nonce = randomBytes(8).toString('hex');
  private seq = 0;
  private current?: BkVertex;
  private last?: string;

  constructor(private readonly emit: (s: BkStatus) => void, private readonly now: () => Date = () => new Date()) {}

  private digest(): string {
    return `sha256:${createHash('sha256').update(`${this.nonce}:${this.seq++}`).digest('hex')}`;
  }

  private open(name: string): void {
    this.close();
    const v: BkVertex = { digest: this.digest(), ...(this.last ? { inputs: [this.last] } : {}), name, started: this.now() };
    this.current = v;
    this.emit({ vertexes: [{ ...v }] });
  }

  private close(error?: string): void {
    const v = this.current;
    if (!v) return;
    v.completed = this.now();
    if (error) v.error = error;
    this.emit({ vertexes: [{ ...v }] });
    this.last = v.digest;
    this.current = undefined;
  }

  /** The context arrived (a tar in the request body). */
  begin(): void {
    this.open('[internal] load remote build context');
    this.close();
  }

  step(s: TraceStep): void {
    const stage = s.stages > 1 ? `${s.stageName ?? `stage-${s.stage}`} ` : '';
    this.open(`[${stage}${s.pos}/${s.count}] ${s.text}`);
  }

  /** The step in progress was found in the cache. */
  cached(): void {
    if (this.current) this.current.cached = true;
  }

  log(text: string | Buffer, stream: 'stdout' | 'stderr'): void {
    if (!this.current) this.open('[internal] build');
    this.emit({ logs: [{ vertex: this.current!.digest, timestamp: this.now(), stream: stream === 'stderr' ? 2 : 1, msg: Buffer.isBuffer(text) ? text : Buffer.from(text) }] });
  }

  /** The build made `imageId`, named `names`. */
  done(imageId: string, names: string[]): void {
    this.close();
    this.open('exporting to image');
    for (const line of [`writing image ${imageId} done`, ...names.map((n) => `naming to ${n} done`)]) this.log(`${line}\n`, 'stdout');
    this.close();
  }

  /** The step in progress failed (or the build before any step). */
  fail(message: string): void {
    if (!this.current) this.open('[internal] build');
    this.close(message);
  }
}
