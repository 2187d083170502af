/**
 * Checks a rule once, when a policy is compiled, so the stores can trust it on every call.
 */
import { periodAt } from './calendar.ts';
import type { Rule } from './types.ts';

/** The `limit` a decision reports: spike arrest allows one call per interval. */
export function ruleLimit(rule: Rule): number {
  return rule.kind === 'interval' ? 1 : rule.limit;
}

/** Throws a RangeError naming the first thing wrong with `rule`. */
export function checkRule(rule: Rule): void {
  const positive = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  };
  if (rule.kind === 'window') {
    positive('limit', rule.limit);
    positive('windowMs', rule.windowMs);
    if (rule.algorithm !== 'sliding' && rule.algorithm !== 'gcra') throw new RangeError(`unknown algorithm ${String(rule.algorithm)}`);
  } else if (rule.kind === 'calendar') {
    positive('limit', rule.limit);
    if (rule.period !== 'day' && rule.period !== 'week' && rule.period !== 'month') throw new RangeError(`unknown period ${String(rule.period)}`);
    periodAt(Date.now(), rule.period, rule.timeZone); // RangeError for an unknown time zone
  } else if (rule.kind === 'interval') {
    positive('intervalMs', rule.intervalMs);
  } else {
    throw new RangeError(`unknown rule kind ${String((rule as { kind: unknown }).kind)}`);
  }
}
