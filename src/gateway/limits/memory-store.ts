/**
 * Counters in this process's memory: the single-node store. Every method is synchronous, so a
 * decision is one read-modify-write with no `await` in between — exact however many requests are in
 * flight, since a Node process runs one piece of JavaScript at a time.
 *
 * Memory is bounded: expired windows and periods are swept every `sweepIntervalMs`, and at most
 * `maxKeys` keys are held. A call for a new key beyond the cap is decided by its fail mode, as if the
 * store were unreachable — evicting other keys instead would let anyone reset someone else's limit by
 * sending many keys. Calendar counters can be saved to a file so quotas survive a restart.
 */
import { calendarStep, gcraStep, slidingStep, type CalendarState, type GcraState, type Outcome, type SlidingState, type Write } from './algorithms.ts';
import { periodAt } from './calendar.ts';
import { ACQUIRED, emptyStats, REFUSED, unacquired, uncounted } from './fallback.ts';
import { loadCounters, saveCounters } from './persist.ts';
import { ruleLimit } from './rules.ts';
import type { Acquisition, CounterStore, Decision, FailMode, LimitsLog, Rule, Usage } from './types.ts';

export interface MemoryStoreOptions {
  /** Keys held at most (all kinds together); default 1,000,000 (~200 bytes a key with 40-character keys). */
  maxKeys?: number;
  /** For calls whose policy passes none; default `open`. */
  failMode?: FailMode;
  /** Save calendar counters to this JSON file, and load them at start. */
  persistFile?: string;
  /** Default 5,000 ms. Counters are also saved by `close()`. */
  persistIntervalMs?: number;
  /** Default 10,000 ms. */
  sweepIntervalMs?: number;
  /** Wall clock for sweeping and for dropping ended periods at load; default `Date.now`. */
  clock?: () => number;
  log?: LimitsLog;
}

const noLog: LimitsLog = () => {};
const freshSliding = (): SlidingState => ({ w: 0, c: 0, p: 0 });
const freshGcra = (): GcraState => ({ tat: 0 });

