/**
 * One document against its kind's JSON Schema (the same files editors use), after checking
 * the envelope ourselves so an unknown kind gets one clear message instead of five schema
 * mismatches.
 */
import type { ValidateFunction } from 'ajv';
import type { ManifestIssue } from '../../errors.ts';
import { issueAt } from './locate.ts';
import { ajvIssues } from './messages.ts';
import { isKind, KINDS, type Kind, type Manifest, type SourceDoc } from './types.ts';
import { validatorsOf } from '../../validators/index.ts';

/** Compiled at build time (src/validators/), loaded on the first document. */
let validators: Record<Kind, ValidateFunction> | undefined;

export interface Validated {
  /** absent when the kind is missing or unknown: nothing else can be said about the document */
  manifest?: Manifest;
  issues: ManifestIssue[];
}

export function validateDocument(src: SourceDoc): Validated {
  const kind = src.value.kind;
  if (kind === undefined) return { issues: [issueAt(src, [], 'is required', { path: ['kind'] })] };
  if (!isKind(kind)) {
    const expected = `${KINDS.slice(0, -1).join(', ')} or ${KINDS[KINDS.length - 1]}`;
    return { issues: [issueAt(src, ['kind'], `unknown kind "${String(kind)}" (expected ${expected})`)] };
  }
  validators ??= validatorsOf('manifests');
  const validate = validators[kind];
  const valid = validate(src.value);
  const metadata = src.value.metadata as Record<string, unknown> | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  return {
    manifest: { kind, name, src, valid },
    issues: valid ? [] : ajvIssues(src, validate.errors ?? []),
  };
}
