/**
 * The response cache in Redis, shared by every node and worker of a deployment. A call never waits
 * on an unreachable Redis: commands time out after `commandTimeoutMs`, are never queued while the
 * connection is down, and a failed lookup answers null (the backend answers instead). The outage
 * is logged once until Redis is back.
 *
 * An entry is one string: a 4-byte length, the JSON head (status, headers, storedAt), the body.
 */
import { Redis } from 'ioredis';
import type { CachedResponse, ResponseCache } from '../../policies/cache-store.ts';

export interface RedisCacheOptions {
  readonly url: string;
  /** Key prefix; default `portico:cache:` (two gateways with the same one share entries). */
  readonly namespace?: string;
  readonly commandTimeoutMs?: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

export class RedisResponseCache implements ResponseCache {
  readonly #redis: Redis;
  readonly #ns: string;
  readonly #log: NonNullable<RedisCacheOptions['log']>;
  #down = false;

  constructor(options: RedisCacheOptions) {
    const timeout = options.commandTimeoutMs ?? 100;
    this.#redis = new Redis(options.url, {
      commandTimeout: timeout,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      socketTimeout: Math.max(1_000, timeout * 5),
      connectTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
    });
    this.#ns = options.namespace ?? 'portico:cache:';
    this.#log = options.log ?? (() => {});
    this.#redis.on('error', (err: Error) => this.#failed(err));
    this.#redis.on('ready', () => {
      this.#down = false;
    });
  }

  /** Resolves once connected; lookups before then are misses. */
  ready(): Promise<void> {
    if (this.#redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.#redis.once('ready', () => resolve()));
  }

  async get(key: string): Promise<CachedResponse | null> {
    try {
      const raw = await this.#redis.getBuffer(this.#ns + key);
      return raw === null ? null : decode(raw);
    } catch (err) {
      this.#failed(err as Error);
      return null;
    }
  }

  async set(key: string, entry: CachedResponse, ttlMs: number): Promise<void> {
    try {
      await this.#redis.set(this.#ns + key, encode(entry), 'PX', ttlMs);
    } catch (err) {
      this.#failed(err as Error);
    }
  }

  close(): Promise<void> {
    this.#redis.disconnect();
    return Promise.resolve();
  }

  #failed(err: Error): void {
    if (this.#down) return;
    this.#down = true;
    this.#log('cache: Redis unreachable; lookups are skipped and the backends answer', { error: err.message });
  }
}

function encode(entry: CachedResponse): Buffer {
  const head = Buffer.from(JSON.stringify({ status: entry.status, headers: entry.headers, storedAt: entry.storedAt }));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.length);
  return Buffer.concat([len, head, entry.body]);
}

function decode(raw: Buffer): CachedResponse | null {
  if (raw.length < 4) return null;
  const n = raw.readUInt32BE(0);
  if (raw.length < 4 + n) return null;
  let head: Omit<CachedResponse, 'body'>;
  try {
    head = JSON.parse(raw.subarray(4, 4 + n).toString()) as Omit<CachedResponse, 'body'>;
  } catch {
    return null; // not an entry of ours: a miss, not an outage
  }
  return { status: head.status, headers: head.headers, storedAt: head.storedAt, body: raw.subarray(4 + n) };
}
