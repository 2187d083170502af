/**
 * Counters behind the traffic-control policies (rate limit, quota, spike arrest, transfer quota,
 * concurrency): one `CounterStore` interface, in memory or in Redis. See docs/traffic-control.md.
 */
export type { Acquisition, CalendarRule, CounterStore, Decision, FailMode, IntervalRule, LimitsLog, LimitsStats, Rule, Usage, WindowRule } from './types.ts';
export { MemoryCounterStore, type MemoryStoreOptions } from './memory-store.ts';
export { RedisCounterStore, type RedisStoreOptions } from './redis-store.ts';
export type { BatchStats } from './redis-batch.ts';
export { checkRule, ruleLimit } from './rules.ts';
export { periodAt, type CalendarPeriod, type PeriodBounds } from './calendar.ts';
export { createCounterStore, limitsLog, type LimitsSettings } from './settings.ts';
