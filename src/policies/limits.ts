import { Type } from 'typebox';
import { definePolicy } from './sdk.ts';

export const rateLimit = definePolicy({
  name: 'rate-limit',
  summary: 'Refuses calls beyond a number per time window, per contract unless keyed otherwise.',
  doc: '',
  phases: ['request'],
  schema: Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Calls allowed per window' }),
      per: Type.Enum(['second', 'minute', 'hour', 'day'] as const, { description: 'Window length' }),
    },
    { additionalProperties: false },
  ),
  compile: () => ({}),
});

export const quota = definePolicy({
  name: 'quota',
  summary: 'Refuses calls beyond a number per calendar period.',
  doc: '',
  phases: ['request'],
  schema: Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Calls allowed per period' }),
      period: Type.Enum(['day', 'week', 'month'] as const, { description: 'Calendar period' }),
      timeZone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone of the calendar (default UTC)' })),
    },
    { additionalProperties: false },
  ),
  compile: () => ({}),
});
