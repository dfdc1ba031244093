import type { Backend } from '../backends/backend.ts';
import { BosunError, Codes, type Code } from '../errors.ts';
import type { KvStore } from '../ports.ts';
import { errorFields } from './log.ts';

export interface Readiness {
  ok: boolean;
  checks: Record<string, string>;
}

/**
 * `/readyz`: the engine and the store each answer within 3 s, and the controller is not
 * shutting down. A slow dependency is reported as unreachable rather than hanging the probe.
 */
export async function readiness(backend: Backend, kv: KvStore, draining: boolean): Promise<Readiness> {
  const check = (p: Promise<unknown>, code: Code) =>
    withTimeout(p, 3_000, code).then(
      () => 'ok',
      (err: unknown) => `unreachable: ${errorFields(err).message}`,
    );
  const [docker, store] = await Promise.all([
    check(backend.ping(), Codes.dockerUnreachable),
    check(kv.get('/bosun/.ready'), Codes.storeUnreachable),
  ]);
  const checks: Record<string, string> = { docker, store };
  if (draining) checks.draining = 'shutting down';
  return { ok: docker === 'ok' && store === 'ok' && !draining, checks };
}

function withTimeout<T>(p: Promise<T>, ms: number, code: Code): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new BosunError(code, `no answer in ${ms / 1000}s`)), ms)),
  );
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
