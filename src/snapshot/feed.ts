import { setTimeout as sleep } from 'node:timers/promises';
import { currentRevision, type Store } from '../store/index.ts';
import type { Snapshot } from './types.ts';

/**
 * Serves snapshots to gateways. A gateway asks with the revision it has; the feed answers at once
 * with a newer snapshot, or waits (long poll) up to `wait` seconds for one. Each waiting gateway
 * costs one primary-key read of the revision counter per 200 ms, which works the same on every
 * control-plane node of a cluster (no cross-node notification needed).
 */
export class SnapshotFeed {
  #cached: Snapshot | null = null;
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly build: () => Promise<Snapshot>,
    private readonly pollMs = 200,
  ) {}

  async latest(): Promise<Snapshot> {
    const revision = await currentRevision(this.store.db);
    if (this.#cached?.revision !== revision) this.#cached = await this.build();
    return this.#cached;
  }

  /** The newest snapshot if newer than `since`, else null after waiting up to `waitSeconds`. */
  async after(since: number | null, waitSeconds: number, signal?: AbortSignal): Promise<Snapshot | null> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const revision = await currentRevision(this.store.db);
      if (since === null || revision > since) return this.latest();
      if (Date.now() >= deadline || this.#closed || signal?.aborted) return null;
      await sleep(this.pollMs);
    }
  }

  close(): void {
    this.#closed = true;
  }
}
