/**
 * The merged model against schemas/compose.schema.json: exactly the part of compose bosun
 * deploys. Compiled and worded like the bosun/v1 schemas, located through the loader's places.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import composeSchema from '../../../schemas/compose.schema.json' with { type: 'json' };
import { MAX_ISSUES_PER_DOCUMENT } from '../bosun-v1/cap.ts';
import { pointerToSegments } from '../bosun-v1/locate.ts';
import { distinct, messageOf, withoutNoise } from '../bosun-v1/messages.ts';
import { inlined } from '../bosun-v1/validate.ts';
import type { Issues } from './issues.ts';
import type { ComposePath } from './loaded.ts';
import type { Obj, Pos } from './tree.ts';

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats.default(ajv);
ajv.addVocabulary(['x-message']);

let compiled: ValidateFunction | undefined;

/** Compiled on first use: a repo of bosun/v1 manifests never pays for it. */
function validator(): ValidateFunction {
  compiled ??= ajv.compile(inlined(composeSchema));
  return compiled;
}

export type Locator = (path: ComposePath, onKey: boolean) => Pos;

export function schemaCheck(model: Obj, locate: Locator, issues: Issues): void {
  const validate = validator();
  if (validate(model)) return;
  const errors = distinct(withoutNoise(validate.errors ?? []));
  for (const e of errors.slice(0, MAX_ISSUES_PER_DOCUMENT * 4)) {
    const at = pointerToSegments(e.instancePath, model);
    const message = messageOf(e);
    if (e.propertyName !== undefined)
      issues.add(locate([...at, e.propertyName], true), [...at, e.propertyName], message);
    else if (e.keyword === 'required') {
      issues.add(locate(at, false), [...at, String(e.params.missingProperty)], message);
    } else if (e.keyword === 'additionalProperties') {
      const key = [...at, String(e.params.additionalProperty)];
      issues.add(locate(key, true), key, message);
    } else issues.add(locate(at, false), at, message);
  }
}
