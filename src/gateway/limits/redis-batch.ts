/**
 * Batching mode of the Redis store, for sliding windows and calendar quotas: each node decides from
 * its own view (the global count it learned at its last sync plus what it counted since) and, every
 * `syncIntervalMs`, sends all its deltas in one pipeline, learning the global counts in the answer.
 * Zero round trips on the request path, for a bounded overshoot (docs/traffic-control.md):
 *
 *   allowed ≤ limit + 2 × N × r × A      (and never more than N × limit)
 *
 * N nodes, r = the highest rate one node admits (calls/ms), A = the longest age of a node's view
 * (≈ syncIntervalMs + sync round trip). A node's view misses only other nodes' calls made within the
 * last 2 × A (their deltas not yet flushed when it last read), plus its own calls on a view older
 * than A after a cold start.
 */
import { calendarStep, slidingStep, type Outcome, type Write } from './algorithms.ts';
import { periodAt } from './calendar.ts';
import type { OutageTracker } from './outage.ts';
import { pipelineOf, type LimitsRedis } from './redis-scripts.ts';
import { calendarKey, slidingKey } from './redis-keys.ts';
import type { CalendarRule, WindowRule } from './types.ts';

/** Deltas a node counted for one window or period and Redis has not acknowledged yet. */
interface Bucket {
  id: number;
  unsent: number;
  inflight: number;
}

interface Entry {
  key: string;
  /** Sliding: window length; calendar: 0. */
  windowMs: number;
  /** Sliding: window index; calendar: period start. */
  id: number;
  /** Calendar: period end. */
  end: number;
  redisKey: string;
  /** Global counts learned at the last sync: current and (sliding) previous window. */
  gc: number;
  gp: number;
  buckets: Bucket[];
  touched: boolean;
  idleTicks: number;
}

export interface BatchStats {
  /** Pipelines Redis answered. */
  syncs: number;
  syncFailures: number;
  maxSyncLatencyMs: number;
  /** Longest time a view was in use: from the start of the sync that produced it to the next answer (A). */
  maxViewAgeMs: number;
}

export interface BatchOptions {
  namespace: string;
  syncIntervalMs: number;
  maxKeys: number;
  tracker: OutageTracker;
  /** Whether Redis errors are outages (connection) or reply errors (script). */
  onError: (err: Error) => void;
}

type BatchRule = CalendarRule | (WindowRule & { algorithm: 'sliding' });

export class BatchCounter {
  readonly stats: BatchStats = { syncs: 0, syncFailures: 0, maxSyncLatencyMs: 0, maxViewAgeMs: 0 };
  readonly #redis: LimitsRedis;
  readonly #opts: BatchOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #timer: NodeJS.Timeout;
  readonly #evictAfterTicks: number;
  #syncing: Promise<void> | undefined;
  #lastSyncStart = 0;

  constructor(redis: LimitsRedis, opts: BatchOptions) {
    this.#redis = redis;
    this.#opts = opts;
    this.#evictAfterTicks = Math.ceil(30_000 / opts.syncIntervalMs);
    this.#timer = setInterval(() => void this.sync(), opts.syncIntervalMs);
    this.#timer.unref();
  }

