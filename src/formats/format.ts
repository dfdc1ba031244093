/**
 * The seam between a repo's files and everything downstream. Plan, apply, releases and the
 * controller only ever see a DesiredState, so a new manifest format is one implementation of
 * this interface added to the list in ./index.ts, and nothing else changes.
 */
import type { DesiredState } from '../model/desired.ts';
import type { Artifact } from '../ports.ts';

export interface LoadOptions {
  /** overrides the project name the files give (the CLI's --project) */
  project?: string;
  /** compose's active profiles (the CLI's --profile); formats without profiles ignore them */
  profiles?: string[];
  /**
   * controller-host variables a format may read (compose's interpolation, `KEY` without a
   * value, secrets from `environment:`): only those the operator allowed (--env-allow), never
   * the whole environment
   */
  hostEnv?: Record<string, string>;
}

export interface DesiredStateFormat {
  /** for messages and tests, e.g. `bosun/v1` */
  readonly name: string;
  /**
   * Whether the artifact holds this format's files. Asked of every format on every load, so it
   * must stay cheap: file names and a byte scan, never a full parse. A file the source left
   * unread (`artifact.skipped`) counts when it would be one of this format's files, so a repo
   * whose manifest is too large is still judged by the format that can say so.
   */
  recognises(artifact: Artifact): boolean;
  /**
   * The whole desired state, or one ManifestError holding every issue found, each located
   * (file named from the repo root, line and column from 1) so the user can fix them in one go.
   * A skipped file of this format is one of those issues: left out, it would look deleted.
   * Pure: the same artifact always gives the same answer, so a result may be cached by tree.
   */
  load(artifact: Artifact, opts: LoadOptions): DesiredState;
  /**
   * The project's name without judging the rest of the repo (history commands must work while
   * HEAD is broken); undefined when the files name none. Throws only when the artifact cannot
   * be read as this format at all, as when one of its files was too large to read.
   */
  projectName(artifact: Artifact): string | undefined;
  /**
   * Paths outside the artifact's folder (relative to the repo root: a shared `.env`, a build
   * context) whose content the desired state depends on. A controller of many stacks plans a
   * stack again when one of them changes, as when its own folder does. Absent: none.
   */
  inputs?(artifact: Artifact): string[];
}
