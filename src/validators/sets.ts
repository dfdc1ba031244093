/**
 * Every JSON Schema bosun validates against, grouped by the ajv options it is compiled with.
 * The validators are compiled once, at build time, into standalone code (generate.ts); a set
 * whose generated code is missing or older than these definitions is compiled at run time
 * (index.ts), with the same options, so the messages are the same either way.
 */
import composeSchema from '../../schemas/compose.schema.json' with { type: 'json' };
import configSchema from '../../schemas/config.schema.json' with { type: 'json' };
import networkSchema from '../../schemas/network.schema.json' with { type: 'json' };
import notifySchema from '../../schemas/notify.schema.json' with { type: 'json' };
import policySchema from '../../schemas/policy.schema.json' with { type: 'json' };
import projectSchema from '../../schemas/project.schema.json' with { type: 'json' };
import desiredSchema from '../../schemas/records/desired-state.schema.json' with { type: 'json' };
import serviceSchema from '../../schemas/service.schema.json' with { type: 'json' };
import volumeSchema from '../../schemas/volume.schema.json' with { type: 'json' };

export interface ValidatorSet {
  /** ajv's options (Ajv2020), JSON only: they are part of the hash that dates generated code */
  options: Record<string, unknown>;
  /** ajv-formats (date, uri, ...) */
  formats?: boolean;
  /** compile each schema with its local `$ref`s inlined (see inlineRefs) */
  inlineRefs?: boolean;
  schemas: Record<string, object>;
}

export const SETS = {
  /** the manifest kinds (formats/bosun-v1/validate.ts) */
  manifests: {
    options: {
      allErrors: true, // every problem at once, not the first per document
      verbose: true, // errors carry parentSchema, where our x-message wording lives
      strict: true,
      strictRequired: false, // `oneOf: [{required: [volume]}, ...]` names properties declared one level up
      allowUnionTypes: true, // env values: string | number | boolean
    },
    formats: true,
    inlineRefs: true,
    schemas: {
      Project: projectSchema,
      Service: serviceSchema,
      Config: configSchema,
      Network: networkSchema,
      Volume: volumeSchema,
    },
  },
  /** the host policy file (policy/load.ts); verbose: errors carry parentSchema, where x-message lives */
  policy: { options: { allErrors: true, strict: true, verbose: true }, schemas: { Policy: policySchema } },
  /** the merged compose model: exactly what bosun deploys of compose (formats/compose/schema-check.ts) */
  compose: {
    options: { allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true },
    formats: true,
    inlineRefs: true,
    schemas: { Compose: composeSchema },
  },
  /** serve's --notify-config file (server/notify/config.ts) */
  notify: { options: { allErrors: true, strict: true, verbose: true }, schemas: { Notify: notifySchema } },
  /** a desired state read back from a release record (trust/desired-check.ts) */
  desiredState: {
    options: { allErrors: false, strict: true, strictRequired: false },
    schemas: { DesiredState: desiredSchema },
  },
} satisfies Record<string, ValidatorSet>;

export type SetName = keyof typeof SETS;
