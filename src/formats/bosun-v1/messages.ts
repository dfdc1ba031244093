/**
 * ajv's errors → one short issue per problem, pointed at the right node. ajv reports every
 * failed branch of a oneOf/anyOf and a wrapper error for propertyNames; users need one line
 * saying what to change, so those are folded into the most specific message.
 */
import type { ErrorObject } from 'ajv';
import type { ManifestIssue } from '../../errors.ts';
import { MAX_ISSUES_PER_DOCUMENT, withHiddenCount } from './cap.ts';
import { issueAt, pointerToSegments } from './locate.ts';
import type { SourceDoc } from './types.ts';

export function ajvIssues(src: SourceDoc, errors: ErrorObject[]): ManifestIssue[] {
  const unique = distinct(withoutNoise(errors));
  // located only up to one past the limit: locating 150k issues cost seconds; the count of the
  // rest is placed where the first hidden one points
  const located = unique.slice(0, MAX_ISSUES_PER_DOCUMENT + 1).map((e) => toIssue(src, e));
  const shown = located.slice(0, MAX_ISSUES_PER_DOCUMENT);
  return withHiddenCount(shown, located[shown.length], unique.length - shown.length, 'problems');
}

/** Errors that would read the same, once: same node, same rule, same key. */
export function distinct(errors: ErrorObject[]): ErrorObject[] {
  // bucketed by node: most errors are alone at theirs, so this stays a cheap lookup each
  const byNode = new Map<string, ErrorObject[]>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    const here = byNode.get(e.instancePath);
    if (here?.some((other) => sameIssue(other, e))) continue;
    if (here) here.push(e);
    else byNode.set(e.instancePath, [e]);
    out.push(e);
  }
  return out;
}

function sameIssue(a: ErrorObject, b: ErrorObject): boolean {
  const pa = a.params as Record<string, unknown>;
  const pb = b.params as Record<string, unknown>;
  return (
    a.schemaPath === b.schemaPath &&
    a.propertyName === b.propertyName &&
    pa.missingProperty === pb.missingProperty &&
    pa.additionalProperty === pb.additionalProperty
  );
}

/**
 * Drops propertyNames wrappers, `if` wrappers (their `then` error says what is wrong) and the
 * branch errors under a failed oneOf/anyOf.
 */
export function withoutNoise(all: ErrorObject[]): ErrorObject[] {
  const errors = all.filter((e) => e.keyword !== 'if');
  // indexed by instancePath: comparing every error with every combinator was quadratic
  const combinators = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    const here = combinators.get(e.instancePath) ?? [];
    here.push(e);
    combinators.set(e.instancePath, here);
  }
  if (combinators.size === 0) return errors.filter((e) => e.keyword !== 'propertyNames');
  const insideCombinator = (e: ErrorObject) =>
    ancestors(e.instancePath).some((at) =>
      (combinators.get(at) ?? []).some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`)),
    );
  return errors.filter((e) => e.keyword !== 'propertyNames' && !insideCombinator(e));
}

/** `/spec/volumes/0` → `''`, `/spec`, `/spec/volumes`, `/spec/volumes/0`. */
function ancestors(pointer: string): string[] {
  const out = [''];
  for (let i = pointer.indexOf('/', 1); i !== -1; i = pointer.indexOf('/', i + 1)) out.push(pointer.slice(0, i));
  if (pointer !== '') out.push(pointer);
  return out;
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

export function messageOf(e: ErrorObject): string {
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
