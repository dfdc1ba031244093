/**
 * Shapes shared inside the manifest layer. Nothing here leaves src/manifest: the rest of the
 * pipeline sees only DesiredState and ManifestError.
 */
import type { Document, LineCounter } from 'yaml';

/** One step of a path inside a document: a mapping key or a sequence index. */
export type Segment = string | number;

/** One `apiVersion: bosun/v1` YAML document, with what is needed to point at its nodes. */
export interface SourceDoc {
  /** path relative to the manifests folder (the key in Artifact.files) */
  rel: string;
  /** path as the user sees it in the repo */
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** the document as plain JS data */
  value: Record<string, unknown>;
}

export const KINDS = ['Project', 'Service', 'Config', 'Network', 'Volume'] as const;
export type Kind = (typeof KINDS)[number];

/** A document whose kind is known; `valid` once it has passed its kind's schema. */
export interface Manifest {
  kind: Kind;
  /** metadata.name when it is a string, even if the rest of the document is invalid */
  name: string | undefined;
  src: SourceDoc;
  valid: boolean;
}

export function isKind(v: unknown): v is Kind {
  return typeof v === 'string' && (KINDS as readonly string[]).includes(v);
}

/** A manifest that passed its schema, so its name and spec can be read with the raw types. */
export type Valid<K extends Kind = Kind> = Manifest & { kind: K; name: string; valid: true };

export function validOfKind<K extends Kind>(manifests: Manifest[], kind: K): Valid<K>[] {
  return manifests.filter((m): m is Valid<K> => m.valid && m.kind === kind && m.name !== undefined);
}
