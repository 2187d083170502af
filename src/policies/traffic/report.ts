/**
 * The RateLimit-* header fields of a call that crossed several limits: each limit policy reports
 * its decision here, and the response and error phases write the most restrictive one — a refusal
 * first, else the fewest remaining units, else the latest reset — as the IETF draft asks ("the
 * policy closest to being exhausted"). The decision is kept on the exchange itself (`limitDecision`).
 */
import type { Decision } from '../counters.ts';
import type { Exchange, PolicyInstance } from '../sdk.ts';
import { rateLimitFields } from './headers.ts';

function tighter(a: Decision, b: Decision): boolean {
  if (a.allowed !== b.allowed) return !a.allowed;
  if (a.remaining !== b.remaining) return a.remaining < b.remaining;
  return a.resetMs > b.resetMs;
}

export function report(x: Exchange, d: Decision): void {
  // A call allowed uncounted has no figures to promise.
  if (d.unavailable || (d.degraded && d.allowed)) return;
  const prev = x.limitDecision;
  if (prev === null || tighter(d, prev)) x.limitDecision = d;
}

/** Writes the tightest decision's header fields on the answer (the same ones, whichever policy writes). */
export function writeReport(x: Exchange): void {
  const d = x.limitDecision;
  if (d !== null) x.responseHeaders.setAll(rateLimitFields(d));
}

/** The response and error handlers every counting policy has. */
export const REPORTING: Pick<PolicyInstance, 'response' | 'error'> = Object.freeze({ response: writeReport, error: writeReport });
