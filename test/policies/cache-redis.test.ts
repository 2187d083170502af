import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisResponseCache } from '../../src/gateway/cache/redis-cache.ts';
import { echoBackend } from '../gateway/helpers.ts';
import { limitsBed, type LimitsBed } from '../limits/bed.ts';
import { dropNamespace, freshNamespace, OwnRedis, SHARED_REDIS_URL } from '../limits/redis-helpers.ts';

const CACHE = [{ type: 'cache', scope: 'api' as const, config: { ttlSeconds: 60 } }];

/** An echo backend that counts its calls. */
function counted(): { server: ReturnType<typeof echoBackend>; calls: () => number } {
  let n = 0;
  const server = echoBackend(() => {
    n++;
  });
  return { server, calls: () => n };
}

describe('cache policy on Redis: entries shared by gateways, calls answered while Redis is down', () => {
  it('serves from one gateway an answer the other stored, under the same namespace', async () => {
    const namespace = freshNamespace();
    const stores = [new RedisResponseCache({ url: SHARED_REDIS_URL, namespace }), new RedisResponseCache({ url: SHARED_REDIS_URL, namespace })];
    await Promise.all(stores.map((s) => s.ready()));
    const backend = counted();
    const one = await limitsBed(CACHE, { backend: backend.server, cache: stores[0]! });
    const two = await limitsBed(CACHE, { cache: stores[1]!, backend: counted().server });
    try {
      const first = await one.call('a', '/shared?x=1');
      assert.equal(first.headers.get('portico-cache'), 'MISS');
      const body = await first.text();
      const second = await two.call('a', '/shared?x=1');
      assert.equal(second.headers.get('portico-cache'), 'HIT');
      assert.equal(await second.text(), body, 'gateway two answered with what gateway one stored');
      assert.equal(second.headers.get('age'), '0');
      const other = await two.call('b', '/shared?x=1');
      assert.equal(other.headers.get('portico-cache'), 'MISS', 'another application does not get the entry');
      await other.text();
      assert.equal(backend.calls(), 1);
    } finally {
      await one.close();
      await two.close();
      await Promise.all(stores.map((s) => s.close()));
      assert.ok((await dropNamespace(namespace)) >= 2);
    }
  });

  describe('when its Redis stops', () => {
    let redis: OwnRedis;
    let store: RedisResponseCache;
    let bed: LimitsBed;
    const warnings: string[] = [];
    before(async () => {
      redis = await OwnRedis.start();
      store = new RedisResponseCache({ url: redis.url, commandTimeoutMs: 100, log: (message) => warnings.push(message) });
      await store.ready();
      bed = await limitsBed(CACHE, { cache: store });
    });
    after(async () => {
      await bed.close();
      await store.close();
      await redis.kill();
    });

    it('answers every call from the backend, none hung, and warns once', async () => {
      const warm = await bed.call('a', '/down');
      await warm.text();
      assert.equal((await bed.call('a', '/down')).headers.get('portico-cache'), 'HIT');
      await redis.kill();
      for (let i = 0; i < 5; i++) {
        const r = await bed.call('a', '/down', { signal: AbortSignal.timeout(3000) });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('portico-cache'), 'MISS');
        assert.match(await r.text(), /"url":"\/down"/);
      }
      assert.equal(warnings.length, 1);
    });
  });
});
