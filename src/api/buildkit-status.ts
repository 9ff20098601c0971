/**
 * api/buildkit-status — BuildKit's progress message, `moby.buildkit.v1.StatusResponse`
 * (buildkit api/services/control/control.proto), in protobuf wire format:
 * what dockerd sends base64-encoded as the `aux` of `{"id": "moby.buildkit.trace"}`
 * lines of `POST /build?version=2`, and what a BuildKit client's progress
 * view (docker buildx, dockerode's followProgress) decodes. Encoder and a
 * decoder of the same subset (for tests and clients). Pure; imports nothing.
 *
 *   StatusResponse { repeated Vertex vertexes = 1; repeated VertexStatus statuses = 2; repeated VertexLog logs = 3; }
 *   Vertex         { string digest = 1; repeated string inputs = 2; string name = 3; bool cached = 4;
 *                    Timestamp started = 5; Timestamp completed = 6; string error = 7; }
 *   VertexStatus   { string ID = 1; string vertex = 2; string name = 3; int64 current = 4; int64 total = 5;
 *                    Timestamp timestamp = 6; Timestamp started = 7; Timestamp completed = 8; }
 *   VertexLog      { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3; bytes msg = 4; }
 *   Timestamp      { int64 seconds = 1; int32 nanos = 2; }
 */

export interface BkVertex { digest: string; inputs?: string[]; name: string; cached?: boolean; started?: Date; completed?: Date; error?: string }
export interface BkVertexStatus { id: string; vertex: string; name?: string; current: number; total?: number; timestamp: Date; started?: Date; completed?: Date }
export interface BkVertexLog { vertex: string; timestamp: Date; stream: 1 | 2; msg: Buffer }
export interface BkStatus { vertexes?: BkVertex[]; statuses?: BkVertexStatus[]; logs?: BkVertexLog[] }

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt(Math.trunc(n));
  if (v < 0n) v += 1n << 64n; // int64 two's complement, as protobuf encodes negatives
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return Buffer.from(out);
}

const key = (field: number, wire: 0 | 2) => varint((field << 3) | wire);
const bytesField = (field: number, b: Buffer | string) => { const buf = Buffer.isBuffer(b) ? b : Buffer.from(b); return Buffer.concat([key(field, 2), varint(buf.length), buf]); };
const intField = (field: number, n: number) => (n ? Buffer.concat([key(field, 0), varint(n)]) : Buffer.alloc(0));
const strField = (field: number, s: string | undefined) => (s ? bytesField(field, s) : Buffer.alloc(0));

function timestamp(field: number, d: Date | undefined): Buffer {
  if (!d) return Buffer.alloc(0);
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return bytesField(field, Buffer.concat([intField(1, seconds), intField(2, (ms - seconds * 1000) * 1e6)]));
}

function vertex(v: BkVertex): Buffer {
  return Buffer.concat([strField(1, v.digest), ...(v.inputs ?? []).map((i) => bytesField(2, i)), strField(3, v.name), intField(4, v.cached ? 1 : 0), timestamp(5, v.started), timestamp(6, v.completed), strField(7, v.error)]);
}

function vertexStatus(s: BkVertexStatus): Buffer {
  return Buffer.concat([strField(1, s.id), strField(2, s.vertex), strField(3, s.name), intField(4, s.current), intField(5, s.total ?? 0), timestamp(6, s.timestamp), timestamp(7, s.started), timestamp(8, s.completed)]);
}

function vertexLog(l: BkVertexLog): Buffer {
  return Buffer.concat([strField(1, l.vertex), timestamp(2, l.timestamp), intField(3, l.stream), bytesField(4, l.msg)]);
}

export function encodeStatus(s: BkStatus): Buffer {
  return Buffer.concat([
    ...(s.vertexes ?? []).map((v) => bytesField(1, vertex(v))),
    ...(s.statuses ?? []).map((v) => bytesField(2, vertexStatus(v))),
    ...(s.logs ?? []).map((l) => bytesField(3, vertexLog(l))),
  ]);
}

// ---- decoding (the same subset) ------------------------------------------------

type Fields = Map<number, (bigint | Buffer)[]>;

function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let i = 0;
  const readVarint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const k = Number(readVarint());
    const f = k >> 3;
    const wire = k & 7;
    let val: bigint | Buffer;
    if (wire === 0) val = readVarint();
    else if (wire === 2) {
      const len = Number(readVarint());
      if (i + len > buf.length) throw new Error('truncated field');
      val = buf.subarray(i, i + len);
      i += len;
    } else throw new Error(`unsupported wire type ${wire}`);
    out.set(f, [...(out.get(f) ?? []), val]);
  }
  return out;
}

const str = (f: Fields, n: number) => (f.get(n)?.[0] as Buffer | undefined)?.toString() ?? '';
const int = (f: Fields, n: number) => Number((f.get(n)?.[0] as bigint | undefined) ?? 0n);
const time = (f: Fields, n: number): Date | undefined => {
  const b = f.get(n)?.[0] as Buffer | undefined;
  if (!b) return undefined;
  const t = fields(b);
  return new Date(int(t, 1) * 1000 + Math.round(int(t, 2) / 1e6));
};

export function decodeStatus(buf: Buffer): Required<BkStatus> {
  const f = fields(buf);
  return {
    vertexes: (f.get(1) ?? []).map((b) => {
      const v = fields(b as Buffer);
      return { digest: str(v, 1), inputs: (v.get(2) ?? []).map((x) => (x as Buffer).toString()), name: str(v, 3), cached: int(v, 4) === 1, started: time(v, 5), completed: time(v, 6), error: str(v, 7) || undefined };
    }),
    statuses: (f.get(2) ?? []).map((b) => {
      const v = fields(b as Buffer);
      return { id: str(v, 1), vertex: str(v, 2), name: str(v, 3) || undefined, current: int(v, 4), total: int(v, 5) || undefined, timestamp: time(v, 6)!, started: time(v, 7), completed: time(v, 8) };
    }),
    logs: (f.get(3) ?? []).map((b) => {
      const v = fields(b as Buffer);
      return { vertex: str(v, 1), timestamp: time(v, 2)!, stream: int(v, 3) as 1 | 2, msg: Buffer.from((v.get(4)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)) };
    }),
  };
}
