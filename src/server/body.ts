import type { IncomingMessage } from 'node:http';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads the request body, refusing more than `limit` bytes: a declared Content-Length over the
 * limit is refused before a byte is read, and a stream that grows past it stops being read.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (r: BodyResult) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        return done({ ok: false, reason: 'too-large' });
      }
      chunks.push(chunk);
    };
    const onEnd = () => done({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = () => done({ ok: false, reason: 'aborted' });
    const onAborted = onError;
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}
