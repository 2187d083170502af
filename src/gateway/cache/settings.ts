/**
 * The response cache a gateway process runs with: Redis when the limits settings name one (the
 * same PORTICO_REDIS_URL, so every node and worker shares entries), else none (createGateway then
 * makes a memory cache of its own).
 */
import type { Logger } from 'pino';
import type { ResponseCache } from '../../policies/cache-store.ts';
import type { LimitsSettings } from '../limits/settings.ts';
import { RedisResponseCache } from './redis-cache.ts';

export function createResponseCache(settings: LimitsSettings | undefined, logger?: Logger): ResponseCache | null {
  if (settings?.redisUrl == null) return null;
  return new RedisResponseCache({ url: settings.redisUrl, log: (message, fields) => logger?.warn(fields, message) });
}
