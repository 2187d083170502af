import { Type, type Static } from 'typebox';
import type { IntervalRule } from '../counters.ts';
import { docBeside } from '../sdk.ts';
import { countingPolicy } from '../traffic/count.ts';
import { KEYED } from '../traffic/fields.ts';

const PER_MS = { second: 1_000, minute: 60_000 } as const;

const schema = Type.Object(
  {
    rate: Type.Integer({ minimum: 1, maximum: 1000, description: 'Calls per `per` (at most 1000: one per millisecond), smoothed: one call every `per / rate` (100 per second: one every 10 ms)' }),
    per: Type.Enum(['second', 'minute'] as const, { description: 'Unit of `rate`' }),
    ...KEYED,
  },
  { additionalProperties: false },
);

export type SpikeArrestConfig = Static<typeof schema>;

export const spikeArrestRule = (c: SpikeArrestConfig): IntervalRule => ({ kind: 'interval', intervalMs: PER_MS[c.per] / c.rate });

/** Apigee SpikeArrest; Azure, Kong and Apiman have no exact counterpart (see README). */
export const spikeArrest = countingPolicy<SpikeArrestConfig>({
  name: 'spike-arrest',
  summary: 'Smooths traffic: refuses a call that comes sooner than one interval after the previous one.',
  doc: docBeside(import.meta.url),
  schema,
  rule: spikeArrestRule,
  code: 'PORTICO_SPIKE_ARREST',
  detail: (c) => `At most one call every ${PER_MS[c.per] / c.rate} ms`,
});
