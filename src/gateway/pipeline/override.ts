/**
 * Backends named by a policy at request time (set-backend): one shared undici Agent keeps
 * keep-alive pools per origin, and targets are cached per URL (bounded) so a busy override builds
 * nothing per request. These targets have their own circuit breaker per URL, like a backend's.
 */
import { Agent, type Dispatcher, type Pool } from 'undici';
import type { RouteTarget } from '../runtime.ts';
import { CircuitBreaker } from '../upstream/circuit-breaker.ts';

const MAX_TARGETS = 256;
let agent: Agent | null = null;
const targets = new Map<string, RouteTarget>();

/** The target for an absolute http(s) URL; null when the URL is not one. */
export function overrideTarget(url: string, readTimeoutMs: number, connectTimeoutMs: number): RouteTarget | null {
  let target = targets.get(url);
  if (target !== undefined) return target;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') return null;
  agent ??= new Agent({ keepAliveTimeout: 4_000, pipelining: 1, headersTimeout: readTimeoutMs, bodyTimeout: readTimeoutMs, connect: { timeout: connectTimeoutMs } });
  const origin = parsed.origin;
  const shared = agent;
  const dispatcher = {
    dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => shared.dispatch({ ...options, origin }, handler),
  } as unknown as Pool;
  const secure = parsed.protocol === 'https:';
  target = Object.freeze({
    url,
    hostname: parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname,
    port: parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port),
    secure,
    basePath: parsed.pathname.replace(/\/+$/, ''),
    authority: parsed.host,
    weight: 1,
    pool: dispatcher,
    breaker: new CircuitBreaker(5, 10_000),
  });
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

/** Closes the shared agent (gateway shutdown). */
export async function closeOverrides(): Promise<void> {
  const a = agent;
  agent = null;
  targets.clear();
  await a?.close().catch(() => {});
}
