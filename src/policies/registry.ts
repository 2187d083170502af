import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Type, type TSchema } from 'typebox';

/**
 * Policy types known to this installation. Each lists its config schema (the contract the
 * management API validates against and the console draws forms from). The policy engine issue
 * adds runtime handlers beside each; this registry is the single list (no filesystem discovery).
 */
export interface PolicyType {
  name: string;
  description: string;
  schema: TSchema;
}

const Phase = Type.Enum(['request', 'response'] as const, { description: 'When the policy runs' });

export const POLICY_TYPES: readonly PolicyType[] = [
  {
    name: 'rate-limit',
    description: 'Refuses calls beyond a number per time window, per contract unless keyed otherwise.',
    schema: Type.Object(
      {
        limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Calls allowed per window' }),
        per: Type.Enum(['second', 'minute', 'hour', 'day'] as const, { description: 'Window length' }),
      },
      { additionalProperties: false },
    ),
  },
  {
    name: 'quota',
    description: 'Refuses calls beyond a number per calendar period.',
    schema: Type.Object(
      {
        limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Calls allowed per period' }),
        period: Type.Enum(['day', 'week', 'month'] as const, { description: 'Calendar period' }),
        timeZone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone of the calendar (default UTC)' })),
      },
      { additionalProperties: false },
    ),
  },
  {
    name: 'set-header',
    description: 'Sets or removes a header on the request or the response.',
    schema: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$', description: 'Header name' }),
        value: Type.Union([Type.String({ maxLength: 8192 }), Type.Null()], { description: 'Value; null removes the header' }),
        phase: Type.Optional(Phase),
      },
      { additionalProperties: false },
    ),
  },
];

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validators = new Map(POLICY_TYPES.map((t) => [t.name, ajv.compile(t.schema)]));

export interface PolicyConfigError {
  pointer: string;
  message: string;
}

/** Validates a policy config; returns every violation with a JSON pointer into the config. */
export function validatePolicyConfig(type: string, config: unknown): PolicyConfigError[] | 'unknown-type' {
  const validate = validators.get(type);
  if (!validate) return 'unknown-type';
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => ({ pointer: `/config${e.instancePath}`, message: e.message ?? 'invalid' }));
}
