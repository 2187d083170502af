/**
 * The response cache the gateway hands the `cache` policy (PolicyServices.cache): declared here so
 * policies never import src/gateway; implemented in src/gateway/cache/ (memory, or Redis shared by
 * every node). Implementations never throw for an unreachable backend store: a lookup answers
 * null and a store is dropped, so a call is answered by the backend instead.
 */

export interface CachedResponse {
  readonly status: number;
  /** Lower-case name → value, without hop-by-hop fields and without Content-Length. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** When it was stored (ms since epoch), minus the Age the backend reported: for `Age`. */
  readonly storedAt: number;
}

export interface ResponseCache {
  get(key: string): Promise<CachedResponse | null>;
  /** Stores for `ttlMs`; entries larger than the store allows are silently not kept. */
  set(key: string, entry: CachedResponse, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}
