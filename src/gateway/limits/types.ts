/**
 * The contract between the traffic-control policies and the counters behind them (issue 6).
 * One interface, two stores (APISIX `limit-count/{local,redis}`): `MemoryCounterStore` for a single
 * node, `RedisCounterStore` when several gateway nodes must share the counts. Keys are opaque strings
 * built by the policies (`q:<policyId>:<contractId>`); rules are compiled once per snapshot.
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

/** Where the stores report outages and recoveries; the gateway passes its pino logger's methods. */
export type LimitsLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Counters for `/metrics`; the stores only ever increment them. */
export interface LimitsStats {
  /** Times the store became unreachable (Redis) — one per outage, however long. */
  outages: number;
  /** Calls allowed uncounted because the store could not count them (fail-open). */
  failOpen: number;
  /** Calls refused because the store could not count them (fail-closed). */
  failClosed: number;
  /** Calls the store could not count because `maxKeys` was reached. */
  keyCapHits: number;
  /** Redis answered with an error (a script error, a wrong type): a bug or a misconfiguration. */
  errors: number;
}

export interface CounterStore {
  /**
   * Counts `cost` units against `rule` for `key` if they fit, and says so. Refused calls are not
   * counted. `now` is epoch milliseconds (the policies pass the request's clock).
   */
  consume(key: string, rule: Rule, cost: number, now: number, failMode?: FailMode): Decision | Promise<Decision>;
  /** What `consume` with a cost of 1 would answer, without counting (transfer quota: "anything left?"). */
  peek(key: string, rule: Rule, now: number, failMode?: FailMode): Decision | Promise<Decision>;
  /** Counts `amount` units unconditionally (transfer quota: bytes after the response); never rejects. */
  add(key: string, rule: Rule, amount: number, now: number): void | Promise<void>;
  /** Takes one of `limit` in-flight slots for `key`; pair every acquired slot with one `release`. */
  acquire(key: string, limit: number, failMode?: FailMode): Acquisition | Promise<Acquisition>;
  /** Gives back one slot taken by this store instance for `key`; never rejects. */
  release(key: string): void | Promise<void>;
  /** The count for `key` under `rule` (management API). */
  usage(key: string, rule: Rule, now: number): Usage | Promise<Usage>;
  /** Deletes every rate and quota counter whose key starts with `keyPrefix`; answers how many. */
  reset(keyPrefix: string): number | Promise<number>;
  readonly stats: Readonly<LimitsStats>;
  close(): Promise<void>;
}
