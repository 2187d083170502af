/**
 * Calendar periods of an IANA time zone for quotas: a day starts at local midnight, a week on Monday
 * 00:00 (ISO 8601), a month on the 1st 00:00. Local days are 23 or 25 hours long across a DST change,
 * and in zones that switch at midnight (America/Santiago) a day starts at 01:00 — so boundaries are
 * searched with Intl rather than computed from a fixed offset. Each (zone, period) pair caches its
 * current [start, end) so the request path only compares two numbers until the period ends.
 */

export type CalendarPeriod = 'day' | 'week' | 'month';

export interface PeriodBounds {
  /** Epoch milliseconds of the first instant of the period. */
  readonly start: number;
  /** Epoch milliseconds of the first instant of the next period. */
  readonly end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const current = new Map<string, PeriodBounds>();
const MAX_CACHED = 1024;
const HOUR = 3_600_000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for an unknown zone: rules are checked when a policy is compiled.
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    if (formatters.size >= MAX_CACHED) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar date at `t` as [year, month 1-12, day]. */
function localDate(t: number, timeZone: string): [number, number, number] {
  let y = 0;
  let m = 0;
  let d = 0;
  for (const part of formatter(timeZone).formatToParts(t)) {
    if (part.type === 'year') y = Number(part.value);
    else if (part.type === 'month') m = Number(part.value);
    else if (part.type === 'day') d = Number(part.value);
  }
  return [y, m, d];
}

/**
 * The first instant whose local date is `utcDate`'s calendar date (given as a UTC midnight).
 * UTC offsets lie within [-12 h, +14 h], so that instant lies within [date - 14 h, date + 12 h]:
 * a binary search over that range at millisecond precision takes 27 Intl calls, once per period.
 */
function startOfLocalDate(utcDate: number, timeZone: string): number {
  const target = new Date(utcDate);
  const key = target.getUTCFullYear() * 10_000 + (target.getUTCMonth() + 1) * 100 + target.getUTCDate();
  let lo = utcDate - 15 * HOUR; // local date before the target
  let hi = utcDate + 13 * HOUR; // local date on or after the target
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const [y, m, d] = localDate(mid, timeZone);
    if (y * 10_000 + m * 100 + d >= key) hi = mid;
    else lo = mid;
  }
  return hi;
}

function compute(now: number, period: CalendarPeriod, timeZone: string): PeriodBounds {
  const [y, m, d] = localDate(now, timeZone);
  let first: number;
  let next: number;
  if (period === 'day') {
    first = Date.UTC(y, m - 1, d);
    next = Date.UTC(y, m - 1, d + 1);
  } else if (period === 'week') {
    const sinceMonday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
    first = Date.UTC(y, m - 1, d - sinceMonday);
    next = Date.UTC(y, m - 1, d - sinceMonday + 7);
  } else {
    first = Date.UTC(y, m - 1, 1);
    next = Date.UTC(y, m, 1);
  }
  return { start: startOfLocalDate(first, timeZone), end: startOfLocalDate(next, timeZone) };
}

/** The period of `timeZone` that contains `now`. */
export function periodAt(now: number, period: CalendarPeriod, timeZone: string): PeriodBounds {
  const cacheKey = period + timeZone;
  const cached = current.get(cacheKey);
  if (cached !== undefined && now >= cached.start && now < cached.end) return cached;
  const bounds = compute(now, period, timeZone);
  if (current.size >= MAX_CACHED) current.clear();
  current.set(cacheKey, bounds);
  return bounds;
}
