import { Type, type Static } from 'typebox';
import type { Acquisition } from '../counters.ts';
import { definePolicy, docBeside, type Exchange, type Step } from '../sdk.ts';
import { counters, isPromise } from '../traffic/count.ts';
import { KEYED, compileSubject } from '../traffic/fields.ts';

const schema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Calls allowed in flight at once' }),
    ...KEYED,
  },
  { additionalProperties: false },
);

/** No slot is free: a retry after a second is a fair guess (a call's length is not known). */
const RETRY = { 'Retry-After': '1' };

/** Kong/APISIX limit-conn; Azure limit-concurrency; Apiman has none. */
export const concurrencyLimit = definePolicy<Static<typeof schema>>({
  name: 'concurrency-limit',
  summary: 'Refuses a call while a number of calls of the same key are in flight.',
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config, env) {
    const subject = compileSubject(config, env.policyId);
    const failMode = config.failMode ?? 'open';
    const detail = `At most ${config.limit} calls in flight`;
    const settle = (x: Exchange, key: string, a: Acquisition): void => {
      if (a.unavailable) return x.refuse('PORTICO_LIMITS_UNAVAILABLE');
      if (!a.acquired) return x.refuse('PORTICO_CONCURRENCY_LIMITED', detail, RETRY);
      // Released once the answer is sent or the client went away: the exchange's end, whatever it was.
      const store = counters(x);
      x.onDone(() => void store.release(key));
    };
    return {
      request(x): Step {
        const key = subject(x);
        const a = counters(x).acquire(key, config.limit, failMode);
        if (isPromise(a)) return a.then((v) => settle(x, key, v));
        settle(x, key, a);
      },
    };
  },
});
