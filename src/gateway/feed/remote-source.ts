/**
 * Long-polls the control plane's config feed:
 *   GET {controlPlaneUrl}/gateway/v1/config?since={revision}&wait={seconds}
 *   Authorization: Bearer {token}
 * 200 carries a newer Snapshot, 304 means nothing changed within the wait. Failures back off
 * exponentially (with jitter) up to `maxBackoffMs`. Each good snapshot is cached to `cacheFile`;
 * when the control plane cannot be reached at start, the cached one is served.
 */
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import type { Snapshot } from '../../snapshot/types.ts';
import { readCache, writeCache } from './cache.ts';
import type { SnapshotSource } from './source.ts';

export interface RemoteSnapshotSourceOptions {
  controlPlaneUrl: string;
  token: string;
  cacheFile?: string;
  /** Long-poll wait asked of the control plane, seconds. Default 25. */
  waitSeconds?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  logger?: Logger;
}

export class RemoteSnapshotSource implements SnapshotSource {
  readonly #opts: Required<Omit<RemoteSnapshotSourceOptions, 'cacheFile' | 'logger'>> & Pick<RemoteSnapshotSourceOptions, 'cacheFile' | 'logger'>;
  readonly #agent: Agent;
  #revision: number | null = null;
  #running = false;
  #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #onSnapshot: (s: Snapshot) => void = () => {};

  constructor(options: RemoteSnapshotSourceOptions) {
    this.#opts = { waitSeconds: 25, minBackoffMs: 250, maxBackoffMs: 30_000, ...options };
    this.#opts.controlPlaneUrl = this.#opts.controlPlaneUrl.replace(/\/+$/, '');
    this.#agent = new Agent({
      connect: { timeout: 5_000 },
      headersTimeout: (this.#opts.waitSeconds + 10) * 1000,
      bodyTimeout: 60_000,
    });
  }

  get revision(): number | null {
    return this.#revision;
  }

  async start(onSnapshot: (s: Snapshot) => void): Promise<void> {
    this.#onSnapshot = onSnapshot;
    this.#running = true;
    let failed = false;
    try {
      await this.#poll(0);
    } catch (err) {
      failed = true;
      this.#opts.logger?.warn({ err }, 'config feed: control plane unreachable at start');
      const cached = this.#opts.cacheFile === undefined ? null : await readCache(this.#opts.cacheFile);
      if (cached !== null) {
        this.#opts.logger?.info({ revision: cached.revision }, 'config feed: serving the cached snapshot');
        this.#deliver(cached);
      }
    }
    this.#loop = this.#run(failed);
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await this.#loop;
    await this.#agent.close().catch(() => {});
  }

  async #run(startWithBackoff: boolean): Promise<void> {
    let backoff = this.#opts.minBackoffMs;
    let wait = startWithBackoff;
    while (this.#running) {
      if (wait) {
        await sleep(backoff * (0.5 + Math.random() / 2), this.#abort.signal);
        backoff = Math.min(backoff * 2, this.#opts.maxBackoffMs);
        if (!this.#running) return;
      }
      try {
        await this.#poll(this.#opts.waitSeconds);
        backoff = this.#opts.minBackoffMs;
        wait = false;
      } catch (err) {
        if (!this.#running) return;
        this.#opts.logger?.warn({ err }, 'config feed: poll failed, backing off');
        wait = true;
      }
    }
  }

  /** One request; resolves after a 200 (delivered) or 304, throws otherwise. */
  async #poll(waitSeconds: number): Promise<void> {
    const since = this.#revision === null ? '' : `since=${this.#revision}&`;
    const res = await request(`${this.#opts.controlPlaneUrl}/gateway/v1/config?${since}wait=${waitSeconds}`, {
      dispatcher: this.#agent,
      headers: { authorization: `Bearer ${this.#opts.token}`, accept: 'application/json' },
      signal: this.#abort.signal,
    });
    if (res.statusCode === 304) {
      await res.body.dump();
      return;
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`config feed answered ${res.statusCode}: ${text.slice(0, 200)}`);
    const snapshot = JSON.parse(text) as Snapshot;
    if (!Number.isInteger(snapshot?.revision)) throw new Error('config feed sent a snapshot without a revision');
    if (this.#revision !== null && snapshot.revision <= this.#revision) return;
    this.#deliver(snapshot);
    if (this.#opts.cacheFile !== undefined) {
      await writeCache(this.#opts.cacheFile, text).catch((err: unknown) => this.#opts.logger?.warn({ err }, 'config feed: cache write failed'));
    }
  }

  #deliver(snapshot: Snapshot): void {
    this.#revision = snapshot.revision;
    try {
      this.#onSnapshot(snapshot);
    } catch (err) {
      this.#opts.logger?.error({ err, revision: snapshot.revision }, 'config feed: snapshot rejected');
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
