/** One HTTP attempt: the status and Retry-After, or why there was no answer, in words safe to log. */
import { describeFetchFailure } from '../../source/redact.ts';
import type { OutgoingRequest } from './targets.ts';

export interface Answer {
  /** absent: no answer (network, timeout) */
  status?: number;
  retryAfter?: string;
  /** no answer: why, in a few words */
  cause?: string;
}

export type Send = (req: OutgoingRequest, timeoutMs: number, signal?: AbortSignal) => Promise<Answer>;

/** Node's fetch; the body of the answer is read and dropped (it may be large, and is not needed). */
export const httpSend: Send = async (req, timeoutMs, signal) => {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status, retryAfter: res.headers.get('retry-after') ?? undefined };
  } catch (err) {
    if (timeout.aborted) return { cause: `no answer within ${timeoutMs} ms` };
    if (signal?.aborted) return { cause: 'cancelled: the controller is stopping' };
    const e = err as { cause?: unknown };
    return { cause: describeFetchFailure(e.cause ?? err).cause };
  }
};
