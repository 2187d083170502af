/**
 * The cache key of a call: method, API, path, the query normalised (parameters sorted, optionally
 * only an allow-list), the vary-by headers, and the calling application unless the cache is
 * shared. Hashed so a long URL never makes a long store key.
 */
import { createHash } from 'node:crypto';
import type { Exchange } from '../sdk.ts';

export interface KeyParts {
  /** Only these query parameters count (decoded names); null: all. */
  readonly queryParameters: ReadonlySet<string> | null;
  /** Lower-case header names. */
  readonly varyByHeaders: readonly string[];
  readonly shared: boolean;
}

export function cacheKey(x: Exchange, parts: KeyParts): string {
  const h = createHash('sha256');
  h.update(`${x.method}\n${x.api.id}\n${x.path}\n${normaliseQuery(x.query, parts.queryParameters)}\n`);
  for (const name of parts.varyByHeaders) h.update(`${name}:${x.requestHeaders.get(name) ?? ''}\n`);
  // Private by default: an answer computed for one application is never served to another.
  h.update(parts.shared ? '*' : `app:${x.consumer?.applicationId ?? ''}`);
  return h.digest('base64url');
}

export function normaliseQuery(query: string, allow: ReadonlySet<string> | null): string {
  if (query === '') return '';
  const pairs = query.split('&').filter((pair) => pair !== '');
  const kept = allow === null ? pairs : pairs.filter((pair) => allow.has(decodeName(pair)));
  return kept.sort().join('&');
}

function decodeName(pair: string): string {
  const eq = pair.indexOf('=');
  const raw = (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
