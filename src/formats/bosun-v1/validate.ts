/**
 * One document against its kind's JSON Schema (the same files editors use), after checking
 * the envelope ourselves so an unknown kind gets one clear message instead of five schema
 * mismatches.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import configSchema from '../../../schemas/config.schema.json' with { type: 'json' };
import networkSchema from '../../../schemas/network.schema.json' with { type: 'json' };
import projectSchema from '../../../schemas/project.schema.json' with { type: 'json' };
import serviceSchema from '../../../schemas/service.schema.json' with { type: 'json' };
import volumeSchema from '../../../schemas/volume.schema.json' with { type: 'json' };
import { BosunError, Codes, type ManifestIssue } from '../../errors.ts';
import { issueAt } from './locate.ts';
import { ajvIssues } from './messages.ts';
import { isKind, KINDS, type Kind, type Manifest, type SourceDoc } from './types.ts';

const ajv = new Ajv2020({
  allErrors: true, // every problem at once, not the first per document
  verbose: true, // errors carry parentSchema, where our x-message wording lives
  strict: true,
  strictRequired: false, // `oneOf: [{required: [volume]}, ...]` names properties declared one level up
  allowUnionTypes: true, // env values: string | number | boolean
});
addFormats.default(ajv);
// annotation-only keyword: custom messages, ignored by validation and by editors
ajv.addVocabulary(['x-message']);

const validators: Record<Kind, ValidateFunction> = {
  Project: ajv.compile(inlined(projectSchema)),
  Service: ajv.compile(inlined(serviceSchema)),
  Config: ajv.compile(inlined(configSchema)),
  Network: ajv.compile(inlined(networkSchema)),
  Volume: ajv.compile(inlined(volumeSchema)),
};

/**
 * The schema with every local `$ref` replaced by its definition (none is recursive). ajv
 * compiles a definition that has refs of its own to a function, and merges that function's
 * errors with `concat`: 30k list items failing such a definition took 30 s. Inline code
 * pushes its errors, so the cost stays linear.
 */
export function inlined<T>(schema: T): T {
  const defs = (schema as { $defs?: Record<string, unknown> }).$defs ?? {};
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const { $ref, ...rest } = node as Record<string, unknown>;
    const own = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, walk(v)]));
    if ($ref === undefined) return own;
    const def = defs[String($ref).replace('#/$defs/', '')];
    if (def === undefined) throw new BosunError(Codes.internal, `schema: unknown $ref ${String($ref)}`);
    // siblings of a $ref (description, default) only annotate it
    return { ...(walk(def) as object), ...own };
  };
  return walk(schema) as T;
}

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
  const validate = validators[kind];
  const valid = validate(src.value);
  const metadata = src.value.metadata as Record<string, unknown> | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  return {
    manifest: { kind, name, src, valid },
    issues: valid ? [] : ajvIssues(src, validate.errors ?? []),
  };
}
