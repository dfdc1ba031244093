/**
 * Inflating a zlib stream of any size in chunks, for a caller that only looks at each chunk
 * once (a hash): memory stays at zlib's window and one chunk, whatever the stream holds.
 */
import zlib from 'node:zlib';

/** Output chunks: large enough that 1 GiB is a thousand callbacks. */
const STREAM_CHUNK_BYTES = 1024 * 1024;

/** Inflates the zlib stream at the start of `input`; returns how many input bytes it took. */
export async function inflateChunked(input: Buffer, onChunk: (chunk: Buffer) => void): Promise<number> {
  return inflateSyncChunked(input, onChunk) ?? (await inflateStream(input, onChunk));
}

/**
 * Node's zlib binding, driven synchronously into ONE reused output buffer. The stream API
 * allocates a fresh buffer per output chunk, and V8 only collects them after ~64 MB of such
 * garbage: a streamed gigabyte then costs tens of MB of RSS. Internal API, guarded: without it
 * we fall back to the stream.
 */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Buffer,
    inOff: number,
    inLen: number,
    out: Buffer,
    outOff: number,
    outLen: number,
  ): void;
}

function inflateSyncChunked(input: Buffer, onChunk: (chunk: Buffer) => void): number | undefined {
  const inflate = zlib.createInflate() as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
  const handle = inflate._handle;
  const state = inflate._writeState;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array)) return undefined;
  const kError = Object.getOwnPropertySymbols(inflate).find((sym) => sym.description === 'kError');
  const out = Buffer.allocUnsafe(STREAM_CHUNK_BYTES);
  let inOff = 0;
  try {
    for (;;) {
      handle.writeSync(zlib.constants.Z_FINISH, input, inOff, input.length - inOff, out, 0, out.length);
      const failure = kError && (inflate as unknown as Record<symbol, Error | undefined>)[kError];
      if (failure) throw failure;
      const [availOut, availIn] = [state[0]!, state[1]!];
      onChunk(out.subarray(0, out.length - availOut));
      inOff = input.length - availIn;
      if (availOut !== 0) return inOff;
    }
  } finally {
    (inflate as unknown as zlib.Inflate).close();
  }
}

function inflateStream(input: Buffer, onChunk: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflate = zlib.createInflate({ chunkSize: STREAM_CHUNK_BYTES });
    inflate.on('data', onChunk);
    inflate.on('error', reject);
    inflate.on('end', () => resolve(inflate.bytesWritten));
    inflate.end(input);
  });
}
