/**
 * What every counter store must answer, with time injected through `now` (no sleeping). The same
 * table runs against the memory store and the Redis store (strict), which keeps the Lua scripts in
 * step with algorithms.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CounterStore, Decision, Rule } from '../../src/gateway/limits/index.ts';

export interface StoreUnderTest {
  store: CounterStore;
  close(): Promise<void>;
}

/** A whole second, minute and hour: fixed windows of those lengths start here. */
const T0 = 1_900_000_800_000;
const at = (iso: string): number => Date.parse(iso);

async function many(store: CounterStore, key: string, rule: Rule, n: number, now: number): Promise<Decision[]> {
  const out: Decision[] = [];
  for (let i = 0; i < n; i++) out.push(await store.consume(key, rule, 1, now));
  return out;
}

const allowedCount = (ds: Decision[]): number => ds.filter((d) => d.allowed).length;

export function counterSemantics(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name}: counting semantics`, () => {
    const withStore = (title: string, fn: (store: CounterStore) => Promise<void>): void => {
      it(title, async () => {
        const s = await open();
        try {
          await fn(s.store);
        } finally {
          await s.close();
        }
      });
    };

    withStore('1,000 concurrent consumes against a limit of 100 allow exactly 100', async (store) => {
      const rule: Rule = { kind: 'window', limit: 100, windowMs: 60_000, algorithm: 'sliding' };
      const now = T0 + 10;
      const ds = await Promise.all(Array.from({ length: 1000 }, async () => store.consume('burst', rule, 1, now)));
      assert.equal(allowedCount(ds), 100);
      const gcra: Rule = { kind: 'window', limit: 100, windowMs: 60_000, algorithm: 'gcra' };
      const dg = await Promise.all(Array.from({ length: 1000 }, async () => store.consume('burst-g', gcra, 1, now)));
      assert.equal(allowedCount(dg), 100);
    });

    withStore('sliding window: a full window refuses, and tells when the previous window has faded enough', async (store) => {
      const rule: Rule = { kind: 'window', limit: 10, windowMs: 1000, algorithm: 'sliding' };
      const ds = await many(store, 'k', rule, 11, T0 + 100);
      assert.deepEqual(ds.map((d) => d.remaining), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0]);
      const refused = ds[10]!;
      assert.equal(refused.allowed, false);
      assert.equal(refused.resetMs, 900);
      // Next window: 10 × (1 − elapsed/1000) + 1 ≤ 10 from elapsed = 100 ms, i.e. 1,000 ms from now.
      assert.equal(refused.retryAfterMs, 1000);
      assert.equal((await store.consume('k', rule, 1, T0 + 1099)).allowed, false);
      assert.equal((await store.consume('k', rule, 1, T0 + 1100)).allowed, true);
      assert.equal((await store.consume('k', rule, 1, T0 + 1100)).allowed, false);
    });

    withStore('sliding window: the previous window weighs in proportion to its overlap', async (store) => {
      const rule: Rule = { kind: 'window', limit: 10, windowMs: 1000, algorithm: 'sliding' };
      assert.equal(allowedCount(await many(store, 'k', rule, 10, T0 + 900)), 10);
      // Half-way through the next window, the 10 earlier calls count for 5.
      assert.equal(allowedCount(await many(store, 'k', rule, 10, T0 + 1500)), 5);
      // Two windows later nothing of them is left.
      assert.equal(allowedCount(await many(store, 'k', rule, 12, T0 + 3000)), 10);
    });

    withStore('GCRA: a burst up to the limit, then one call per emission interval', async (store) => {
      const rule: Rule = { kind: 'window', limit: 10, windowMs: 1000, algorithm: 'gcra' };
      const ds = await many(store, 'k', rule, 11, T0);
      assert.equal(allowedCount(ds), 10);
      assert.equal(ds[9]!.remaining, 0);
      assert.equal(ds[9]!.resetMs, 1000);
      assert.equal(ds[10]!.retryAfterMs, 100);
      assert.equal((await store.consume('k', rule, 1, T0 + 99)).allowed, false);
      assert.equal((await store.consume('k', rule, 1, T0 + 100)).allowed, true);
      assert.equal((await store.consume('k', rule, 1, T0 + 100)).allowed, false);
      assert.equal(allowedCount(await many(store, 'k', rule, 11, T0 + 1100)), 10);
    });

    withStore('GCRA with a window that is not a multiple of the limit still allows exactly the limit', async (store) => {
      const rule: Rule = { kind: 'window', limit: 3, windowMs: 1000, algorithm: 'gcra' };
      assert.equal(allowedCount(await many(store, 'k', rule, 5, T0 + 7)), 3);
      const next = await store.consume('k', rule, 1, T0 + 7 + 333);
      assert.equal(next.allowed, false);
      assert.equal(next.retryAfterMs, 1);
      assert.equal((await store.consume('k', rule, 1, T0 + 7 + 334)).allowed, true);
    });

    withStore('spike arrest: one call per interval, whatever the burst', async (store) => {
      const rule: Rule = { kind: 'interval', intervalMs: 1000 };
      const first = await store.consume('k', rule, 1, T0);
      assert.deepEqual([first.allowed, first.limit, first.remaining], [true, 1, 0]);
      const second = await store.consume('k', rule, 1, T0 + 400);
      assert.deepEqual([second.allowed, second.retryAfterMs], [false, 600]);
      assert.equal((await store.consume('k', rule, 1, T0 + 999)).allowed, false);
      assert.equal((await store.consume('k', rule, 1, T0 + 1000)).allowed, true);
      assert.equal((await store.consume('k', rule, 1, T0 + 5000)).allowed, true);
      assert.equal((await store.consume('k', rule, 1, T0 + 5001)).allowed, false);
    });

    withStore('a cost above the limit is refused and counts nothing', async (store) => {
      for (const rule of [
        { kind: 'window', limit: 5, windowMs: 1000, algorithm: 'sliding' },
        { kind: 'window', limit: 5, windowMs: 1000, algorithm: 'gcra' },
      ] satisfies Rule[]) {
        assert.equal((await store.consume(`big-${rule.algorithm}`, rule, 6, T0)).allowed, false);
        assert.equal((await store.consume(`big-${rule.algorithm}`, rule, 5, T0)).allowed, true);
      }
    });

    withStore('daily quota in Europe/Paris: the 23-hour day of the DST change ends at local midnight', async (store) => {
      const rule: Rule = { kind: 'calendar', limit: 3, period: 'day', timeZone: 'Europe/Paris' };
      const early = at('2030-03-30T23:30:00Z'); // 00:30 CET, Sunday 31 March 2030
      const ds = await many(store, 'q', rule, 4, early);
      assert.deepEqual(ds.map((d) => d.allowed), [true, true, true, false]);
      const end = at('2030-03-31T22:00:00Z'); // Monday 00:00 CEST: 22 h 30 min later, not 23 h 30 min
      assert.equal(ds[3]!.retryAfterMs, end - early);
      assert.equal(ds[3]!.resetMs, end - early);
      assert.equal((await store.consume('q', rule, 1, end - 1)).allowed, false);
      assert.equal(allowedCount(await many(store, 'q', rule, 4, end)), 3);
      // The day before started at 00:00 CET too: 2030-03-29T23:00Z.
      assert.equal(allowedCount(await many(store, 'q', rule, 4, at('2030-03-29T23:00:00Z'))), 3);
      assert.equal((await store.consume('q', rule, 1, at('2030-03-29T22:59:59.999Z'))).allowed, true);
    });

    withStore('monthly quota: March ends at Paris midnight, February has 28 days in 2030', async (store) => {
      const rule: Rule = { kind: 'calendar', limit: 2, period: 'month', timeZone: 'Europe/Paris' };
      assert.equal(allowedCount(await many(store, 'm', rule, 3, at('2030-03-01T10:00:00Z'))), 2);
      const lastMinute = await store.consume('m', rule, 1, at('2030-03-31T21:59:00Z'));
      assert.equal(lastMinute.allowed, false);
      assert.equal(lastMinute.retryAfterMs, 60_000);
      assert.equal(allowedCount(await many(store, 'm', rule, 3, at('2030-03-31T22:00:00Z'))), 2); // 1 April, 00:00 CEST
      const feb = await store.consume('m', rule, 1, at('2030-02-28T22:00:00Z'));
      assert.equal(feb.resetMs, at('2030-02-28T23:00:00Z') - at('2030-02-28T22:00:00Z'));
    });

    withStore('weekly quota: weeks start on Monday, local time', async (store) => {
      const rule: Rule = { kind: 'calendar', limit: 1, period: 'week', timeZone: 'Europe/Paris' };
      assert.equal((await store.consume('w', rule, 1, at('2030-03-24T23:00:00Z'))).allowed, true); // Monday 25 March 00:00 CET
      const sunday = await store.consume('w', rule, 1, at('2030-03-31T21:00:00Z'));
      assert.equal(sunday.allowed, false);
      assert.equal(sunday.retryAfterMs, 3_600_000);
      assert.equal((await store.consume('w', rule, 1, at('2030-03-31T22:00:00Z'))).allowed, true);
    });

    withStore('transfer quota: peek before the call, add the bytes after, never refused by add', async (store) => {
      const rule: Rule = { kind: 'calendar', limit: 1000, period: 'day', timeZone: 'UTC' };
      const now = at('2030-06-01T12:00:00Z');
      assert.deepEqual([(await store.peek('t', rule, now)).allowed, (await store.peek('t', rule, now)).remaining], [true, 1000]);
      await store.add('t', rule, 600, now);
      assert.equal((await store.peek('t', rule, now)).remaining, 400);
      await store.add('t', rule, 600, now);
      const after = await store.peek('t', rule, now);
      assert.deepEqual([after.allowed, after.remaining, after.retryAfterMs], [false, 0, 12 * 3_600_000]);
      assert.deepEqual(await store.usage('t', rule, now), { used: 1200, limit: 1000, remaining: 0, resetMs: 12 * 3_600_000 });
    });

    withStore('peek counts nothing', async (store) => {
      const rule: Rule = { kind: 'window', limit: 2, windowMs: 1000, algorithm: 'gcra' };
      for (let i = 0; i < 5; i++) assert.equal((await store.peek('p', rule, T0)).allowed, true);
      assert.equal(allowedCount(await many(store, 'p', rule, 3, T0)), 2);
      assert.equal((await store.peek('p', rule, T0)).allowed, false);
    });

    withStore('usage reports the count against the limit', async (store) => {
      const rule: Rule = { kind: 'window', limit: 100, windowMs: 60_000, algorithm: 'sliding' };
      await many(store, 'u', rule, 7, T0 + 1000);
      assert.deepEqual(await store.usage('u', rule, T0 + 1000), { used: 7, limit: 100, remaining: 93, resetMs: 59_000 });
      assert.deepEqual(await store.usage('nobody', rule, T0 + 1000), { used: 0, limit: 100, remaining: 100, resetMs: 59_000 });
    });

    withStore('reset clears every counter under a key prefix, and only those', async (store) => {
      const day: Rule = { kind: 'calendar', limit: 1, period: 'day', timeZone: 'UTC' };
      const rate: Rule = { kind: 'window', limit: 1, windowMs: 60_000, algorithm: 'sliding' };
      const now = at('2030-06-01T12:00:00Z');
      for (const key of ['q:p1:a', 'q:p1:b', 'q:p2:a']) {
        await store.consume(key, day, 1, now);
        await store.consume(key, rate, 1, now);
      }
      assert.equal(await store.reset('q:p1:'), 4);
      assert.equal((await store.consume('q:p1:a', day, 1, now)).allowed, true);
      assert.equal((await store.consume('q:p1:b', rate, 1, now)).allowed, true);
      assert.equal((await store.consume('q:p2:a', day, 1, now)).allowed, false);
      assert.equal((await store.consume('q:p2:a', rate, 1, now)).allowed, false);
    });

    withStore('concurrency: slots are taken up to the limit and given back by release', async (store) => {
      assert.equal((await store.acquire('c', 2)).acquired, true);
      assert.equal((await store.acquire('c', 2)).acquired, true);
      assert.equal((await store.acquire('c', 2)).acquired, false);
      assert.equal((await store.acquire('other', 2)).acquired, true);
      await store.release('c');
      assert.equal((await store.acquire('c', 2)).acquired, true);
      assert.equal((await store.acquire('c', 2)).acquired, false);
      await store.release('c');
      await store.release('c');
      await store.release('c'); // one release too many gives nothing extra
      const got = await Promise.all([store.acquire('c', 2), store.acquire('c', 2), store.acquire('c', 2)]);
      assert.equal(got.filter((a) => a.acquired).length, 2);
    });
  });
}
