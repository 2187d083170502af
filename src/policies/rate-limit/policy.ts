import { Type, type Static } from 'typebox';
import type { Rule } from '../counters.ts';
import { docBeside } from '../sdk.ts';
import { countingPolicy } from '../traffic/count.ts';
import { COST, KEYED } from '../traffic/fields.ts';
import { WINDOW_MS } from '../traffic/time.ts';

const schema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Calls (units of cost) allowed per window' }),
    per: Type.Enum(['second', 'minute', 'hour', 'day'] as const, { description: 'Window length' }),
    algorithm: Type.Optional(
      Type.Enum(['sliding', 'gcra'] as const, { description: '`sliding` (default): a sliding-window count; `gcra`: calls spaced evenly, with a burst of up to `limit`' }),
    ),
    cost: Type.Optional(COST),
    ...KEYED,
  },
  { additionalProperties: false },
);

export type RateLimitConfig = Static<typeof schema>;

export const rateLimitRule = (c: RateLimitConfig): Rule => ({ kind: 'window', limit: c.limit, windowMs: WINDOW_MS[c.per], algorithm: c.algorithm ?? 'sliding' });

/** Azure rate-limit / rate-limit-by-key, Kong rate-limiting(-advanced), Apiman Rate Limiting. */
export const rateLimit = countingPolicy<RateLimitConfig>({
  name: 'rate-limit',
  summary: 'Refuses calls beyond a number per time window, per contract unless keyed otherwise.',
  doc: docBeside(import.meta.url),
  schema,
  rule: rateLimitRule,
  code: 'PORTICO_RATE_LIMITED',
  detail: (c) => `Rate limit of ${c.limit} per ${c.per} exceeded`,
});
