import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCounterStore } from '../../src/gateway/limits/index.ts';
import { limitsBed, type LimitsBed } from './bed.ts';
import { OwnRedis } from './redis-helpers.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a gateway whose Redis stops mid-load', () => {
  let redis: OwnRedis;
  let store: RedisCounterStore;
  let bed: LimitsBed;

  before(async () => {
    redis = await OwnRedis.start();
    store = new RedisCounterStore({ redis: redis.url, commandTimeoutMs: 100 });
    await store.ready();
    // Application a's contract is limited fail-open, application b's fail-closed.
    bed = await limitsBed(
      [
        { type: 'rate-limit', id: 'pol_open', scope: 'application', scopeId: 'app_a', config: { limit: 1000, per: 'minute', failMode: 'open' } },
        { type: 'rate-limit', id: 'pol_closed', scope: 'application', scopeId: 'app_b', config: { limit: 1000, per: 'minute', failMode: 'closed' } },
      ],
      { limits: store },
    );
  });
  after(async () => {
    await bed.close();
    await store.close();
    await redis.kill();
  });

  /** Calls as `app` with a 3 s deadline: a hung request fails the test. */
  const call = async (app: 'a' | 'b') => {
    const r = await bed.call(app, '/x', { signal: AbortSignal.timeout(3000) });
    const body = await r.text();
    return { status: r.status, remaining: r.headers.get('ratelimit-remaining'), body };
  };

  it('lets fail-open calls through, answers fail-closed calls 503 PORTICO_LIMITS_UNAVAILABLE, hangs none, and counts again once Redis is back', async () => {
    assert.equal((await call('a')).remaining, '999');
    assert.equal((await call('b')).remaining, '999');

    // Load in flight while Redis goes away.
    let running = true;
    const seen: Array<{ app: 'a' | 'b'; status: number }> = [];
    const lane = async (app: 'a' | 'b') => {
      while (running) seen.push({ app, status: (await call(app)).status });
    };
    const lanes = [lane('a'), lane('b'), lane('a'), lane('b')];
    await sleep(200);
    await redis.kill();
    await sleep(1500);
    const open = await call('a');
    assert.equal(open.status, 200);
    assert.equal(open.remaining, null, 'an uncounted call promises no figures');
    const closed = await call('b');
    assert.equal(closed.status, 503);
    assert.equal((JSON.parse(closed.body) as { code: string }).code, 'PORTICO_LIMITS_UNAVAILABLE');

    await redis.start(); // same port, empty: the counts start again
    for (let i = 0; (await call('b')).status !== 200; i++) {
      assert.ok(i < 60, 'fail-closed calls are still refused 3 s after Redis came back');
      await sleep(50);
    }
    running = false;
    await Promise.all(lanes);
    assert.ok(seen.every((s) => s.status === 200 || (s.app === 'b' && s.status === 503)), JSON.stringify(seen.filter((s) => s.status !== 200).slice(0, 5)));
    assert.ok(seen.some((s) => s.app === 'b' && s.status === 503));

    const r1 = Number((await call('a')).remaining);
    const r2 = Number((await call('a')).remaining);
    assert.ok(r1 < 1000 && r2 === r1 - 1, `counting again: ${r1} then ${r2}`);
  });
});
