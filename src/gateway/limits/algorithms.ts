/**
 * The counting math, shared by the memory store and the batching mode of the Redis store; the Lua
 * scripts in `redis-scripts.ts` are line-by-line ports of these functions (the same test table runs
 * against both stores to keep them in step). Each step mutates the state it is given.
 *
 * - Sliding window counter (Cloudflare's approximation): the previous fixed window's count weighted
 *   by how much of it still overlaps the sliding window, plus the current window's count. O(1) memory
 *   per key, whatever the limit; assumes the previous window's calls were evenly spread.
 * - GCRA (generic cell rate algorithm, as in redis-cell): one "theoretical arrival time" per key;
 *   emission interval T = window / limit, burst = limit. Smooth, exact, O(1).
 * - Calendar counter: a plain count for the period [start, end).
 */

/** `if-allowed`: consume; `never`: peek or usage; `always`: add. */
export type Write = 'if-allowed' | 'never' | 'always';

export interface Outcome {
  /** Whether `cost` fitted before this step (for `always`, whether it would have). */
  allowed: boolean;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
  used: number;
}

/** Counts are compared with a small tolerance so floating-point sums never refuse an exact fit. */
const EPS = 1e-6;
/** GCRA times are ~1.7e12 ms, where a double's step is ~2.4e-4 ms. */
const EPS_MS = 1e-3;

export interface SlidingState {
  /** Index of the current fixed window: floor(now / windowMs). */
  w: number;
  c: number;
  p: number;
}

export function slidingStep(s: SlidingState, limit: number, windowMs: number, now: number, cost: number, write: Write): Outcome {
  let idx = Math.floor(now / windowMs);
  if (s.w > idx) {
    // Another node's clock is ahead and already opened the next window: count in it, at its start.
    idx = s.w;
    now = idx * windowMs;
  } else if (s.w === idx - 1) {
    s.p = s.c;
    s.c = 0;
    s.w = idx;
  } else if (s.w !== idx) {
    s.p = 0;
    s.c = 0;
    s.w = idx;
  }
  const elapsed = now - idx * windowMs;
  const weight = (windowMs - elapsed) / windowMs;
  const fits = s.p * weight + s.c + cost <= limit + EPS;
  if (write === 'always' || (write === 'if-allowed' && fits)) s.c += cost;
  const after = s.p * weight + s.c;
  const resetMs = windowMs - elapsed;
  let retryAfterMs = 0;
  if (!fits) {
    if (cost > limit) retryAfterMs = resetMs + (s.c > 0 ? windowMs : 0);
    else if (s.c + cost <= limit) retryAfterMs = windowMs * (1 - (limit - s.c - cost) / s.p) - elapsed;
    else retryAfterMs = resetMs + windowMs * (1 - (limit - cost) / s.c);
  }
  return {
    allowed: fits,
    remaining: Math.max(0, Math.floor(limit - after + EPS)),
    resetMs: Math.ceil(resetMs),
    retryAfterMs: fits ? 0 : Math.max(1, Math.ceil(retryAfterMs)),
    used: Math.max(0, Math.ceil(after - EPS)),
  };
}

export interface GcraState {
  /** Theoretical arrival time (epoch ms, fractional); 0 for a fresh key. */
  tat: number;
}

export function gcraStep(s: GcraState, limit: number, windowMs: number, now: number, cost: number, write: Write): Outcome {
  const t = windowMs / limit;
  const base = Math.max(s.tat, now);
  const next = base + cost * t;
  const fits = next - now <= windowMs + EPS_MS;
  if (write === 'always' || (write === 'if-allowed' && fits)) s.tat = next;
  const level = Math.max(s.tat, now) - now;
  let retryAfterMs = 0;
  if (!fits) retryAfterMs = cost > limit ? base - now : next - windowMs - now;
  return {
    allowed: fits,
    remaining: Math.max(0, Math.floor((windowMs - level) / t + EPS)),
    resetMs: Math.ceil(level),
    retryAfterMs: fits ? 0 : Math.max(1, Math.ceil(retryAfterMs)),
    used: Math.max(0, Math.ceil(level / t - EPS)),
  };
}

export interface CalendarState {
  start: number;
  end: number;
  count: number;
}

/** `s` must already be the state of the period containing `now`. */
export function calendarStep(s: CalendarState, limit: number, now: number, cost: number, write: Write): Outcome {
  const fits = s.count + cost <= limit;
  if (write === 'always' || (write === 'if-allowed' && fits)) s.count += cost;
  const resetMs = Math.ceil(s.end - now);
  return {
    allowed: fits,
    remaining: Math.max(0, limit - s.count),
    resetMs,
    retryAfterMs: fits ? 0 : resetMs,
    used: s.count,
  };
}
