/**
 * How long a backend's answer may be stored (RFC 9111 §5.2.2 directives a shared cache honours):
 * no-store, private and no-cache forbid it; s-maxage, then max-age, shorten or lengthen the
 * policy's TTL; Set-Cookie and `Vary: *` forbid it too.
 */
import type { Headers } from '../sdk.ts';

/** Milliseconds to keep the answer; 0: do not store. */
export function storeForMs(headers: Headers, ttlMs: number): number {
  if (headers.has('set-cookie')) return 0;
  if (headers.get('vary')?.trim() === '*') return 0;
  const cc = headers.get('cache-control');
  if (cc === undefined) return ttlMs;
  const directives = parseCacheControl(cc);
  if (directives.has('no-store') || directives.has('private') || directives.has('no-cache')) return 0;
  const seconds = directives.get('s-maxage') ?? directives.get('max-age');
  if (seconds === undefined) return ttlMs;
  const n = Number.parseInt(seconds, 10);
  return Number.isFinite(n) && n > 0 ? n * 1000 : 0;
}

/** Directive (lower-case) → value (`''` when it has none). */
export function parseCacheControl(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name !== '') out.set(name, eq === -1 ? '' : part.slice(eq + 1).trim().replace(/^"|"$/g, ''));
  }
  return out;
}
