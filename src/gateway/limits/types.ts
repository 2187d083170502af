/**
 * The contract between the traffic-control policies and the counters behind them (issue 6).
 * One interface, two stores (APISIX `limit-count/{local,redis}`): `MemoryCounterStore` for a single
 * node, `RedisCounterStore` when several gateway nodes must share the counts. Keys are opaque strings
 * built by the policies (`contract:<contractId>/<policyId>`, src/policies/traffic/keys.ts); rules are compiled once per snapshot.
 */

import type { Counters } from '../../policies/counters.ts';

// The rule and decision types are the policies' (src/policies/counters.ts): policies never import the gateway.
export type { Acquisition, CalendarRule, Decision, FailMode, IntervalRule, Rule, Usage, WindowRule } from '../../policies/counters.ts';

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

/** A store the gateway owns: the policies' `Counters`, plus figures for `/metrics` and shutdown. */
export interface CounterStore extends Counters {
  readonly stats: Readonly<LimitsStats>;
  close(): Promise<void>;
}
