/**
 * The answers when a store cannot count a call (Redis unreachable, or the memory store's key cap hit):
 * fail-open lets the call through marked `degraded`, fail-closed refuses it marked `unavailable`.
 * Both are counted for `/metrics`.
 */
import type { Acquisition, Decision, FailMode, LimitsStats } from './types.ts';

export function uncounted(limit: number, failMode: FailMode, stats: LimitsStats): Decision {
  if (failMode === 'open') {
    stats.failOpen++;
    return { allowed: true, limit, remaining: limit, resetMs: 0, retryAfterMs: 0, degraded: true };
  }
  stats.failClosed++;
  return { allowed: false, limit, remaining: 0, resetMs: 0, retryAfterMs: 0, unavailable: true };
}

export const ACQUIRED: Acquisition = Object.freeze({ acquired: true });
export const REFUSED: Acquisition = Object.freeze({ acquired: false });
const ACQUIRED_DEGRADED: Acquisition = Object.freeze({ acquired: true, degraded: true });
const UNAVAILABLE: Acquisition = Object.freeze({ acquired: false, unavailable: true });

export function unacquired(failMode: FailMode, stats: LimitsStats): Acquisition {
  if (failMode === 'open') {
    stats.failOpen++;
    return ACQUIRED_DEGRADED;
  }
  stats.failClosed++;
  return UNAVAILABLE;
}

export function emptyStats(): LimitsStats {
  return { outages: 0, failOpen: 0, failClosed: 0, keyCapHits: 0, errors: 0 };
}
