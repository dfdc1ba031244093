/**
 * What the compose loader hands the mapper: the stack's files read, merged, interpolated and
 * filtered as docker compose would, before anything is translated to bosun's model. The split
 * keeps compose's file rules (merge, extends, profiles, variables) apart from its meaning.
 */
import type { SourceLocation } from '../../model/desired.ts';

/** A compose file's top level after loading: compose-spec shape, short or long syntax as written. */
export interface ComposeModel {
  name?: string;
  services: Record<string, Record<string, unknown>>;
  networks?: Record<string, Record<string, unknown> | null>;
  volumes?: Record<string, Record<string, unknown> | null>;
  configs?: Record<string, Record<string, unknown>>;
  secrets?: Record<string, Record<string, unknown>>;
}

/** A path inside the model, as compose names it: `['services', 'web', 'volumes', 1]`. */
export type ComposePath = readonly (string | number)[];

export interface LoadedCompose {
  /** compose's rules: the --project given, else `name:`, else the folder name; normalised */
  project: string;
  model: ComposeModel;
  /** where a value was written (the last file that set it); the file's start when unknown */
  locate(path: ComposePath): SourceLocation;
  /** the compose files read, in merge order, relative to the repo root */
  files: string[];
  /** the stack's folder relative to the repo root ('' for the root) */
  dir: string;
}
