/**
 * Indexing a fetched pack with bounded memory. isomorphic-git inflates every object whole to
 * name it, so a 1 GiB blob of zeros (1 MB compressed) cost gigabytes. Here an object over the
 * in-memory limit is inflated as a stream straight into its hash, never held; only deltas, whose
 * result must be built from a base, are held, and only up to a limit.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { BosunError, Codes } from '../errors.ts';
import { inflateChunked } from './inflate.ts';
import { deltaSizes, type EntryHead, OFS_DELTA, PACK_TYPES, parseEntryHead, REF_DELTA } from './objects.ts';

/** Objects up to this size are inflated in one piece; bigger plain objects are streamed. */
const INFLATE_WHOLE_BYTES = 4 * 1024 * 1024;
/** A delta's base and result are held in memory to apply it: bigger ones are refused. */
export const MAX_DELTA_BYTES = 32 * 1024 * 1024;
/** What one fetch may hold once inflated (it is hashed, not held): bounds the CPU a small pack can cost. */
export const MAX_INFLATED_BYTES = 4 * 1024 ** 3;
/** Bases kept for the deltas that follow them; evicted ones are inflated again. */
const BASE_CACHE_BYTES = 32 * 1024 * 1024;

interface Entry extends EntryHead {
  offset: number;
  end: number;
  oid?: string;
  type?: string;
}

function corrupt(why: string): BosunError {
  return new BosunError(Codes.gitFetch, `the fetched pack is corrupt: ${why}`);
}

function hashObject(type: string, size: number): ReturnType<typeof createHash> {
  return createHash('sha1').update(`${type} ${size}\0`);
}

/** Inflates the zlib stream at `start` whole; returns it and where the next entry starts. */
function inflateWhole(pack: Buffer, start: number, size: number): { data: Buffer; end: number } {
  let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    inflated = zlib.inflateSync(pack.subarray(start), {
      info: true,
      maxOutputLength: Math.max(size, 1),
    }) as unknown as typeof inflated;
  } catch (err) {
    throw corrupt(`an object does not inflate to the ${size} bytes its header says (${(err as Error).message})`);
  }
  const { buffer, engine } = inflated;
  if (buffer.length !== size) throw corrupt(`an object holds ${buffer.length} bytes, its header says ${size}`);
  return { data: buffer, end: start + engine.bytesWritten };
}

/** Inflates a big plain object straight into its hash: memory stays at zlib's window and one chunk. */
async function inflateHashed(pack: Buffer, e: Entry, type: string): Promise<void> {
  const hash = hashObject(type, e.size);
  let seen = 0;
  const onChunk = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen <= e.size) hash.update(chunk);
  };
  const consumed = await inflateChunked(pack.subarray(e.dataStart), onChunk).catch((err: Error) => {
    throw corrupt(err.message);
  });
  if (seen !== e.size) throw corrupt(`an object holds ${seen} bytes, its header says ${e.size}`);
  e.end = e.dataStart + consumed;
  e.oid = hash.digest('hex');
}

/** Applies git's delta format: copy ranges of the base, or insert literal bytes. */
export function applyDelta(delta: Buffer, base: Buffer): Buffer {
  const sizes = deltaSizes(delta);
  if (sizes.base !== base.length) throw corrupt('a delta names a base of another size');
  const out = Buffer.alloc(sizes.result);
  let at = sizes.at;
  let written = 0;
  while (at < delta.length) {
    const op = delta[at++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += delta[at++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (16 << bit)) size += delta[at++]! * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || written + size > out.length) throw corrupt('a delta copies out of range');
      base.copy(out, written, offset, offset + size);
      written += size;
    } else if (op > 0) {
      if (written + op > out.length || at + op > delta.length) throw corrupt('a delta inserts out of range');
      delta.copy(out, written, at, at + op);
      at += op;
      written += op;
    } else throw corrupt('a delta holds the reserved opcode 0');
  }
  if (written !== out.length) throw corrupt('a delta builds fewer bytes than it names');
  return out;
}

function tooBig(size: number): BosunError {
  return new BosunError(
    Codes.gitTooLarge,
    `the repository holds an object of ${size} bytes stored as a delta; bosun unpacks deltas up to ${MAX_DELTA_BYTES} bytes`,
    { data: { size, limit: MAX_DELTA_BYTES } },
  );
}

function tooMuch(): BosunError {
  return new BosunError(
    Codes.gitTooLarge,
    `the fetch holds more than ${MAX_INFLATED_BYTES / 1024 ** 3} GiB once inflated; bosun refuses it before inflating it`,
    { data: { limit: MAX_INFLATED_BYTES } },
  );
}

