import type { HttpLimits } from '../limits.ts';
import { DeliveryLog } from './dedupe.ts';
import type { WebhookDeps } from './handler.ts';
import { TokenBuckets } from './rate-limit.ts';
import type { Provider } from './verify.ts';

export interface WebhookSettings {
  secret: string | undefined;
  providers: ReadonlySet<Provider>;
  maxBodyBytes: number;
  /** deliveries per minute (and burst) from one remote address */
  ratePerMinute: number;
  repo: string;
  ref: string | undefined;
}

/** The webhook handler's state for one server: dedupe log, rate buckets, bodies in flight, on the real clock. */
export function webhookDeps(
  s: WebhookSettings,
  limits: HttpLimits,
  hooks: Pick<WebhookDeps, 'accepting' | 'onPush'>,
): WebhookDeps {
  return {
    ...s,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    deliveries: new DeliveryLog(),
    rate: new TokenBuckets({ burst: s.ratePerMinute, perSecond: s.ratePerMinute / 60 }),
    bodies: { inFlight: 0, max: limits.maxBodiesInFlight },
    now: () => Date.now(),
    ...hooks,
  };
}
