/**
 * Config fields shared by the traffic-control policies: what a count is kept per (`by` or an
 * expression `key`), the weight of a call (`cost`) and the fail mode. Compiled once per snapshot
 * into closures; a constant cost or a built-in key costs no expression per request.
 */
import { Type } from 'typebox';
import { HEADER_NAME, expression } from '../values.ts';
import { PolicyConfigError, type Exchange } from '../sdk.ts';
import { subjectKey, type SubjectOf } from './keys.ts';

export const BY = Type.String({
  pattern: `^(contract|application|user|ip|header:${HEADER_NAME.slice(1, -1)})$`,
  maxLength: 210,
  description:
    'What the count is kept per: `contract` (default: at plan scope the plan\'s limits apply to each contract), `application`, `user`, `ip` (the client address), or `header:<name>`. A call that has none (a public API called without a key, a missing header) is counted per client address.',
});

export const KEY = Type.String({ minLength: 1, maxLength: 4096, description: 'Instead of `by`: a CEL expression whose value the count is kept per (`claims.tenant`, `request.headers["x-org"]`, `"all"` for one shared count); an empty or null value counts per client address' });

export const COST = Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.String({ minLength: 1, maxLength: 4096 })], {
  description: 'Units one call counts (default 1): a whole number, or a CEL expression answering one (`request.method == "POST" ? 5 : 1`)',
});

export const FAIL_MODE = Type.Enum(['open', 'closed'] as const, {
  description: 'When the counter store (Redis) cannot be reached: `open` (default) lets calls through uncounted, `closed` answers 503 PORTICO_LIMITS_UNAVAILABLE',
});

/** `by`, `key` and `failMode`: every traffic-control policy has them. */
export const KEYED = { by: Type.Optional(BY), key: Type.Optional(KEY), failMode: Type.Optional(FAIL_MODE) };

/** A calendar period of a time zone (quota, transfer quota). */
export const CALENDAR = {
  period: Type.Enum(['day', 'week', 'month'] as const, { description: 'Calendar period: from local midnight, from Monday 00:00, from the 1st 00:00' }),
  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the calendar (default UTC); periods follow daylight-saving changes' })),
};

export interface Keyed {
  by?: string;
  key?: string;
}

/** The counter key of a call for this policy (`contract:ctr_1/pol_9`). */
export function compileSubject(config: Keyed, policyId: string): SubjectOf {
  if (config.key !== undefined) {
    if (config.by !== undefined) throw new PolicyConfigError('/key', 'give either "by" or "key", not both');
    const value = bodyless(config.key, '/key');
    return (x) => {
      const v = value(x);
      return v === null || v === undefined || v === '' ? subjectKey('ip', x.clientIp, policyId) : subjectKey('key', String(v), policyId);
    };
  }
  const by = config.by ?? 'contract';
  const fallback = (x: Exchange) => subjectKey('ip', x.clientIp, policyId);
  if (by === 'contract') {
    const key = snapshotKeys('contract', policyId);
    return (x) => (x.consumer?.contractId ? key(x.consumer.contractId) : fallback(x));
  }
  if (by === 'application') {
    const key = snapshotKeys('application', policyId);
    return (x) => (x.consumer ? key(x.consumer.applicationId) : fallback(x));
  }
  if (by === 'user') {
    const key = snapshotKeys('user', policyId);
    return (x) => (x.consumer?.userId ? key(x.consumer.userId) : fallback(x));
  }
  if (by === 'ip') return fallback;
  const header = by.slice('header:'.length).toLowerCase();
  return (x) => {
    const v = x.requestHeaders.get(header);
    return v === undefined || v === '' ? fallback(x) : subjectKey(`header:${header}`, v, policyId);
  };
}

/** Ids a snapshot names (contracts, applications, users) are few enough to remember. */
const MEMO_MAX = 100_000;

/**
 * Counter keys of ids from the snapshot, made once per id while this compiled policy lives: the
 * same string each call, whose hash the stores' maps have already computed.
 */
function snapshotKeys(kind: string, policyId: string): (id: string) => string {
  const memo = new Map<string, string>();
  return (id) => {
    let key = memo.get(id);
    if (key === undefined) {
      key = subjectKey(kind, id, policyId);
      if (memo.size < MEMO_MAX) memo.set(id, key);
    }
    return key;
  };
}

/** Units per call: constant, or an expression checked per call (a bad value fails the policy). */
export function compileCost(cost: number | string | undefined): (x: Exchange) => number {
  if (cost === undefined) return () => 1;
  if (typeof cost === 'number') return () => cost;
  const value = bodyless(cost, '/cost');
  return (x) => {
    const v = value(x);
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) throw new Error(`cost must be a whole number from 0 to 1000000, got ${String(v)}`);
    return n;
  };
}

/** A limit is decided before any body is read, and must not make one be buffered. */
function bodyless(source: string, pointer: string): (x: Exchange) => unknown {
  const e = expression(source, pointer);
  if (e.requestBody || e.responseBody) throw new PolicyConfigError(pointer, 'a limit is decided before any body is read: the expression cannot read a body');
  return e;
}
