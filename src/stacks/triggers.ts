/**
 * Path-scoped triggers (pure): of the stacks a revision declares, the ones a pass must plan —
 * new to this controller, or made of something that changed since it last handled them — and
 * the ones that left the repo. The rest are not even observed.
 */
import { changeOf, type Fingerprint } from './artifacts.ts';

export type TouchReason =
  /** the controller has not handled it since it started */
  | 'start'
  /** a folder that appeared in the repo */
  | 'added'
  /** its folder's tree changed */
  | 'changed'
  /** a file or folder it reads from outside its folder changed */
  | 'inputs'
  /** its last pass failed for a reason that may pass (engine, store, lock): tried again */
  | 'retry';

export interface Touch {
  path: string;
  reason: TouchReason;
}

export interface Selection {
  touched: Touch[];
  /** stacks the revision did not change: not planned */
  untouched: string[];
  /** stacks this controller knew that the revision no longer declares */
  gone: string[];
}

export interface KnownStack {
  /** what the stack was made of when its last pass ended with a decision (applied, no-op, refused) */
  handled?: Fingerprint;
  /** its last pass failed in a way worth trying again */
  retry?: boolean;
}

/** `now`: fingerprints of the revision's stacks; `known`: what this controller remembers. */
export function selectStacks(
  now: ReadonlyMap<string, Fingerprint>,
  known: ReadonlyMap<string, KnownStack>,
  firstPass: boolean,
): Selection {
  const out: Selection = { touched: [], untouched: [], gone: [] };
  for (const [path, fp] of now) {
    const reason = reasonFor(known.get(path), fp, firstPass);
    if (reason) out.touched.push({ path, reason });
    else out.untouched.push(path);
  }
  for (const path of known.keys()) if (!now.has(path)) out.gone.push(path);
  return out;
}

function reasonFor(k: KnownStack | undefined, fp: Fingerprint, firstPass: boolean): TouchReason | undefined {
  if (!k) return firstPass ? 'start' : 'added';
  const change = k.handled ? changeOf(k.handled, fp) : undefined;
  if (change) return change;
  if (k.retry) return 'retry';
  return k.handled ? undefined : 'start';
}
