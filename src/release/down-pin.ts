import type { KvStore } from '../ports.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import { clearPin, readPin, type Pin } from './pin.ts';

/**
 * `bosun down` pins the project at its down release, recording the git revision it was taken
 * down at: until git moves past that revision (a new commit) or `bosun resume`, nothing brings
 * the stack back — not serve's polls, webhooks or drift repair, nor a reconcile — so the CLI and
 * a running controller never fight. A rollback's pin holds whatever git does.
 */
export function pinHolding(pin: Pin | undefined, revision: string): Pin | undefined {
  if (!pin?.down) return pin;
  return pin.down.revision === revision ? pin : undefined;
}

/** After git at `revision` was applied: a down pin that revision went past is done with. */
export async function clearLapsedDown(
  kv: KvStore,
  sealer: RecordSealer,
  project: string,
  revision: string,
): Promise<void> {
  const pin = await readPin(kv, sealer, project);
  if (pin?.down && pin.down.revision !== revision) await clearPin(kv, project);
}

/** How a pin reads for people: a rollback's, or a down's. */
export function pinnedText(pin: Pin): string {
  if (pin.down)
    return `taken down at release ${pin.release} (by ${pin.by} at ${pin.at}, git at ${pin.down.revision.slice(0, 12) || '(unknown)'}); a new commit or 'bosun resume' brings it back`;
  return `pinned at release ${pin.release} (by ${pin.by} at ${pin.at}); 'bosun resume' follows git again`;
}
