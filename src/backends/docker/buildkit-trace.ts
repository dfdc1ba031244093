/**
 * BuildKit's progress as the engine's /build API sends it with `version=2`: aux messages with id
 * `moby.buildkit.trace`, each a base64 protobuf StatusResponse (moby/buildkit's control.proto):
 * vertexes (steps) = 1, statuses = 2, logs = 3. Decoded here by hand (a few fields of a stable
 * wire format) into readable lines, like the classic builder's "Step 2/3 : …". Pure.
 */

type Field = { no: number; wire: number; value: bigint | Buffer };

/** The fields of one message, in order; stops quietly at anything it cannot read. */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; at < buf.length; shift += 7n) {
      const b = buf[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
    throw new RangeError('truncated varint');
  };
  try {
    while (at < buf.length) {
      const key = Number(varint());
      const wire = key & 7;
      const no = key >>> 3;
      if (wire === 0) out.push({ no, wire, value: varint() });
      else if (wire === 2) {
        const len = Number(varint());
        out.push({ no, wire, value: buf.subarray(at, at + len) });
        at += len;
      } else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else break;
    }
  } catch {
    // a truncated message: what was read stands
  }
  return out;
}

const text = (f: Field | undefined) => (f && Buffer.isBuffer(f.value) ? f.value.toString('utf8') : undefined);

export interface TraceReader {
  /** The readable lines one trace message adds: each step once as it starts, its output, its error. */
  lines(aux: string): string[];
}

/** One per build, so that a step repeated across messages is shown once, as the classic builder's are. */
export function traceReader(): TraceReader {
  const shown = new Set<string>();
  const failed = new Set<string>();
  return {
    lines(aux) {
      const out: string[] = [];
      for (const f of fields(Buffer.from(aux, 'base64'))) {
        if (!Buffer.isBuffer(f.value)) continue;
        if (f.no === 1) out.push(...vertexLines(fields(f.value), shown, failed));
        else if (f.no === 3) out.push(...logLines(fields(f.value)));
      }
      return out;
    },
  };
}

/** A step's name when it starts (CACHED when it will not run), then ERROR and the reason if it fails. */
function vertexLines(v: Field[], shown: Set<string>, failed: Set<string>): string[] {
  const get = (no: number) => v.find((f) => f.no === no);
  const digest = text(get(1)) ?? '';
  const name = text(get(3)) ?? '';
  const error = text(get(7));
  const cached = get(4)?.value === 1n;
  const out: string[] = [];
  // bosun's own context upload is no step of the user's Dockerfile
  const internal = name.startsWith('[internal]') || name === 'copy /context /';
  if ((get(5) || cached) && !shown.has(digest) && !internal) {
    shown.add(digest);
    out.push(cached ? `${name} CACHED` : name);
  }
  if (error && !failed.has(digest)) {
    failed.add(digest);
    out.push(`${name} ERROR: ${error}`);
  }
  return out;
}

function logLines(l: Field[]): string[] {
  const msg = text(l.find((f) => f.no === 4)) ?? '';
  return msg.split('\n').filter((line) => line.trim() !== '');
}
