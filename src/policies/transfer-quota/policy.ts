import { Type, type Static } from 'typebox';
import type { Decision, Rule } from '../counters.ts';
import { definePolicy, docBeside, type DoneInfo, type Exchange, type Step } from '../sdk.ts';
import { counters, isPromise } from '../traffic/count.ts';
import { CALENDAR, KEYED, compileSubject } from '../traffic/fields.ts';
import { REPORTING, report } from '../traffic/report.ts';
import { timeZone } from '../traffic/time.ts';

const schema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Bytes allowed per period' }),
    direction: Type.Enum(['upload', 'download', 'both'] as const, { description: 'Which bytes count: request bodies (`upload`), response bodies (`download`) or both' }),
    ...CALENDAR,
    ...KEYED,
  },
  { additionalProperties: false },
);

export type TransferQuotaConfig = Static<typeof schema>;

export const transferQuotaRule = (c: TransferQuotaConfig): Rule => ({ kind: 'calendar', limit: c.limit, period: c.period, timeZone: timeZone(c.timeZone, '/timeZone') });

const BYTES: Record<TransferQuotaConfig['direction'], (i: DoneInfo) => number> = {
  upload: (i) => i.bytesIn,
  download: (i) => i.bytesOut,
  both: (i) => i.bytesIn + i.bytesOut,
};

/**
 * Apiman Transfer Quota. A call's size is known only once it is over: the policy refuses when
 * nothing is left (peek), and counts the call's bytes when it ends (add), so the last call of a
 * period may overshoot by its own size.
 */
export const transferQuota = definePolicy<TransferQuotaConfig>({
  name: 'transfer-quota',
  summary: 'Refuses calls once a number of bytes per calendar period has been transferred.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response', 'error'],
  schema,
  compile(config, env) {
    const rule = transferQuotaRule(config);
    const subject = compileSubject(config, env.policyId);
    const bytes = BYTES[config.direction];
    const failMode = config.failMode ?? 'open';
    const detail = `Transfer quota of ${config.limit} bytes per ${config.period} used up`;
    const settle = (x: Exchange, key: string, d: Decision): void => {
      if (d.unavailable) return x.refuse('PORTICO_LIMITS_UNAVAILABLE');
      report(x, d);
      if (!d.allowed) return x.refuse('PORTICO_TRANSFER_QUOTA_EXCEEDED', detail);
      const store = counters(x);
      x.onDone((info) => {
        const n = bytes(info);
        if (n > 0) void store.add(key, rule, n, Date.now());
      });
    };
    return {
      request(x): Step {
        const key = subject(x);
        const d = counters(x).peek(key, rule, Date.now(), failMode);
        if (isPromise(d)) return d.then((v) => settle(x, key, v));
        settle(x, key, d);
      },
      ...REPORTING,
    };
  },
});