  /** Undefined when the entry cap is reached. */
  decide(key: string, rule: BatchRule, cost: number, now: number, write: Write): Outcome | undefined {
    const e = this.#entry(key, rule, now, write);
    if (e === undefined) return undefined;
    e.touched = true;
    if (rule.kind === 'window') {
      const idx = Math.floor(now / rule.windowMs);
      if (idx > e.id) {
        e.gp = idx === e.id + 1 ? e.gc : 0;
        e.gc = 0;
        e.id = idx;
        e.buckets = e.buckets.filter((b) => b.id >= idx - 1);
      }
      const s = { w: e.id, c: e.gc + local(e, e.id), p: e.gp + local(e, e.id - 1) };
      const before = s.c;
      const o = slidingStep(s, rule.limit, rule.windowMs, now, cost, write);
      if (s.c > before) bucket(e, e.id).unsent += s.c - before;
      return o;
    }
    const b = periodAt(now, rule.period, rule.timeZone);
    if (b.start > e.id) {
      e.id = b.start;
      e.end = b.end;
      e.redisKey = calendarKey(this.#opts.namespace, key, b);
      e.gc = 0;
      e.buckets = []; // deltas of an ended period no longer matter
    }
    const s = { start: e.id, end: e.end, count: e.gc + local(e, e.id) };
    const before = s.count;
    const o = calendarStep(s, rule.limit, now, cost, write);
    if (s.count > before) bucket(e, e.id).unsent += s.count - before;
    return o;
  }

  /** Forgets local views of keys starting with `keyPrefix` (after an admin reset in Redis). */
  forget(keyPrefix: string): void {
    for (const [k, e] of this.#entries) if (e.key.startsWith(keyPrefix)) this.#entries.delete(k);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** One pipeline: every unsent delta, and a read for every key used since the last sync. */
  sync(): Promise<void> {
    if (this.#syncing !== undefined) return this.#syncing;
    const ops: Array<{ e: Entry; b: Bucket | undefined; delta: number }> = [];
    for (const [k, e] of this.#entries) {
      let readCurrent = e.touched;
      for (const b of e.buckets) {
        if (b.unsent === 0 && !(readCurrent && b.id === e.id)) continue;
        if (b.id === e.id) readCurrent = false;
        ops.push({ e, b, delta: b.unsent });
        b.inflight += b.unsent;
        b.unsent = 0;
      }
      if (readCurrent) ops.push({ e, b: undefined, delta: 0 });
      if (e.touched) {
        e.touched = false;
        e.idleTicks = 0;
      } else if (e.buckets.length === 0 && ++e.idleTicks > this.#evictAfterTicks) {
        this.#entries.delete(k);
      }
    }
    if (ops.length === 0) {
      // No view is in use, so none grows old: the next view's age counts from here.
      this.#lastSyncStart = Date.now();
      return Promise.resolve();
    }
    const pipeline = pipelineOf(this.#redis);
    for (const { e, b, delta } of ops) {
      if (e.windowMs > 0) pipeline.limitsSyncSliding(e.redisKey, b?.id ?? e.id, delta, e.windowMs);
      else pipeline.limitsSyncCalendar(e.redisKey, delta, e.end);
    }
    const started = Date.now();
    this.#syncing = pipeline
      .exec()
      .then(
        (results) => this.#learn(ops, results ?? [], started),
        (err: unknown) => this.#learn(ops, ops.map(() => [err as Error, null]), started),
      )
      .finally(() => {
        this.#syncing = undefined;
      });
    return this.#syncing;
  }

  /** Stops syncing after one last flush of the unsent deltas. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#syncing;
    await this.sync();
  }

  #learn(ops: Array<{ e: Entry; b: Bucket | undefined; delta: number }>, results: Array<[Error | null, unknown]>, started: number): void {
    let failed = false;
    ops.forEach(({ e, b, delta }, i) => {
      const [err, value] = results[i] ?? [new Error('no reply'), null];
      if (b !== undefined) b.inflight -= delta;
      if (err !== null) {
        failed = true;
        if (b !== undefined) b.unsent += delta; // sent again at the next sync
        this.#opts.onError(err);
        return;
      }
      const id = b?.id ?? e.id;
      if (e.windowMs > 0) {
        const [w, c, p] = value as [number, number, number];
        if (w === e.id) {
          e.gc = c;
          e.gp = p;
        } else if (w === e.id - 1) {
          e.gp = c;
        }
      } else if (id === e.id) {
        e.gc = value as number;
      }
      if (b !== undefined && b.unsent === 0 && b.inflight === 0) e.buckets = e.buckets.filter((x) => x !== b);
    });
    const done = Date.now();
    if (failed) {
      this.stats.syncFailures++;
      return;
    }
    this.#opts.tracker.reachable();
    this.stats.syncs++;
    this.stats.maxSyncLatencyMs = Math.max(this.stats.maxSyncLatencyMs, done - started);
    if (this.#lastSyncStart > 0) this.stats.maxViewAgeMs = Math.max(this.stats.maxViewAgeMs, done - this.#lastSyncStart);
    this.#lastSyncStart = started;
  }

  #entry(key: string, rule: BatchRule, now: number, write: Write): Entry | undefined {
    const mapKey = rule.kind === 'window' ? `${key}@${rule.windowMs}` : `${key}@${rule.period}@${rule.timeZone}`;
    const found = this.#entries.get(mapKey);
    if (found !== undefined) return found;
    if (this.#entries.size >= this.#opts.maxKeys && write !== 'never') return undefined;
    const ns = this.#opts.namespace;
    let e: Entry;
    if (rule.kind === 'window') {
      e = { key, windowMs: rule.windowMs, id: Math.floor(now / rule.windowMs), end: 0, redisKey: slidingKey(ns, key, rule.windowMs), gc: 0, gp: 0, buckets: [], touched: true, idleTicks: 0 };
    } else {
      const b = periodAt(now, rule.period, rule.timeZone);
      e = { key, windowMs: 0, id: b.start, end: b.end, redisKey: calendarKey(ns, key, b), gc: 0, gp: 0, buckets: [], touched: true, idleTicks: 0 };
    }
    // A peek over the cap is still answered from a throw-away view, and learns nothing.
    if (this.#entries.size < this.#opts.maxKeys) this.#entries.set(mapKey, e);
    return e;
  }
}

function local(e: Entry, id: number): number {
  for (const b of e.buckets) if (b.id === id) return b.unsent + b.inflight;
  return 0;
}

function bucket(e: Entry, id: number): Bucket {
  for (const b of e.buckets) if (b.id === id) return b;
  const b = { id, unsent: 0, inflight: 0 };
  e.buckets.push(b);
  return b;
}
