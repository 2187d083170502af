/**
 * What the traffic-control policies need from a counter store (issue 6), declared here so that
 * policies never import the gateway: the gateway's `CounterStore` (src/gateway/limits/) satisfies
 * `Counters`, in memory or in Redis. See docs/traffic-control.md for the semantics of each rule.
 */

/** Rate limit: `limit` units per `windowMs`, as a sliding-window counter or as GCRA. */
export interface WindowRule {
  readonly kind: 'window';
  readonly limit: number;
  readonly windowMs: number;
  readonly algorithm: 'sliding' | 'gcra';
}

/** Quota per calendar period of an IANA time zone: local midnight, Monday 00:00, or the 1st 00:00. */
export interface CalendarRule {
  readonly kind: 'calendar';
  readonly limit: number;
  readonly period: 'day' | 'week' | 'month';
  readonly timeZone: string;
}

/** Spike arrest: at most one call per `intervalMs` (GCRA with a burst of 1). */
export interface IntervalRule {
  readonly kind: 'interval';
  readonly intervalMs: number;
}

export type Rule = WindowRule | CalendarRule | IntervalRule;

/** What to do with a call when the counter store cannot count it (Redis unreachable, key cap hit). */
export type FailMode = 'open' | 'closed';

/**
 * The answer for one call: exactly what the RateLimit header fields and `Retry-After` need.
 * - `degraded: true` — the store could not count and the call's fail mode is `open`: allowed uncounted.
 * - `unavailable: true` — the store could not count and the fail mode is `closed`: the policy answers
 *   `503 PORTICO_LIMITS_UNAVAILABLE` (not 429: the client did nothing wrong).
 */
export interface Decision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Units left in the window or period after this call (never negative). */
  readonly remaining: number;
  /** Milliseconds until the window or period resets (GCRA: until the bucket is fully replenished). */
  readonly resetMs: number;
  /** Milliseconds until a retry of the same cost can succeed; 0 when allowed. */
  readonly retryAfterMs: number;
  readonly degraded?: true;
  readonly unavailable?: true;
}

/** Current count against the limit, for the management API. `used` may exceed `limit` after `add`. */
export interface Usage {
  readonly used: number;
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
}

/** The answer of `acquire`; `unavailable` maps to 503 like `Decision.unavailable`. */
export interface Acquisition {
  readonly acquired: boolean;
  readonly degraded?: true;
  readonly unavailable?: true;
}

/**
 * The counters. Methods answer a plain value when they can (the memory store always does) and a
 * promise otherwise, so a policy over the memory store never creates a promise on the request path.
 */
export interface Counters {
  /** Counts `cost` units against `rule` for `key` if they fit, and says so. Refused calls are not counted. */
  consume(key: string, rule: Rule, cost: number, now: number, failMode?: FailMode): Decision | Promise<Decision>;
  /** What `consume` with a cost of 1 would answer, without counting. */
  peek(key: string, rule: Rule, now: number, failMode?: FailMode): Decision | Promise<Decision>;
  /** Counts `amount` units unconditionally; never rejects. */
  add(key: string, rule: Rule, amount: number, now: number): void | Promise<void>;
  /** Takes one of `limit` in-flight slots for `key`; pair every acquired slot with one `release`. */
  acquire(key: string, limit: number, failMode?: FailMode): Acquisition | Promise<Acquisition>;
  /** Gives back one slot taken for `key`; never rejects. */
  release(key: string): void | Promise<void>;
  /** The count for `key` under `rule` (management API). */
  usage(key: string, rule: Rule, now: number): Usage | Promise<Usage>;
  /** Deletes every rate and quota counter whose key starts with `keyPrefix`; answers how many. */
  reset(keyPrefix: string): number | Promise<number>;
}
