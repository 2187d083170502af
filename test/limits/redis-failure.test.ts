import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCounterStore, type Decision, type FailMode, type Rule } from '../../src/gateway/limits/index.ts';
import { OwnRedis } from './redis-helpers.ts';

const rule: Rule = { kind: 'window', limit: 1_000_000, windowMs: 60_000, algorithm: 'gcra' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Timed {
  failMode: FailMode;
  decision: Decision;
  ms: number;
}

/** Keeps calls of both fail modes in flight (about 10 at any time) until stopped; records each one. */
function load(store: RedisCounterStore): { calls: Timed[]; stop(): Promise<void> } {
  const calls: Timed[] = [];
  let running = true;
  const lane = async (failMode: FailMode): Promise<void> => {
    while (running) {
      const started = performance.now();
      const decision = await store.consume('load', rule, 1, Date.now(), failMode);
      calls.push({ failMode, decision, ms: performance.now() - started });
      await sleep(2);
    }
  };
  const lanes = Array.from({ length: 10 }, (_, i) => lane(i % 2 === 0 ? 'open' : 'closed'));
  return {
    calls,
    stop: async () => {
      running = false;
      await Promise.all(lanes);
    },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('redis store when Redis goes away', () => {
  let redis: OwnRedis;
  let store: RedisCounterStore;
  const logs: string[] = [];

  before(async () => {
    redis = await OwnRedis.start();
    store = new RedisCounterStore({ redis: redis.url, commandTimeoutMs: 100, log: (level, message) => logs.push(`${level}: ${message}`) });
    await store.ready();
  });
  after(async () => {
    await store.close();
    await redis.kill();
  });

  it('decides each call by its fail mode within the timeout, logs each outage once, and counts again when Redis is back', async (t) => {
    const traffic = load(store);
    const counted = (): boolean => traffic.calls.slice(-10).every((c) => !c.decision.degraded && !c.decision.unavailable);
    await until('calls are counted', counted);

    // 1. Redis stops answering but keeps its connections open: calls wait at most the timeout.
    let mark = traffic.calls.length;
    redis.freeze();
    await until('both fail modes were decided without Redis', () => {
      const since = traffic.calls.slice(mark);
      return since.filter((c) => c.decision.degraded).length >= 20 && since.filter((c) => c.decision.unavailable).length >= 20;
    });
    await sleep(1500); // past the socket timeout: the connection is dropped, calls fail at once
    const frozen = traffic.calls.slice(mark);
    redis.thaw();
    await until('calls are counted again after the freeze', counted);

    // 2. Redis dies: connections are refused.
    mark = traffic.calls.length;
    await redis.kill();
    await until('calls were decided without Redis', () => traffic.calls.slice(mark).filter((c) => c.decision.unavailable).length >= 50);
    const dead = traffic.calls.slice(mark);

    // 3. Redis restarts on the same port: counting resumes by itself.
    await redis.start();
    await until('calls are counted after the restart', counted);
    await traffic.stop();

    for (const c of [...frozen, ...dead]) {
      if (c.decision.degraded) {
        assert.equal(c.failMode, 'open');
        assert.equal(c.decision.allowed, true);
      } else if (c.decision.unavailable) {
        assert.equal(c.failMode, 'closed');
        assert.equal(c.decision.allowed, false);
      }
    }
    const slowest = Math.max(...traffic.calls.map((c) => c.ms));
    const worst = (cs: Timed[]): string => `${cs.length} calls, slowest ${Math.round(Math.max(...cs.map((c) => c.ms)))} ms`;
    t.diagnostic(`frozen: ${worst(frozen)}; dead: ${worst(dead)}; all: ${worst(traffic.calls)}`);
    assert.ok(slowest < 1000, `a call took ${slowest} ms`);
    assert.deepEqual(logs, ['warn: counter store unreachable', 'info: counter store back', 'warn: counter store unreachable', 'info: counter store back']);
    assert.equal(store.stats.outages, 2);
    assert.equal(store.stats.failOpen, traffic.calls.filter((c) => c.decision.degraded).length);
    assert.equal(store.stats.failClosed, traffic.calls.filter((c) => c.decision.unavailable).length);

    // The restarted Redis counts from zero (no persistence): a small limit is enforced exactly again.
    const small: Rule = { kind: 'window', limit: 5, windowMs: 60_000, algorithm: 'sliding' };
    const after = await Promise.all(Array.from({ length: 20 }, async () => store.consume('after', small, 1, Date.now(), 'closed')));
    assert.equal(after.filter((d) => d.allowed).length, 5);
  });

  it('concurrency slots follow the fail mode too', async () => {
    await redis.kill();
    await until('the outage is noticed', async () => (await store.acquire('n', 1, 'closed')).unavailable === true);
    assert.deepEqual(await store.acquire('n', 1, 'open'), { acquired: true, degraded: true });
    await store.release('n'); // releasing an uncounted slot must not fail
    await redis.start();
    await until('slots are counted again', async () => (await store.acquire('n', 1, 'closed')).acquired);
    assert.equal((await store.acquire('n', 1, 'closed')).acquired, false);
  });
});

describe('redis store in batching mode when Redis goes away', () => {
  it('fail-closed calls are refused, fail-open calls go on counting locally, deltas reach Redis once it is back', async () => {
    const redis = await OwnRedis.start();
    const logs: string[] = [];
    const store = new RedisCounterStore({ redis: redis.url, mode: 'batching', syncIntervalMs: 20, log: (level, message) => logs.push(`${level}: ${message}`) });
    try {
      await store.ready();
      const quota: Rule = { kind: 'calendar', limit: 10, period: 'day', timeZone: 'UTC' };
      const now = (): number => Date.now();
      assert.equal((await store.consume('q', quota, 3, now())).allowed, true);
      await until('the first calls are synced', async () => (await store.usage('q', quota, now())).used === 3);
      await redis.kill();
      await until('the outage is noticed', async () => (await store.peek('q', quota, now(), 'closed')).unavailable === true);
      assert.equal((await store.consume('q', quota, 1, now(), 'closed')).unavailable, true);
      const local = await store.consume('q', quota, 5, now(), 'open');
      assert.deepEqual([local.allowed, local.degraded, local.remaining], [true, true, 2]);
      const over = await store.consume('q', quota, 5, now(), 'open');
      assert.deepEqual([over.allowed, over.degraded], [false, true]);
      await redis.start();
      // The restarted Redis kept nothing (no persistence); the 5 counted during the outage reach it.
      // usage() reads Redis and rejects until the store has reconnected: not yet, then.
      await until('the deltas are synced', async () => (await store.usage('q', quota, now()).catch(() => null))?.used === 5);
      assert.deepEqual(logs, ['warn: counter store unreachable', 'info: counter store back']);
    } finally {
      await store.close();
      await redis.kill();
    }
  });
});
