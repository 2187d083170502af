/**
 * Response header fields for a decision, in the form of the IETF draft
 * "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers, -06 and earlier):
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (delta seconds), plus `Retry-After`
 * (RFC 9110 §10.2.3, delta seconds) on a refusal. Seconds are rounded up so a client that waits as
 * told is never early.
 */
import type { Decision } from '../counters.ts';

/**
 * The decision's fields, flat (`[name, value, …]`, as `Headers.setAll` takes them); none when
 * nothing was counted.
 */
export function rateLimitFields(decision: Decision): string[] {
  // Nothing was counted: no figures to promise. (A degraded refusal comes from a node's own count in
  // batching mode, and its figures are real.)
  if (decision.unavailable || (decision.degraded && decision.allowed)) return [];
  // A sliding window's previous calls still weigh when the current window ends, so the retry can
  // be later than the reset: a refused client told to come back at the reset would be refused again.
  const retry = decision.allowed ? 0 : Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const reset = Math.max(Math.ceil(decision.resetMs / 1000), retry);
  const fields = ['RateLimit-Limit', String(decision.limit), 'RateLimit-Remaining', String(decision.remaining), 'RateLimit-Reset', String(reset)];
  if (!decision.allowed) fields.push('Retry-After', String(retry));
  return fields;
}
