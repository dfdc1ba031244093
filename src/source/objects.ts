/**
 * An object's type and size from its header alone, never from its content: a pack entry's
 * varint header (plus, for a delta, the first bytes of the delta naming the result's size),
 * or the first bytes of a loose object. So a blob of any size can be refused before a byte of
 * it is inflated, whatever the repo holds.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import zlib from 'node:zlib';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface ObjectHeader {
  type: ObjectType;
  size: number;
}

export const PACK_TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
export const OFS_DELTA = 6;
export const REF_DELTA = 7;

/** A pack entry's head: its type number, its (inflated) size, and where its data starts. */
export interface EntryHead {
  kind: number;
  size: number;
  dataStart: number;
  /** OFS_DELTA: the base's offset in the same pack */
  baseOffset?: number;
  /** REF_DELTA: the base's oid */
  baseOid?: string;
}

/** Parses the entry head at `at` in `buf`, where `buf` begins at pack offset `bufStart`. */
export function parseEntryHead(buf: Uint8Array, at: number, bufStart = 0): EntryHead {
  let i = at;
  let c = buf[i++]!;
  const kind = (c >> 4) & 7;
  let size = c & 15;
  let scale = 16;
  while (c & 0x80) {
    c = buf[i++]!;
    size += (c & 0x7f) * scale;
    scale *= 128;
  }
  if (kind === OFS_DELTA) {
    c = buf[i++]!;
    let back = c & 0x7f;
    while (c & 0x80) {
      c = buf[i++]!;
      back = (back + 1) * 128 + (c & 0x7f);
    }
    return { kind, size, dataStart: bufStart + i, baseOffset: bufStart + at - back };
  }
  if (kind === REF_DELTA) {
    const baseOid = Buffer.from(buf.subarray(i, i + 20)).toString('hex');
    return { kind, size, dataStart: bufStart + i + 20, baseOid };
  }
  return { kind, size, dataStart: bufStart + i };
}

/** A delta's data begins with two varints: the base's size, then the result's. */
export function deltaSizes(delta: Uint8Array): { base: number; result: number; at: number } {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    let c: number;
    do {
      c = delta[at++] ?? 0;
      value += (c & 0x7f) * scale;
      scale *= 128;
    } while (c & 0x80 && at < delta.length);
    return value;
  };
  const base = varint();
  return { base, result: varint(), at };
}

/** The first bytes of a zlib stream, without inflating the rest (nor failing on the cut). */
function inflateHead(compressed: Uint8Array): Buffer {
  return zlib.inflateSync(compressed, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

/** Enough compressed bytes for a dynamic Huffman table and the first output bytes after it. */
const HEAD_BYTES = 1024;

interface PackIndex {
  oids: Buffer;
  count: number;
  offsets: Buffer;
  large: Buffer;
  pack: string;
}

const indexes = new Map<string, { mtimeMs: number; index: PackIndex }>();

/** Reads (once per file version) a version 2 pack index: oids sorted, offsets beside them. */
async function loadIndex(path: string): Promise<PackIndex | undefined> {
  const { mtimeMs } = await stat(path);
  const known = indexes.get(path);
  if (known?.mtimeMs === mtimeMs) return known.index;
  const buf = await readFile(path);
  if (buf.readUInt32BE(0) !== 0xff744f63 || buf.readUInt32BE(4) !== 2) return undefined;
  const count = buf.readUInt32BE(8 + 255 * 4);
  const oidsAt = 8 + 256 * 4;
  const offsetsAt = oidsAt + count * 20 + count * 4;
  const index: PackIndex = {
    oids: buf.subarray(oidsAt, oidsAt + count * 20),
    count,
    offsets: buf.subarray(offsetsAt, offsetsAt + count * 4),
    large: buf.subarray(offsetsAt + count * 4, buf.length - 40),
    pack: path.replace(/\.idx$/, '.pack'),
  };
  indexes.set(path, { mtimeMs, index });
  return index;
}

function findOffset(index: PackIndex, oid: Buffer): number | undefined {
  let lo = 0;
  let hi = index.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const cmp = index.oids.compare(oid, 0, 20, mid * 20, mid * 20 + 20) * -1;
    if (cmp === 0) {
      const small = index.offsets.readUInt32BE(mid * 4);
      if (!(small & 0x80000000)) return small;
      return Number(index.large.readBigUInt64BE((small & 0x7fffffff) * 8));
    }
    if (cmp < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return undefined;
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Follows a chain of deltas down to the base that names the type; the size is the first delta's result. */
async function packedHeader(gitdir: string, index: PackIndex, offset: number): Promise<ObjectHeader | undefined> {
  let size: number | undefined;
  let at = offset;
  for (let depth = 0; depth < 100; depth++) {
    const buf = await readAt(index.pack, at, HEAD_BYTES);
    const head = parseEntryHead(buf, 0, at);
    if (head.kind in PACK_TYPES) return { type: PACK_TYPES[head.kind]!, size: size ?? head.size };
    if (size === undefined) {
      const start = head.dataStart - at;
      size = deltaSizes(inflateHead(buf.subarray(start))).result;
    }
    if (head.baseOffset !== undefined) at = head.baseOffset;
    else return withSize(await objectHeader(gitdir, head.baseOid!), size);
  }
  return undefined;
}

function withSize(base: ObjectHeader | undefined, size: number): ObjectHeader | undefined {
  return base && { type: base.type, size };
}

async function looseHeader(gitdir: string, oid: string): Promise<ObjectHeader | undefined> {
  const path = join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  let head: Buffer;
  try {
    head = inflateHead(await readAt(path, 0, HEAD_BYTES));
  } catch {
    return undefined;
  }
  const match = /^(commit|tree|blob|tag) (\d+)\0/.exec(head.toString('latin1'));
  return match ? { type: match[1] as ObjectType, size: Number(match[2]) } : undefined;
}

/** The type and size of `oid`, read from headers only; undefined when the repo lacks it. */
export async function objectHeader(gitdir: string, oid: string): Promise<ObjectHeader | undefined> {
  const loose = await looseHeader(gitdir, oid);
  if (loose) return loose;
  const dir = join(gitdir, 'objects', 'pack');
  const names = await readdir(dir).catch(() => [] as string[]);
  const key = Buffer.from(oid, 'hex');
  for (const name of names.filter((n) => n.endsWith('.idx'))) {
    const index = await loadIndex(join(dir, name)).catch(() => undefined);
    const offset = index && findOffset(index, key);
    if (offset !== undefined) return packedHeader(gitdir, index!, offset);
  }
  return undefined;
}
