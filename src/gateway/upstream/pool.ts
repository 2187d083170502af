/**
 * Keep-alive connection pools and circuit breakers outlive snapshots: a new snapshot that leaves a
 * backend's connection settings alone reuses its pool (warm sockets) and its breaker (learned
 * health). Pools no longer referenced are closed gracefully, which lets requests still running on
 * an older runtime finish first.
 */
import { Pool } from 'undici';
import type { SnapshotBackend } from '../../snapshot/types.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { tlsOptions } from './tls.ts';

export interface TargetAddress {
  origin: string;
  hostname: string;
  secure: boolean;
}

export class UpstreamRegistry {
  #pools = new Map<string, Pool>();
  #breakers = new Map<string, CircuitBreaker>();

  pool(backend: SnapshotBackend, target: TargetAddress, used: Set<string>): Pool {
    const key = JSON.stringify([target.origin, backend.connectTimeoutMs, backend.readTimeoutMs, target.secure ? backend.tls : null]);
    used.add(key);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new Pool(target.origin, {
        connect: { timeout: backend.connectTimeoutMs, ...(target.secure ? tlsOptions(backend.tls, target.hostname) : {}) },
        headersTimeout: backend.readTimeoutMs,
        bodyTimeout: backend.readTimeoutMs,
        keepAliveTimeout: 4_000,
        // Never pipeline: a failure would take unrelated requests down with it.
        pipelining: 1,
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  breaker(backend: SnapshotBackend, url: string, used: Set<string>): CircuitBreaker {
    const { failureThreshold, cooldownMs } = backend.circuitBreaker;
    const key = JSON.stringify([backend.id, url, failureThreshold, cooldownMs]);
    used.add(key);
    let breaker = this.#breakers.get(key);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(failureThreshold, cooldownMs);
      this.#breakers.set(key, breaker);
    }
    return breaker;
  }

  /** Drops every pool and breaker whose key is not in `used` (after a swap). */
  retain(used: Set<string>): void {
    for (const [key, pool] of this.#pools) {
      if (!used.has(key)) {
        this.#pools.delete(key);
        pool.close().catch(() => {});
      }
    }
    for (const key of this.#breakers.keys()) if (!used.has(key)) this.#breakers.delete(key);
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => {})));
  }
}
