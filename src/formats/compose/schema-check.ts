/**
 * The merged model against schemas/compose.schema.json: exactly the part of compose bosun
 * deploys. Compiled and worded like the bosun/v1 schemas, located through the loader's places.
 */
import { MAX_ISSUES_PER_DOCUMENT } from '../bosun-v1/cap.ts';
import { pointerToSegments } from '../bosun-v1/locate.ts';
import { distinct, messageOf, withoutNoise } from '../bosun-v1/messages.ts';
import { validatorsOf } from '../../validators/index.ts';
import type { Issues } from './issues.ts';
import type { ComposePath } from './loaded.ts';
import type { Obj, Pos } from './tree.ts';

export type Locator = (path: ComposePath, onKey: boolean) => Pos;

export function schemaCheck(model: Obj, locate: Locator, issues: Issues): void {
  // loaded on first use: a repo of bosun/v1 manifests never pays for it
  const validate = validatorsOf('compose').Compose;
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
