import { Type, type Static } from 'typebox';
import type { Rule } from '../counters.ts';
import { definePolicy, docBeside } from '../sdk.ts';
import { countingInstance } from '../traffic/count.ts';
import { BY, COST, FAIL_MODE, KEY, compileCost, compileSubject } from '../traffic/fields.ts';
import { timeZone } from '../traffic/time.ts';

const schema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Calls (units of cost) allowed per period' }),
    period: Type.Enum(['day', 'week', 'month'] as const, { description: 'Calendar period: from local midnight, from Monday 00:00, from the 1st 00:00' }),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the calendar (default UTC)' })),
    by: Type.Optional(BY),
    key: Type.Optional(KEY),
    cost: Type.Optional(COST),
    failMode: Type.Optional(FAIL_MODE),
  },
  { additionalProperties: false },
);

export type QuotaConfig = Static<typeof schema>;

export const quotaRule = (c: QuotaConfig): Rule => ({ kind: 'calendar', limit: c.limit, period: c.period, timeZone: timeZone(c.timeZone, '/timeZone') });

/** Azure quota / quota-by-key, Kong rate-limiting's day/month limits, Apiman Quota. */
export const quota = definePolicy<QuotaConfig>({
  name: 'quota',
  summary: 'Refuses calls beyond a number per calendar day, week or month.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response', 'error'],
  schema,
  compile(config, env) {
    return countingInstance({
      rule: quotaRule(config),
      subject: compileSubject(config, env.policyId),
      cost: compileCost(config.cost),
      failMode: config.failMode ?? 'open',
      code: 'PORTICO_QUOTA_EXCEEDED',
      detail: `Quota of ${config.limit} per ${config.period} used up`,
    });
  },
});
