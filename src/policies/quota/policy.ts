import { Type, type Static } from 'typebox';
import type { Rule } from '../counters.ts';
import { docBeside } from '../sdk.ts';
import { countingPolicy } from '../traffic/count.ts';
import { CALENDAR, COST, KEYED } from '../traffic/fields.ts';
import { timeZone } from '../traffic/time.ts';

const schema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Calls (units of cost) allowed per period' }),
    ...CALENDAR,
    cost: Type.Optional(COST),
    ...KEYED,
  },
  { additionalProperties: false },
);

export type QuotaConfig = Static<typeof schema>;

export const quotaRule = (c: QuotaConfig): Rule => ({ kind: 'calendar', limit: c.limit, period: c.period, timeZone: timeZone(c.timeZone, '/timeZone') });

/** Azure quota / quota-by-key, Kong rate-limiting's day/month limits, Apiman Quota. */
export const quota = countingPolicy<QuotaConfig>({
  name: 'quota',
  summary: 'Refuses calls beyond a number per calendar day, week or month.',
  doc: docBeside(import.meta.url),
  schema,
  rule: quotaRule,
  code: 'PORTICO_QUOTA_EXCEEDED',
  detail: (c) => `Quota of ${c.limit} per ${c.period} used up`,
});
