/**
 * Limits on how much is said about one document. Past a few dozen, the rest of its problems
 * are echoes of the first ones, and a 150k-item list of wrong types must not cost 150k
 * located, formatted and sorted issues (or a message of megabytes).
 */
import type { ManifestIssue } from '../../errors.ts';

export const MAX_ISSUES_PER_DOCUMENT = 50;

/**
 * `shown`, then one issue counting the `hidden` ones, placed where the first of them points
 * (so it sorts after the ones shown).
 */
export function withHiddenCount(
  shown: ManifestIssue[],
  firstHidden: ManifestIssue | undefined,
  hidden: number,
  what: string,
): ManifestIssue[] {
  if (hidden <= 0 || firstHidden === undefined) return shown;
  return [...shown, { ...firstHidden, path: '', message: `${hidden} more ${what} in this document` }];
}

/** The first MAX_ISSUES_PER_DOCUMENT of `issues`, then how many more there are. */
export function capped(issues: ManifestIssue[], what: string): ManifestIssue[] {
  const shown = issues.slice(0, MAX_ISSUES_PER_DOCUMENT);
  return withHiddenCount(shown, issues[shown.length], issues.length - shown.length, what);
}
