import type { IncomingMessage } from 'node:http';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** A forge sends a push payload (well under 1 MiB) in well under a second; a trickle is cut. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' | 'timeout' };

/**
 * Reads the request body, refusing more than `limit` bytes or taking longer than `deadlineMs`: a
 * declared Content-Length over the limit is refused before a byte is read, a stream that grows
 * past it stops being read, and a slow one is given up at the deadline (the caller closes it).
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  deadlineMs = DEFAULT_BODY_TIMEOUT_MS,
): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (r: BodyResult) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (!r.ok) req.pause();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, reason: 'timeout' }), deadlineMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done({ ok: false, reason: 'too-large' });
      chunks.push(chunk);
    };
    const onEnd = () => done({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = () => done({ ok: false, reason: 'aborted' });
    const onAborted = onError;
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}
