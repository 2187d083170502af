/**
 * The counter store a gateway process runs with, from its settings: Redis when a URL is given
 * (shared by every node and worker), else memory (quotas saved to a file when one is given).
 */
import type { Logger } from 'pino';
import { MemoryCounterStore } from './memory-store.ts';
import { RedisCounterStore } from './redis-store.ts';
import type { CounterStore, LimitsLog } from './types.ts';

export interface LimitsSettings {
  /** `redis://…`; null: the memory store. */
  readonly redisUrl: string | null;
  readonly redisMode: 'strict' | 'batching';
  /** Redis key prefix; default `portico:limits:`. */
  readonly redisNamespace?: string;
  /** Memory store: where quota counters are saved; null: not saved. */
  readonly persistFile: string | null;
}

export function limitsLog(logger: Logger | undefined): LimitsLog {
  if (logger === undefined) return () => {};
  return (level, message, fields) => logger[level](fields ?? {}, message);
}

export function createCounterStore(settings: LimitsSettings, logger?: Logger): CounterStore {
  const log = limitsLog(logger);
  if (settings.redisUrl !== null) {
    return new RedisCounterStore({ redis: settings.redisUrl, mode: settings.redisMode, log, ...(settings.redisNamespace ? { namespace: settings.redisNamespace } : {}) });
  }
  return new MemoryCounterStore({ log, ...(settings.persistFile !== null ? { persistFile: settings.persistFile } : {}) });
}
