/**
 * Which failures may be retried. RFC 9110 §9.2.2: only idempotent methods may be repeated
 * automatically, and only when the request can be replayed: we never retry once request body
 * bytes were read from the client, and only for failures where the backend cannot have acted
 * (the connection was refused, timed out while connecting, or a pooled keep-alive socket was
 * found closed before any response byte arrived).
 */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

export function isRetryableError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_FAILURES.has(code);
}

export interface Backoff {
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly jitter: boolean;
}

/** Delay before retry number `n` (1 = the first retry): exponential, capped, optionally jittered. */
export function backoffMs(b: Backoff, n: number): number {
  const delay = Math.min(b.maxDelayMs, b.delayMs * b.factor ** (n - 1));
  return b.jitter ? delay / 2 + (Math.random() * delay) / 2 : delay;
}