/** First pass: every entry's extent, and the names of plain objects (streamed when big). */
async function scan(pack: Buffer): Promise<Entry[]> {
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') throw corrupt('no PACK header');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw corrupt(`unknown pack version ${version}`);
  const count = pack.readUInt32BE(8);
  const entries: Entry[] = [];
  let offset = 12;
  let inflated = 0;
  for (let n = 0; n < count; n++) {
    if (offset >= pack.length - 20) throw corrupt('it ends before its last object');
    const e: Entry = { ...parseEntryHead(pack, offset), offset, end: 0 };
    // from the headers, before inflating: a small pack of huge zero-filled blobs costs CPU, not memory
    inflated += e.size;
    if (inflated > MAX_INFLATED_BYTES) throw tooMuch();
    const type = PACK_TYPES[e.kind];
    if (type === undefined && e.kind !== OFS_DELTA && e.kind !== REF_DELTA) throw corrupt(`object type ${e.kind}`);
    if (type && e.size > INFLATE_WHOLE_BYTES) {
      await inflateHashed(pack, e, type);
    } else {
      if (type === undefined && e.size > MAX_DELTA_BYTES) throw tooBig(e.size);
      const { data, end } = inflateWhole(pack, e.dataStart, e.size);
      e.end = end;
      if (type) e.oid = hashObject(type, e.size).update(data).digest('hex');
    }
    e.type = type;
    entries.push(e);
    offset = e.end;
  }
  if (offset !== pack.length - 20) throw corrupt('bytes left after its last object');
  return entries;
}

/**
 * Second pass: builds each delta's result from its base, to name it. Bases stay in a cache
 * bounded in bytes (a chain's base is used by the deltas that follow); evicted ones are inflated again.
 */
class DeltaResolver {
  private readonly byOffset: Map<number, Entry>;
  private readonly byOid = new Map<string, Entry>();
  private readonly cache = new Map<number, Buffer>();
  private cached = 0;

  constructor(
    private readonly pack: Buffer,
    entries: Entry[],
  ) {
    this.byOffset = new Map(entries.map((e) => [e.offset, e]));
    for (const e of entries) if (e.oid) this.byOid.set(e.oid, e);
  }

  /** REF_DELTA bases may themselves be deltas named later: resolve in rounds until none is left. */
  resolveAll(entries: Entry[]): void {
    for (let pending = entries.filter((e) => !e.oid); pending.length > 0; ) {
      const waiting = new Set(pending.filter((e) => e.baseOid !== undefined && !this.byOid.has(e.baseOid)));
      if (waiting.size === pending.length) throw corrupt('a delta whose base is not in the pack');
      for (const e of pending) if (!waiting.has(e)) this.content(e, 0);
      pending = [...waiting];
    }
  }

  private content(e: Entry, depth: number): Buffer {
    const known = this.cache.get(e.offset);
    if (known) return known;
    if (depth > 200) throw corrupt('a delta chain too deep');
    if (e.type) {
      if (e.size > MAX_DELTA_BYTES) throw tooBig(e.size);
      return this.remember(e.offset, inflateWhole(this.pack, e.dataStart, e.size).data);
    }
    const base = e.baseOffset !== undefined ? this.byOffset.get(e.baseOffset) : this.byOid.get(e.baseOid!);
    if (!base) throw corrupt('a delta whose base is not in the pack');
    const delta = inflateWhole(this.pack, e.dataStart, e.size).data;
    const { result } = deltaSizes(delta);
    if (result > MAX_DELTA_BYTES) throw tooBig(result);
    const data = applyDelta(delta, this.content(base, depth + 1));
    e.type = base.type;
    e.oid = hashObject(e.type!, data.length).update(data).digest('hex');
    this.byOid.set(e.oid, e);
    return this.remember(e.offset, data);
  }

  private remember(offset: number, data: Buffer): Buffer {
    this.cache.set(offset, data);
    this.cached += data.length;
    for (const [key, value] of this.cache) {
      if (this.cached <= BASE_CACHE_BYTES) break;
      this.cache.delete(key);
      this.cached -= value.length;
    }
    return data;
  }
}

/** A version 2 .idx for `pack`, and the pack's name (its checksum). */
export async function indexPack(pack: Buffer): Promise<{ idx: Buffer; name: string }> {
  const trailer = pack.subarray(pack.length - 20);
  const sum = createHash('sha1')
    .update(pack.subarray(0, pack.length - 20))
    .digest();
  if (!sum.equals(trailer)) throw corrupt('its checksum does not match');
  const entries = await scan(pack);
  new DeltaResolver(pack, entries).resolveAll(entries);
  entries.sort((a, b) => (a.oid! < b.oid! ? -1 : a.oid! > b.oid! ? 1 : 0));
  return { idx: writeIdx(pack, entries, trailer), name: trailer.toString('hex') };
}

function writeIdx(pack: Buffer, entries: Entry[], packSum: Buffer): Buffer {
  const n = entries.length;
  const body = Buffer.alloc(8 + 256 * 4 + n * 28 + 20);
  body.writeUInt32BE(0xff744f63, 0);
  body.writeUInt32BE(2, 4);
  const fanout = new Array<number>(256).fill(0);
  for (const e of entries) fanout[Number.parseInt(e.oid!.slice(0, 2), 16)]!++;
  let total = 0;
  for (let i = 0; i < 256; i++) body.writeUInt32BE((total += fanout[i]!), 8 + i * 4);
  const oidsAt = 8 + 256 * 4;
  entries.forEach((e, i) => {
    body.write(e.oid!, oidsAt + i * 20, 'hex');
    body.writeUInt32BE(zlib.crc32(pack.subarray(e.offset, e.end)), oidsAt + n * 20 + i * 4);
    if (e.offset >= 0x80000000) throw corrupt('packs over 2 GiB are not supported');
    body.writeUInt32BE(e.offset, oidsAt + n * 24 + i * 4);
  });
  packSum.copy(body, oidsAt + n * 28);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
