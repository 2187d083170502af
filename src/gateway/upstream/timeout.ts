/**
 * Maps upstream failures to catalogued codes. Connect, header and body timeouts come from the
 * backend's `connectTimeoutMs` / `readTimeoutMs` (enforced by the undici pool, see pool.ts) and
 * answer 504; any other failure to get an answer is 502.
 */
import type { ErrorCode } from '../../core/errors.ts';

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function isTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUTS.has(code);
}

export function upstreamErrorCode(err: unknown): ErrorCode {
  return isTimeout(err) ? 'PORTICO_UPSTREAM_TIMEOUT' : 'PORTICO_UPSTREAM_UNAVAILABLE';
}
