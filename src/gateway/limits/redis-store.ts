/**
 * Counters shared by several gateway nodes through Redis.
 *
 * Strict mode (default): every decision is run atomically by a Lua script in Redis — exact across
 * nodes, one round trip; the decisions of one event-loop turn share one script call
 * (decision-batch.ts). Batching mode: sliding windows and calendar quotas are decided locally and
 * synced every `syncIntervalMs` (see redis-batch.ts for the overshoot bound); GCRA, spike arrest and
 * concurrency stay strict because they are not sums that can be merged later.
 *
 * A request never hangs on Redis: commands time out after `commandTimeoutMs`, and while the
 * connection is down they are refused at once (no offline queue). Each call whose count could not be
 * made is decided by its fail mode. ioredis reconnects by itself, so counting resumes when Redis is back.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Outcome, Write } from './algorithms.ts';
import { periodAt } from './calendar.ts';
import { ACQUIRED, emptyStats, REFUSED, unacquired, uncounted } from './fallback.ts';
import { OutageTracker } from './outage.ts';
import { BatchCounter, type BatchStats } from './redis-batch.ts';
import { DecisionBatch } from './decision-batch.ts';
import { calendarKey, gcraKey, intervalKey, leaseKey, resetPattern, slidingKey } from './redis-keys.ts';
import { defineLimitCommands, pipelineOf, type LimitsRedis, type Reply } from './redis-scripts.ts';
import { ruleLimit } from './rules.ts';
import type { Acquisition, CounterStore, Decision, FailMode, LimitsLog, Rule, Usage } from './types.ts';

export interface RedisStoreOptions {
  /** A `redis://` URL or ioredis connection options (host, port, password, db, tls …). */
  redis?: string | RedisOptions;
  /** Prefix of every key this store writes; default `portico:limits:`. */
  namespace?: string;
  /** Default 100 ms: the longest a call waits for Redis. */
  commandTimeoutMs?: number;
  /** For calls whose policy passes none; default `open`. */
  failMode?: FailMode;
  /** Default `strict`. */
  mode?: 'strict' | 'batching';
  /** Batching mode; default 50 ms. */
  syncIntervalMs?: number;
  /** Batching mode: local views held at most; default 1,000,000. */
  maxKeys?: number;
  /** Concurrency leases expire after this long unless renewed; default 30,000 ms. */
  leaseMs?: number;
  log?: LimitsLog;
}

const noLog: LimitsLog = () => {};
const WRITE_ARG: Record<Write, string> = { 'if-allowed': 'c', never: 'p', always: 'a' };

export class RedisCounterStore implements CounterStore {
  readonly stats = emptyStats();
  readonly #redis: LimitsRedis;
  readonly #ns: string;
  readonly #failMode: FailMode;
  readonly #leaseMs: number;
  readonly #tracker: OutageTracker;
  readonly #batch: BatchCounter | undefined;
  readonly #nodeId = randomUUID().slice(0, 8);
  /** Lease ids this node holds, by key; a null stands for a slot granted uncounted (fail-open). */
  readonly #leases = new Map<string, Array<string | null>>();
  readonly #renewTimer: NodeJS.Timeout;
  #leaseSeq = 0;
  #everReady = false;
  readonly #decisions: DecisionBatch;

