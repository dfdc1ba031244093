/**
 * ajv's errors → one short issue per problem, pointed at the right node. ajv reports every
 * failed branch of a oneOf/anyOf and a wrapper error for propertyNames; users need one line
 * saying what to change, so those are folded into the most specific message.
 */
import type { ErrorObject } from 'ajv';
import { formatIssue, type ManifestIssue } from '../errors.ts';
import { issueAt, pointerToSegments } from './locate.ts';
import type { SourceDoc } from './types.ts';

export function ajvIssues(src: SourceDoc, errors: ErrorObject[]): ManifestIssue[] {
  const seen = new Set<string>();
  const out: ManifestIssue[] = [];
  for (const e of withoutNoise(errors)) {
    const issue = toIssue(src, e);
    const key = formatIssue(issue);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

/** Drops propertyNames wrappers and the branch errors under a failed oneOf/anyOf. */
function withoutNoise(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const insideCombinator = (e: ErrorObject) =>
    combinators.some(
      (c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`) && e.instancePath.startsWith(c.instancePath),
    );
  return errors.filter((e) => e.keyword !== 'propertyNames' && !insideCombinator(e));
}

function toIssue(src: SourceDoc, e: ErrorObject): ManifestIssue {
  const at = pointerToSegments(e.instancePath, src.value);
  const message = messageOf(e);
  // errors raised by propertyNames carry the offending key: point at it
  if (e.propertyName !== undefined) return issueAt(src, [...at, e.propertyName], message, { onKey: true });
  if (e.keyword === 'required') {
    return issueAt(src, at, message, { path: [...at, String(e.params.missingProperty)] });
  }
  if (e.keyword === 'additionalProperties') {
    return issueAt(src, [...at, String(e.params.additionalProperty)], message, { onKey: true });
  }
  return issueAt(src, at, message);
}

/** A schema may word its own messages: `"x-message": { "<keyword>": "..." }`. */
function customMessage(e: ErrorObject): string | undefined {
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  const text = (custom as Record<string, unknown> | undefined)?.[e.keyword];
  return typeof text === 'string' ? text : undefined;
}

function messageOf(e: ErrorObject): string {
  const custom = customMessage(e);
  if (custom !== undefined) return custom;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `must be ${typeNames(p.type)}`;
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return `unknown field "${String(p.additionalProperty)}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minItems':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} items`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/** `integer` → `integer`; `['string','number','boolean']` → `string, number or boolean`. */
function typeNames(type: unknown): string {
  const words: Record<string, string> = { object: 'a mapping', array: 'a list' };
  const names = (Array.isArray(type) ? type : [type]).map((t) => words[String(t)] ?? String(t));
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
