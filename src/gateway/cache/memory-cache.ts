/** The response cache of one gateway process: an LRU bounded by the total bytes of its entries. */
import { LRUCache } from 'lru-cache';
import type { CachedResponse, ResponseCache } from '../../policies/cache-store.ts';

/** Default bound of a memory cache: 64 MiB of bodies and headers. */
export const MEMORY_CACHE_BYTES = 64 * 1024 * 1024;

export class MemoryResponseCache implements ResponseCache {
  readonly #lru: LRUCache<string, CachedResponse>;

  constructor(maxBytes = MEMORY_CACHE_BYTES) {
    this.#lru = new LRUCache<string, CachedResponse>({ maxSize: maxBytes, sizeCalculation: entrySize, maxEntrySize: maxBytes });
  }

  get(key: string): Promise<CachedResponse | null> {
    return Promise.resolve(this.#lru.get(key) ?? null);
  }

  set(key: string, entry: CachedResponse, ttlMs: number): Promise<void> {
    this.#lru.set(key, entry, { ttl: ttlMs });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#lru.clear();
    return Promise.resolve();
  }
}

function entrySize(entry: CachedResponse, key: string): number {
  let size = entry.body.length + key.length + 64;
  for (const name of Object.keys(entry.headers)) size += name.length + entry.headers[name]!.length;
  return size;
}