  constructor(options: RedisStoreOptions = {}) {
    const timeout = options.commandTimeoutMs ?? 100;
    const enforced: RedisOptions = {
      commandTimeout: timeout,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A command that timed out may have run; sending it again after a reconnect would count twice.
      autoResendUnfulfilledCommands: false,
      // A Redis that accepts connections but never answers (stopped, overloaded) is dropped after a
      // second of silence, so the following calls fail at once instead of each waiting the timeout.
      socketTimeout: Math.max(1_000, timeout * 5),
      connectTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
    };
    const redis = typeof options.redis === 'string' ? new Redis(options.redis, enforced) : new Redis({ ...options.redis, ...enforced });
    this.#redis = defineLimitCommands(redis);
    this.#decisions = new DecisionBatch((keys, args) =>
      this.#redis.limitsDecide(keys.length, ...keys, ...args).then((flat) => {
        this.#tracker.reachable();
        return flat;
      }),
    );
    this.#ns = options.namespace ?? 'portico:limits:';
    this.#failMode = options.failMode ?? 'open';
    this.#leaseMs = options.leaseMs ?? 30_000;
    const log = options.log ?? noLog;
    this.#tracker = new OutageTracker(this.stats, log);
    redis.on('error', (err: Error) => this.#tracker.unreachable(err));
    redis.on('ready', () => {
      this.#everReady = true;
      this.#tracker.reachable();
    });
    if (options.mode === 'batching') {
      this.#batch = new BatchCounter(this.#redis, {
        namespace: this.#ns,
        syncIntervalMs: options.syncIntervalMs ?? 50,
        maxKeys: options.maxKeys ?? 1_000_000,
        tracker: this.#tracker,
        onError: (err) => this.#failed(err),
      });
    }
    this.#renewTimer = setInterval(() => this.#renew(), Math.max(100, Math.floor(this.#leaseMs / 3)));
    this.#renewTimer.unref();
  }

  /** Resolves once connected (or rejects after `timeoutMs`); calls made before are decided by fail mode. */
  ready(timeoutMs = 5_000): Promise<void> {
    if (this.#redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#redis.off('ready', onReady);
        reject(new Error(`counter store not ready after ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#redis.once('ready', onReady);
    });
  }

  /** Batching mode only: sync figures (for the overshoot bound and `/metrics`). */
  get batchStats(): Readonly<BatchStats> | undefined {
    return this.#batch?.stats;
  }

  consume(key: string, rule: Rule, cost: number, now: number, failMode: FailMode = this.#failMode): Decision | Promise<Decision> {
    return this.#decide(key, rule, cost, now, 'if-allowed', failMode);
  }

  peek(key: string, rule: Rule, now: number, failMode: FailMode = this.#failMode): Decision | Promise<Decision> {
    return this.#decide(key, rule, 1, now, 'never', failMode);
  }

  add(key: string, rule: Rule, amount: number, now: number): void | Promise<void> {
    if (this.#batch !== undefined && isBatched(rule)) {
      this.#batch.decide(key, rule, amount, now, 'always');
      return;
    }
    return this.#script(key, rule, amount, now, 'always').then(
      () => undefined,
      (err: unknown) => this.#failed(err),
    );
  }

  async usage(key: string, rule: Rule, now: number): Promise<Usage> {
    const r = await this.#script(key, rule, 0, now, 'never');
    return { used: r[4], limit: ruleLimit(rule), remaining: r[1], resetMs: r[2] };
  }

  async acquire(key: string, limit: number, failMode: FailMode = this.#failMode): Promise<Acquisition> {
    const lease = `${this.#nodeId}:${++this.#leaseSeq}`;
    try {
      const ok = await this.#redis.limitsAcquire(leaseKey(this.#ns, key), limit, this.#leaseMs, lease);
      this.#tracker.reachable();
      if (ok !== 1) return REFUSED;
      this.#hold(key, lease);
      return ACQUIRED;
    } catch (err) {
      this.#failed(err);
      const a = unacquired(failMode, this.stats);
      // The script may have run before the timeout: a granted slot releases that lease too; a refused
      // call drops it now (or it expires after leaseMs if Redis is still away).
      if (a.acquired) this.#hold(key, lease);
      else void this.#dropLease(key, lease);
      return a;
    }
  }

  release(key: string): void | Promise<void> {
    const held = this.#leases.get(key);
    const lease = held?.pop();
    if (held !== undefined && held.length === 0) this.#leases.delete(key);
    if (lease === undefined || lease === null) return;
    return this.#dropLease(key, lease);
  }

  async reset(keyPrefix: string): Promise<number> {
    this.#batch?.forget(keyPrefix);
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', resetPattern(this.#ns, keyPrefix), 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await this.#redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  }

  async close(): Promise<void> {
    clearInterval(this.#renewTimer);
    await this.#batch?.close();
    this.#redis.disconnect();
  }

  #decide(key: string, rule: Rule, cost: number, now: number, write: Write, failMode: FailMode): Decision | Promise<Decision> {
    const limit = ruleLimit(rule);
    if (this.#batch !== undefined && isBatched(rule)) {
      // While Redis is away each node only sees its own calls: fail-closed refuses, fail-open goes on
      // counting locally and says so.
      if (this.#tracker.down && failMode === 'closed') return uncounted(limit, 'closed', this.stats);
      const o = this.#batch.decide(key, rule, cost, now, write);
      if (o === undefined) {
        this.stats.keyCapHits++;
        return uncounted(limit, failMode, this.stats);
      }
      const d = decision(limit, o);
      if (!this.#tracker.down) return d;
      this.stats.failOpen++;
      return { ...d, degraded: true };
    }
    return this.#script(key, rule, cost, now, write).then(
      (r) => ({ allowed: r[0] === 1, limit, remaining: r[1], resetMs: r[2], retryAfterMs: r[3] }),
      (err: unknown) => {
        this.#failed(err);
        return uncounted(limit, failMode, this.stats);
      },
    );
  }

  #script(key: string, rule: Rule, cost: number, now: number, write: Write): Promise<Reply> {
    const w = WRITE_ARG[write];
    const d = this.#decisions;
    if (rule.kind === 'window' && rule.algorithm === 'sliding') return d.decide('s', slidingKey(this.#ns, key, rule.windowMs), rule.limit, rule.windowMs, now, cost, w);
    if (rule.kind === 'window') return d.decide('g', gcraKey(this.#ns, key), rule.limit, rule.windowMs, now, cost, w);
    if (rule.kind === 'interval') return d.decide('g', intervalKey(this.#ns, key), 1, rule.intervalMs, now, cost, w);
    const b = periodAt(now, rule.period, rule.timeZone);
    return d.decide('k', calendarKey(this.#ns, key, b), rule.limit, b.end, now, cost, w);
  }

  #failed(err: unknown): void {
    if (err instanceof Error && err.name === 'ReplyError') this.#tracker.replyError(err);
    // Before the first connection, a refused command only means "still connecting"; a Redis that is
    // really down at start is reported by the connection's own error event.
    else if (this.#everReady) this.#tracker.unreachable(err);
  }

  #hold(key: string, lease: string | null): void {
    const held = this.#leases.get(key);
    if (held === undefined) this.#leases.set(key, [lease]);
    else held.push(lease);
  }

  #dropLease(key: string, lease: string): Promise<void> {
    return this.#redis.zrem(leaseKey(this.#ns, key), lease).then(
      () => undefined,
      (err: unknown) => this.#failed(err),
    );
  }

  /** Extends every lease still held, one pipeline for all keys, off the request path. */
  #renew(): void {
    if (this.#leases.size === 0 || this.#redis.status !== 'ready') return;
    const pipeline = pipelineOf(this.#redis);
    for (const [key, held] of this.#leases) {
      const ids = held.filter((l): l is string => l !== null);
      if (ids.length > 0) pipeline.limitsRenew(leaseKey(this.#ns, key), this.#leaseMs, ...ids);
    }
    pipeline.exec().catch((err: unknown) => this.#failed(err));
  }
}

function isBatched(rule: Rule): rule is Extract<Rule, { kind: 'calendar' }> | (Extract<Rule, { kind: 'window' }> & { algorithm: 'sliding' }) {
  return rule.kind === 'calendar' || (rule.kind === 'window' && rule.algorithm === 'sliding');
}

function decision(limit: number, o: Outcome): Decision {
  return { allowed: o.allowed, limit, remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs };
}
