/**
 * distribution/progress — the progress events pull and push report, in
 * Docker's vocabulary (`Pulling fs layer`, `Downloading`, `Pull complete`,
 * `Pushing`, `Layer already exists`, …) so the engine can stream them as
 * JSON messages unchanged. `id` is the short (12 hex) blob digest or a tag.
 */
export interface ProgressEvent {
  id?: string;
  status: string;
  current?: number;
  total?: number;
}

export type ProgressSink = (ev: ProgressEvent) => void;

export const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** Rate-limit `Downloading`/`Pushing` updates per id (~10/s), always passing first and last. */
export function throttled(sink: ProgressSink, intervalMs = 100): (ev: ProgressEvent) => void {
  const last = new Map<string, number>();
  return (ev) => {
    const key = `${ev.id}:${ev.status}`;
    const now = Date.now();
    const done = ev.current !== undefined && ev.total !== undefined && ev.current >= ev.total;
    if (!done && now - (last.get(key) ?? 0) < intervalMs) return;
    last.set(key, now);
    sink(ev);
  };
}
