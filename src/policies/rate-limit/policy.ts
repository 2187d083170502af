import { Type, type Static } from 'typebox';
import type { Rule } from '../counters.ts';
import { definePolicy, docBeside } from '../sdk.ts';
import { countingInstance } from '../traffic/count.ts';
import { BY, COST, FAIL_MODE, KEY, compileCost, compileSubject } from '../traffic/fields.ts';
import { WINDOW_MS } from '../traffic/time.ts';

const schema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Calls (units of cost) allowed per window' }),
    per: Type.Enum(['second', 'minute', 'hour', 'day'] as const, { description: 'Window length' }),
    algorithm: Type.Optional(
      Type.Enum(['sliding', 'gcra'] as const, { description: '`sliding` (default): a sliding-window count; `gcra`: calls spaced evenly, with a burst of up to `limit`' }),
    ),
    by: Type.Optional(BY),
    key: Type.Optional(KEY),
    cost: Type.Optional(COST),
    failMode: Type.Optional(FAIL_MODE),
  },
  { additionalProperties: false },
);

export type RateLimitConfig = Static<typeof schema>;

export const rateLimitRule = (c: RateLimitConfig): Rule => ({ kind: 'window', limit: c.limit, windowMs: WINDOW_MS[c.per], algorithm: c.algorithm ?? 'sliding' });

/** Azure rate-limit / rate-limit-by-key, Kong rate-limiting(-advanced), Apiman Rate Limiting. */
export const rateLimit = definePolicy<RateLimitConfig>({
  name: 'rate-limit',
  summary: 'Refuses calls beyond a number per time window, per contract unless keyed otherwise.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response', 'error'],
  schema,
  compile(config, env) {
    return countingInstance({
      rule: rateLimitRule(config),
      subject: compileSubject(config, env.policyId),
      cost: compileCost(config.cost),
      failMode: config.failMode ?? 'open',
      code: 'PORTICO_RATE_LIMITED',
      detail: `Rate limit of ${config.limit} per ${config.per} exceeded`,
    });
  },
});
