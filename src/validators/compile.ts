/**
 * ajv itself: compiling a set of schemas, at run time or into standalone code. Loaded only when
 * a set has no current generated code (index.ts) or by the build (generate.ts): ajv and its
 * compilation were ~170 ms of every start.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv2020 as AjvClass, ValidateFunction } from 'ajv/dist/2020.js';
import { BosunError, Codes } from '../errors.ts';
import type { ValidatorSet } from './sets.ts';

const require = createRequire(import.meta.url);

/** What dates generated code: the set's schemas and options, and the ajv that compiled it. */
export function setHash(set: ValidatorSet): string {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  return createHash('sha256').update(JSON.stringify({ ajvVersion, set })).digest('hex');
}

function newAjv(set: ValidatorSet, source: boolean): AjvClass {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ ...set.options, code: { source } });
  if (set.formats) (require('ajv-formats') as typeof import('ajv-formats').default)(ajv);
  // annotation-only keyword: custom messages, ignored by validation and by editors
  ajv.addVocabulary(['x-message']);
  return ajv;
}

function prepared(set: ValidatorSet, schema: object): object {
  return set.inlineRefs ? inlineRefs(schema) : schema;
}

/** Each schema of the set compiled here and now. */
export function compileSet(set: ValidatorSet): Record<string, ValidateFunction> {
  const ajv = newAjv(set, false);
  return Object.fromEntries(Object.entries(set.schemas).map(([name, s]) => [name, ajv.compile(prepared(set, s))]));
}

/** The set as one CommonJS module: a validator per schema name, and `hash` (setHash). */
export function standaloneSource(set: ValidatorSet): string {
  const standaloneCode = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js'))
    .default;
  const ajv = newAjv(set, true);
  const refs: Record<string, string> = {};
  for (const [name, schema] of Object.entries(set.schemas)) {
    const compiled = ajv.compile(prepared(set, schema));
    refs[name] = (compiled.schema as { $id: string }).$id;
  }
  return `${standaloneCode(ajv, refs)}\nexports.hash = ${JSON.stringify(setHash(set))};\n`;
}

/**
 * The schema with every local `$ref` replaced by its definition (none is recursive). ajv
 * compiles a definition that has refs of its own to a function, and merges that function's
 * errors with `concat`: 30k list items failing such a definition took 30 s. Inline code
 * pushes its errors, so the cost stays linear.
 */
export function inlineRefs<T>(schema: T): T {
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
