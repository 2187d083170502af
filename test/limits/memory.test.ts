import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryCounterStore, type Rule } from '../../src/gateway/limits/index.ts';
import { counterSemantics } from './semantics.ts';

counterSemantics('memory store', async () => {
  const store = new MemoryCounterStore();
  return { store, close: () => store.close() };
});

describe('memory store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-limits-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const quota: Rule = { kind: 'calendar', limit: 5, period: 'month', timeZone: 'Europe/Paris' };

  it('answers synchronously, never with a promise', () => {
    const store = new MemoryCounterStore();
    const d = store.consume('k', { kind: 'interval', intervalMs: 10 }, 1, Date.now());
    assert.equal(d instanceof Promise, false);
    assert.equal(d.allowed, true);
  });

  it('keeps quota counts across a restart from the same file', async () => {
    const file = join(dir, 'restart.json');
    const now = Date.now();
    const first = new MemoryCounterStore({ persistFile: file });
    for (let i = 0; i < 3; i++) first.consume('q:plan:contract', quota, 1, now);
    await first.close();
    const second = new MemoryCounterStore({ persistFile: file });
    assert.equal(second.consume('q:plan:contract', quota, 1, now).remaining, 1);
    assert.equal(second.consume('q:plan:contract', quota, 1, now).allowed, true);
    assert.equal(second.consume('q:plan:contract', quota, 1, now).allowed, false);
    await second.close();
  });

  it('saves periodically without being closed, atomically', async () => {
    const file = join(dir, 'periodic.json');
    const store = new MemoryCounterStore({ persistFile: file, persistIntervalMs: 20 });
    store.consume('q:x', quota, 2, Date.now());
    for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { counters: Array<[string, number, number, number]> };
    assert.deepEqual(
      saved.counters.map(([k, , , n]) => [k, n]),
      [['q:x', 2]],
    );
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    const reloaded = new MemoryCounterStore({ persistFile: file });
    assert.equal(reloaded.usage('q:x', quota, Date.now()).used, 2);
    await Promise.all([store.close(), reloaded.close()]);
  });

  it('ignores saved periods that have ended', async () => {
    const file = join(dir, 'ended.json');
    const now = Date.now();
    writeFileSync(file, JSON.stringify({ version: 1, counters: [['old', now - 2000, now - 1000, 5], ['live', now - 1000, now + 60_000, 4]] }));
    const store = new MemoryCounterStore({ persistFile: file });
    assert.equal(store.size, 1);
    await store.close();
  });

  it('starts from zero and says so when the file is damaged', async () => {
    const file = join(dir, 'damaged.json');
    writeFileSync(file, '{"version":1,"count');
    const logs: string[] = [];
    const store = new MemoryCounterStore({ persistFile: file, log: (level, message) => logs.push(`${level} ${message}`) });
    assert.equal(store.consume('q', quota, 1, Date.now()).allowed, true);
    assert.deepEqual(logs, ['error counter file unreadable, quotas start from zero']);
    await store.close();
  });

  it('holds at most maxKeys keys; a new key beyond is decided by its fail mode', () => {
    const rule: Rule = { kind: 'window', limit: 10, windowMs: 1000, algorithm: 'gcra' };
    const now = 1_000_000;
    const store = new MemoryCounterStore({ maxKeys: 2, clock: () => now });
    store.consume('a', rule, 1, now);
    store.consume('b', rule, 1, now);
    const open = store.consume('c', rule, 1, now, 'open');
    assert.deepEqual([open.allowed, open.degraded], [true, true]);
    const closed = store.consume('c', rule, 1, now, 'closed');
    assert.deepEqual([closed.allowed, closed.unavailable], [false, true]);
    assert.deepEqual(store.acquire('c', 5, 'closed'), { acquired: false, unavailable: true });
    assert.equal(store.consume('a', rule, 1, now).allowed, true); // known keys are still counted
    assert.deepEqual([store.stats.keyCapHits, store.stats.failOpen, store.stats.failClosed], [3, 1, 2]);
  });

  it('makes room at the cap by sweeping ended windows', () => {
    let now = 1_000_000;
    const rule: Rule = { kind: 'window', limit: 10, windowMs: 1000, algorithm: 'gcra' };
    const store = new MemoryCounterStore({ maxKeys: 2, clock: () => now });
    store.consume('a', rule, 1, now);
    store.consume('b', rule, 1, now);
    now += 5000;
    const d = store.consume('c', rule, 1, now, 'closed');
    assert.equal(d.allowed, true);
    assert.equal(d.unavailable, undefined);
    assert.equal(store.size, 1);
  });

  it('sweeps windows and periods that have ended, and keeps the others', () => {
    const store = new MemoryCounterStore();
    const now = Date.parse('2030-06-01T12:00:00Z');
    for (let i = 0; i < 100; i++) {
      store.consume(`s${i}`, { kind: 'window', limit: 10, windowMs: 1000, algorithm: 'sliding' }, 1, now);
      store.consume(`g${i}`, { kind: 'window', limit: 10, windowMs: 1000, algorithm: 'gcra' }, 1, now);
      store.consume(`i${i}`, { kind: 'interval', intervalMs: 1000 }, 1, now);
      store.consume(`c${i}`, { kind: 'calendar', limit: 10, period: 'day', timeZone: 'UTC' }, 1, now);
    }
    store.consume('hour', { kind: 'window', limit: 10, windowMs: 3_600_000, algorithm: 'sliding' }, 1, now);
    assert.equal(store.size, 401);
    store.sweep(now + 1500); // the sliding windows still weigh in the next window
    assert.equal(store.size, 201);
    store.sweep(now + 2000);
    assert.equal(store.size, 101);
    store.sweep(now + 2 * 3_600_000);
    assert.equal(store.size, 100);
    store.sweep(Date.parse('2030-06-02T00:00:00Z'));
    assert.equal(store.size, 0);
  });

  it('an in-flight slot count drops to nothing once every slot is released', () => {
    const store = new MemoryCounterStore();
    for (let i = 0; i < 3; i++) assert.equal(store.acquire('n', 3).acquired, true);
    for (let i = 0; i < 3; i++) store.release('n');
    assert.equal(store.size, 0);
  });
});
