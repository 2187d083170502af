import { Type, type Static } from 'typebox';
import type { CachedResponse } from '../cache-store.ts';
import { definePolicy, docBeside, type Exchange } from '../sdk.ts';
import { HEADER_NAME } from '../values.ts';
import { cacheKey, type KeyParts } from './key.ts';
import { parseCacheControl, storeForMs } from './freshness.ts';

const schema = Type.Object(
  {
    ttlSeconds: Type.Integer({ minimum: 1, maximum: 31_536_000, description: 'How long an answer is kept when the backend says nothing shorter or longer (Cache-Control s-maxage / max-age win)' }),
    varyByHeaders: Type.Optional(Type.Array(Type.String({ pattern: HEADER_NAME, maxLength: 200 }), { maxItems: 20, uniqueItems: true, description: 'Request headers whose values are part of the key (`Accept`, `Accept-Language`)' })),
    queryParameters: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, uniqueItems: true, description: 'Only these query parameters are part of the key (the others are ignored); default: all, in any order' })),
    shared: Type.Optional(Type.Boolean({ description: 'One entry for every caller; default false: each application has its own entries (private data is never served to another application)' })),
    statuses: Type.Optional(Type.Array(Type.Integer({ minimum: 200, maximum: 599 }), { minItems: 1, maxItems: 20, uniqueItems: true, description: 'Backend statuses that are stored (default [200])' })),
    maxEntryBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 16_777_216, description: 'Largest body stored, in bytes (default 1 MiB); larger answers are passed through' })),
  },
  { additionalProperties: false },
);

/** Answers that are not replayed from the cache: they describe one connection or one call. */
const NOT_STORED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'age', 'x-request-id', 'portico-cache', 'portico-trace', 'set-cookie']);
const STATUS_HEADER = 'portico-cache';

/** Azure cache-lookup + cache-store, Kong proxy-cache, Apiman Caching Policy. */
export const cache = definePolicy<Static<typeof schema>>({
  name: 'cache',
  summary: 'Answers GET and HEAD calls from a response cache (memory, or Redis shared by every node); the backend is called on a miss.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response'],
  schema,
  compile(config) {
    const ttlMs = config.ttlSeconds * 1000;
    const parts: KeyParts = {
      queryParameters: config.queryParameters === undefined ? null : new Set(config.queryParameters),
      varyByHeaders: (config.varyByHeaders ?? []).map((h) => h.toLowerCase()),
      shared: config.shared === true,
    };
    const statuses = new Set(config.statuses ?? [200]);
    const maxEntryBytes = config.maxEntryBytes ?? 1024 * 1024;
    /** Calls this policy may store (key), and those it answered from the cache (hit). */
    const calls = new WeakMap<Exchange, { key: string; hit: boolean }>();

    return {
      needs: { responseBody: true },
      request(x) {
        const store = x.services.cache;
        if (store === null || (x.method !== 'GET' && x.method !== 'HEAD')) return;
        const state = { key: cacheKey(x, parts), hit: false };
        calls.set(x, state);
        if (noCache(x)) return;
        return store.get(state.key).then((entry) => {
          if (entry === null) return;
          state.hit = true;
          x.cacheHit = true;
          const age = Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000));
          x.respond(entry.status, { ...entry.headers, age: String(age), [STATUS_HEADER]: 'HIT' }, entry.body);
        });
      },
      response(x) {
        const state = calls.get(x);
        if (state === undefined || state.hit) return;
        x.responseHeaders.set(STATUS_HEADER, 'MISS');
        const body = x.responseBody ?? Buffer.alloc(0);
        if (!statuses.has(x.status) || body.length > maxEntryBytes) return;
        const keepMs = storeForMs(x.responseHeaders, ttlMs);
        if (keepMs === 0) return;
        const store = x.services.cache!;
        return store.set(state.key, toEntry(x, body), keepMs);
      },
    };
  },
});

function noCache(x: Exchange): boolean {
  const cc = x.requestHeaders.get('cache-control');
  if (cc !== undefined && parseCacheControl(cc).has('no-cache')) return true;
  return x.requestHeaders.get('pragma')?.toLowerCase().includes('no-cache') === true;
}

function toEntry(x: Exchange, body: Buffer): CachedResponse {
  const all = x.responseHeaders.toRecord();
  const headers: Record<string, string> = {};
  for (const name of Object.keys(all)) if (!NOT_STORED.has(name)) headers[name] = all[name]!;
  const backendAge = Number.parseInt(all.age ?? '0', 10);
  return { status: x.status, headers, body, storedAt: Date.now() - (Number.isFinite(backendAge) && backendAge > 0 ? backendAge * 1000 : 0) };
}
