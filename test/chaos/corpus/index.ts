/** The whole hostile-manifest corpus, in a fixed order (ids are unique; the runner checks). */
import type { HostileCase } from './build.ts';
import { encodingCases, garbageCases, sizeCases } from './bytes.ts';
import { hugeNumberCases, nameCases, referenceNameCases, wrongTypeCases } from './fields.ts';
import { doorCases, quadraticCases, rawCharacterCases } from './regressions.ts';
import { emptyCases, kindCases, pathCases, prototypeCases, referenceCases } from './semantics.ts';
import { aliasCases, duplicateKeyCases, nestingCases, syntaxCases, tagCases } from './yaml.ts';

export type { Files, HostileCase } from './build.ts';

export function corpus(): HostileCase[] {
  return [
    ...wrongTypeCases(),
    ...hugeNumberCases(),
    ...nameCases(),
    ...referenceNameCases(),
    ...nestingCases(),
    ...aliasCases(),
    ...duplicateKeyCases(),
    ...tagCases(),
    ...syntaxCases(),
    ...encodingCases(),
    ...garbageCases(),
    ...sizeCases(),
    ...pathCases(),
    ...kindCases(),
    ...emptyCases(),
    ...prototypeCases(),
    ...referenceCases(),
    ...quadraticCases(),
    ...doorCases(),
    ...rawCharacterCases(),
  ];
}
