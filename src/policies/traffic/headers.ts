/**
 * Response header fields for a decision, in the form of the IETF draft
 * "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers, -06 and earlier):
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (delta seconds), plus `Retry-After`
 * (RFC 9110 §10.2.3, delta seconds) on a refusal. Seconds are rounded up so a client that waits as
 * told is never early.
 */
import type { Decision } from '../counters.ts';

/** Where header fields are written: a policy's header list, or a record. */
export interface HeaderTarget {
  set(name: string, value: string): void;
}

/** Writes the decision's fields on `target` (none when nothing was counted). */
export function putRateLimitHeaders(decision: Decision, target: HeaderTarget): void {
  // Nothing was counted: no figures to promise. (A degraded refusal comes from a node's own count in
  // batching mode, and its figures are real.)
  if (decision.unavailable || (decision.degraded && decision.allowed)) return;
  target.set('RateLimit-Limit', String(decision.limit));
  target.set('RateLimit-Remaining', String(decision.remaining));
  target.set('RateLimit-Reset', String(Math.ceil(decision.resetMs / 1000)));
  if (!decision.allowed) target.set('Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))));
}

export function rateLimitHeaders(decision: Decision): Record<string, string> {
  const headers: Record<string, string> = {};
  putRateLimitHeaders(decision, { set: (name, value) => (headers[name] = value) });
  return headers;
}
