/**
 * Which counter store each part of a `portico` process uses. One gateway process on memory saves
 * its quotas in the data directory; several workers on memory each count their own calls (and do
 * not save: one file cannot take several writers), so Redis is the answer for shared limits. The
 * control plane reads usage from the in-process gateway's store or from Redis — never from a
 * remote gateway's memory.
 */
import { join } from 'node:path';
import type { PorticoConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { createCounterStore, type CounterStore, type LimitsSettings } from '../gateway/limits/index.ts';
import type { UsageSource } from '../services/usage.ts';

export const QUOTA_FILE = 'quota-counters.json';

export function gatewayLimits(config: PorticoConfig): LimitsSettings {
  const { redisUrl, redisMode } = config.limits;
  const persistFile = redisUrl === null && config.gateway.workers === 1 ? join(config.dataDir, QUOTA_FILE) : null;
  return { redisUrl, redisMode, persistFile };
}

export interface CounterParts {
  /** The store of a one-worker gateway in this process (null: the gateway makes its own per worker). */
  gateway: CounterStore | null;
  usage: UsageSource | undefined;
  close(): Promise<void>;
}

/** `embedded`: a gateway runs in this process (`portico start`); else the control plane alone. */
export function counterParts(config: PorticoConfig, logger: Logger, embedded: boolean): CounterParts {
  const shared = config.limits.redisUrl !== null;
  const gateway = embedded && config.gateway.workers === 1 ? createCounterStore(gatewayLimits(config), logger) : null;
  // Several workers on memory: no one store holds the counts, so usage is not offered.
  const reader = gateway ?? (shared ? createCounterStore({ ...gatewayLimits(config), redisMode: 'strict' }, logger) : null);
  return {
    gateway,
    usage: reader === null ? undefined : { counters: reader, coverage: shared ? 'shared' : 'gateway' },
    close: async () => {
      await reader?.close();
    },
  };
}
