import { Type, type Static } from 'typebox';
import type { IntervalRule } from '../counters.ts';
import { definePolicy, docBeside } from '../sdk.ts';
import { countingInstance } from '../traffic/count.ts';
import { BY, FAIL_MODE, KEY, compileSubject } from '../traffic/fields.ts';

const PER_MS = { second: 1_000, minute: 60_000 } as const;

const schema = Type.Object(
  {
    rate: Type.Integer({ minimum: 1, maximum: 1000, description: 'Calls per `per` (at most 1000: one per millisecond), smoothed: one call every `per / rate` (100 per second: one every 10 ms)' }),
    per: Type.Enum(['second', 'minute'] as const, { description: 'Unit of `rate`' }),
    by: Type.Optional(BY),
    key: Type.Optional(KEY),
    failMode: Type.Optional(FAIL_MODE),
  },
  { additionalProperties: false },
);

export type SpikeArrestConfig = Static<typeof schema>;

export const spikeArrestRule = (c: SpikeArrestConfig): IntervalRule => ({ kind: 'interval', intervalMs: PER_MS[c.per] / c.rate });

/** Apigee SpikeArrest; Azure, Kong and Apiman have no exact counterpart (see README). */
export const spikeArrest = definePolicy<SpikeArrestConfig>({
  name: 'spike-arrest',
  summary: 'Smooths traffic: refuses a call that comes sooner than one interval after the previous one.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response', 'error'],
  schema,
  compile(config, env) {
    const rule = spikeArrestRule(config);
    return countingInstance({
      rule,
      subject: compileSubject(config, env.policyId),
      cost: () => 1,
      failMode: config.failMode ?? 'open',
      code: 'PORTICO_SPIKE_ARREST',
      detail: `At most one call every ${rule.intervalMs} ms`,
    });
  },
});
