import { randomUUID } from 'node:crypto';
import { MAX_BATCH_RECORDS, type CallRecord } from '../../domain/analytics.ts';
import { RecordBuffer } from './buffer.ts';

export interface ShipperOptions {
  /** Control plane base URL. */
  controlPlaneUrl: string;
  token: string;
  /** Name of this node in the batches it sends. */
  gateway: string;
  /** Flush at least this often (ms). Default 1000. */
  flushMs?: number;
  /** Records buffered between flushes before new ones are dropped. Default 50,000. */
  capacity?: number;
  /** Attempts per batch (same batch id each time, so a retried batch counts once). Default 5. */
  attempts?: number;
  /** Batches kept for retry while the control plane is down; older ones are dropped. Default 20. */
  maxPending?: number;
  /** Records per batch, at most what the control plane accepts (MAX_BATCH_RECORDS, the default). */
  batchSize?: number;
}

export interface ShipperStats {
  recorded: number;
  dropped: number;
  shipped: number;
  /** Records given up after every attempt failed or the retry queue overflowed. */
  lost: number;
}

interface PendingBatch {
  batchId: string;
  records: CallRecord[];
  attempts: number;
}

/**
 * Ships call records to the control plane in batches, off the request path: a timer drains the
 * buffer, one batch is in flight at a time, failures are retried with the same batch id.
 */
export class AnalyticsShipper {
  readonly #buffer: RecordBuffer;
  readonly #pending: PendingBatch[] = [];
  readonly #opts: Required<ShipperOptions>;
  readonly #timer: NodeJS.Timeout;
  #inFlight: Promise<void> | null = null;
  #shipped = 0;
  #lost = 0;

  constructor(options: ShipperOptions) {
    this.#opts = { flushMs: 1000, capacity: 50_000, attempts: 5, maxPending: 20, batchSize: MAX_BATCH_RECORDS, ...options };
    this.#opts.batchSize = Math.min(Math.max(1, this.#opts.batchSize), MAX_BATCH_RECORDS);
    this.#buffer = new RecordBuffer(this.#opts.capacity);
    this.#timer = setInterval(() => void this.flush(), this.#opts.flushMs);
    this.#timer.unref();
  }

  record(record: CallRecord): void {
    this.#buffer.push(record);
  }

  get stats(): ShipperStats {
    return { ...this.#buffer.stats, shipped: this.#shipped, lost: this.#lost };
  }

  /** Moves buffered records into a batch and sends what is pending; resolves when done trying. */
  flush(): Promise<void> {
    if (this.#buffer.size > 0) {
      // A busy node records more per flush than one batch may carry (the control plane refuses
      // larger batches): each slice is its own batch, with its own id.
      const records = this.#buffer.drain();
      const size = this.#opts.batchSize;
      for (let i = 0; i < records.length; i += size) this.#pending.push({ batchId: randomUUID(), records: records.slice(i, i + size), attempts: 0 });
      while (this.#pending.length > this.#opts.maxPending) this.#lost += this.#pending.shift()!.records.length;
    }
    this.#inFlight ??= this.#send().finally(() => (this.#inFlight = null));
    return this.#inFlight;
  }

  async #send(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending[0]!;
      batch.attempts++;
      try {
        const res = await fetch(`${this.#opts.controlPlaneUrl}/gateway/v1/analytics`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#opts.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batchId: batch.batchId, gateway: this.#opts.gateway, records: batch.records }),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.status >= 500) throw new Error(`control plane answered ${res.status}`);
        // 4xx will not get better by retrying: the batch is counted as lost.
        if (res.ok) this.#shipped += batch.records.length;
        else this.#lost += batch.records.length;
        this.#pending.shift();
      } catch {
        if (batch.attempts >= this.#opts.attempts) {
          this.#lost += batch.records.length;
          this.#pending.shift();
        }
        return; // try again at the next flush
      }
    }
  }

  /** Sends what is buffered and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
