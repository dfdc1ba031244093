/**
 * The formats a repo may be written in, and the two questions the rest of bosun asks of a
 * repo. Callers never name a format: the artifact's files pick it, so supporting a new one
 * means adding it to DEFAULT_FORMATS and touches nothing in cli/, server/, plan/ or release/.
 */
import { BosunError, Codes } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import type { Artifact } from '../ports.ts';
import { bosunV1 } from './bosun-v1/index.ts';
import { composeFormat } from './compose/index.ts';
import type { DesiredStateFormat, LoadOptions } from './format.ts';

export type { DesiredStateFormat, LoadOptions } from './format.ts';

/** The first format that recognises an artifact reads it: put narrower formats first. */
export const DEFAULT_FORMATS: readonly DesiredStateFormat[] = [composeFormat, bosunV1];

/**
 * A repo no format recognises (empty, or YAML of other tools only) is still judged as bosun/v1,
 * whose issues tell the user what is missing: "a Project manifest or --project is required".
 */
const FALLBACK: DesiredStateFormat = bosunV1;

export function formatOf(
  artifact: Artifact,
  formats: readonly DesiredStateFormat[] = DEFAULT_FORMATS,
): DesiredStateFormat {
  return formats.find((f) => f.recognises(artifact)) ?? FALLBACK;
}

/** Throws ManifestError with every located issue of the repo. */
export function loadDesiredState(
  artifact: Artifact,
  opts: LoadOptions = {},
  formats: readonly DesiredStateFormat[] = DEFAULT_FORMATS,
): DesiredState {
  return formatOf(artifact, formats).load(artifact, opts);
}

/** The project's name, leniently (see DesiredStateFormat.projectName); a usage error without one. */
export function projectNameOf(artifact: Artifact, formats: readonly DesiredStateFormat[] = DEFAULT_FORMATS): string {
  const name = formatOf(artifact, formats).projectName(artifact);
  if (name !== undefined) return name;
  throw new BosunError(
    Codes.usage,
    `no Project manifest found in ${artifact.repo}${artifact.path ? `/${artifact.path}` : ''}: name the project with --project`,
  );
}

/** What the artifact's format reads from outside its folder (see DesiredStateFormat.inputs). */
export function inputsOf(artifact: Artifact, formats: readonly DesiredStateFormat[] = DEFAULT_FORMATS): string[] {
  return formatOf(artifact, formats).inputs?.(artifact) ?? [];
}