export class MemoryCounterStore implements CounterStore {
  readonly stats = emptyStats();
  /** Sliding windows by window length, then key: a window index means nothing under another length. */
  readonly #sliding = new Map<number, Map<string, SlidingState>>();
  readonly #gcra = new Map<string, GcraState>();
  readonly #interval = new Map<string, GcraState>();
  readonly #calendar: Map<string, CalendarState>;
  readonly #inflight = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #failMode: FailMode;
  readonly #clock: () => number;
  readonly #log: LimitsLog;
  readonly #persistFile: string | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  #lastCapSweep = 0;
  #dirty = false;
  #saving: Promise<void> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 1_000_000;
    this.#failMode = options.failMode ?? 'open';
    this.#clock = options.clock ?? Date.now;
    this.#log = options.log ?? noLog;
    this.#persistFile = options.persistFile;
    this.#calendar = new Map();
    if (this.#persistFile !== undefined) {
      try {
        this.#calendar = loadCounters(this.#persistFile, this.#clock());
      } catch (err) {
        // A damaged file must not keep the gateway down; the quotas restart from zero and we say so.
        this.#log('error', 'counter file unreadable, quotas start from zero', { file: this.#persistFile, error: String(err) });
      }
      this.#every(options.persistIntervalMs ?? 5_000, () => void this.#save());
    }
    this.#every(options.sweepIntervalMs ?? 10_000, () => this.sweep());
  }

  consume(key: string, rule: Rule, cost: number, now: number, failMode: FailMode = this.#failMode): Decision {
    return this.#decide(key, rule, cost, now, 'if-allowed', failMode);
  }

  peek(key: string, rule: Rule, now: number, failMode: FailMode = this.#failMode): Decision {
    return this.#decide(key, rule, 1, now, 'never', failMode);
  }

  add(key: string, rule: Rule, amount: number, now: number): void {
    this.#step(key, rule, amount, now, 'always');
  }

  usage(key: string, rule: Rule, now: number): Usage {
    const o = this.#step(key, rule, 0, now, 'never');
    const limit = ruleLimit(rule);
    return o === undefined ? { used: 0, limit, remaining: limit, resetMs: 0 } : { used: o.used, limit, remaining: o.remaining, resetMs: o.resetMs };
  }

  acquire(key: string, limit: number, failMode: FailMode = this.#failMode): Acquisition {
    const n = this.#inflight.get(key) ?? 0;
    if (n >= limit) return REFUSED;
    if (n === 0 && !this.#room()) return unacquired(failMode, this.stats);
    this.#inflight.set(key, n + 1);
    return ACQUIRED;
  }

  release(key: string): void {
    const n = this.#inflight.get(key);
    if (n === undefined) return;
    if (n <= 1) this.#inflight.delete(key);
    else this.#inflight.set(key, n - 1);
  }

  reset(keyPrefix: string): number {
    let removed = 0;
    for (const map of [...this.#sliding.values(), this.#gcra, this.#interval, this.#calendar] as Array<Map<string, unknown>>) {
      for (const key of map.keys()) {
        if (key.startsWith(keyPrefix)) {
          map.delete(key);
          removed++;
          if (map === this.#calendar) this.#dirty = true;
        }
      }
    }
    return removed;
  }

  /** Keys held, all kinds together. */
  get size(): number {
    let sliding = 0;
    for (const m of this.#sliding.values()) sliding += m.size;
    return sliding + this.#gcra.size + this.#interval.size + this.#calendar.size + this.#inflight.size;
  }

  /** Drops windows and periods that have ended; runs on a timer, and when the key cap is reached. */
  sweep(now: number = this.#clock()): void {
    for (const [windowMs, map] of this.#sliding) {
      const current = Math.floor(now / windowMs);
      for (const [key, s] of map) if (current - s.w >= 2) map.delete(key);
      if (map.size === 0) this.#sliding.delete(windowMs);
    }
    for (const map of [this.#gcra, this.#interval]) {
      for (const [key, s] of map) if (s.tat <= now) map.delete(key);
    }
    for (const [key, s] of this.#calendar) {
      if (s.end <= now) {
        this.#calendar.delete(key);
        this.#dirty = true;
      }
    }
  }

  /** Stops the timers and saves the calendar counters one last time. */
  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers.length = 0;
    await this.#saving;
    if (this.#persistFile !== undefined) await this.#save();
  }

  #decide(key: string, rule: Rule, cost: number, now: number, write: Write, failMode: FailMode): Decision {
    const o = this.#step(key, rule, cost, now, write);
    if (o === undefined) return uncounted(ruleLimit(rule), failMode, this.stats);
    return { allowed: o.allowed, limit: ruleLimit(rule), remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs };
  }

  /** Undefined when a new key would exceed the cap. */
  #step(key: string, rule: Rule, cost: number, now: number, write: Write): Outcome | undefined {
    if (rule.kind === 'window') {
      if (rule.algorithm === 'sliding') {
        let map = this.#sliding.get(rule.windowMs);
        if (map === undefined) this.#sliding.set(rule.windowMs, (map = new Map()));
        const s = this.#state(map, key, write, freshSliding);
        return s && slidingStep(s, rule.limit, rule.windowMs, now, cost, write);
      }
      const s = this.#state(this.#gcra, key, write, freshGcra);
      return s && gcraStep(s, rule.limit, rule.windowMs, now, cost, write);
    }
    if (rule.kind === 'interval') {
      const s = this.#state(this.#interval, key, write, freshGcra);
      return s && gcraStep(s, 1, rule.intervalMs, now, cost, write);
    }
    const bounds = periodAt(now, rule.period, rule.timeZone);
    let s = this.#state(this.#calendar, key, write, () => ({ start: bounds.start, end: bounds.end, count: 0 }));
    if (s === undefined) return undefined;
    if (s.start !== bounds.start || s.end !== bounds.end) {
      // A new period (or another period length after a configuration change) starts from zero.
      const fresh = { start: bounds.start, end: bounds.end, count: 0 };
      if (write === 'never') s = fresh;
      else Object.assign(s, fresh);
    }
    if (write !== 'never') this.#dirty = true;
    return calendarStep(s, rule.limit, now, cost, write);
  }

  #state<S>(map: Map<string, S>, key: string, write: Write, fresh: () => S): S | undefined {
    const s = map.get(key);
    if (s !== undefined) return s;
    if (write === 'never') return fresh(); // a peek leaves nothing behind
    if (!this.#room()) return undefined;
    const created = fresh();
    map.set(key, created);
    return created;
  }

  #room(): boolean {
    if (this.size < this.#maxKeys) return true;
    const now = this.#clock();
    if (now - this.#lastCapSweep >= 1_000) {
      // Sweeping is O(keys): at most once a second, so a full store does not sweep on every call.
      this.#lastCapSweep = now;
      this.sweep(now);
      if (this.size < this.#maxKeys) return true;
    }
    this.stats.keyCapHits++;
    return false;
  }

  #every(ms: number, task: () => void): void {
    const t = setInterval(task, ms);
    t.unref();
    this.#timers.push(t);
  }

  async #save(): Promise<void> {
    if (this.#persistFile === undefined || this.#saving !== undefined || !this.#dirty) return;
    this.#dirty = false;
    this.#saving = saveCounters(this.#persistFile, this.#calendar)
      .catch((err: unknown) => {
        this.#dirty = true;
        this.#log('error', 'could not save quota counters', { file: this.#persistFile, error: String(err) });
      })
      .finally(() => {
        this.#saving = undefined;
      });
    await this.#saving;
  }
}
